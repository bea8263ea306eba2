from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from cms.access import policy
from cms.access.requests import open_request
from cms.models import AccessLevel, AccessRequest
from search.cards import get_document_for_reader


class AccessRequestForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you need this document?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_access(request, slug: str):
    document = get_document_for_reader(request, slug)
    if document is None or document.access_level != AccessLevel.RESTRICTED:
        raise Http404(_("No such document."))
    if policy.can_access_level(request.user, document):
        return redirect(document.get_url())
    pending = AccessRequest.objects.filter(
        user=request.user, document=document, status=AccessRequest.Status.PENDING
    ).first()
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and pending is None and form.is_valid():
        # Two submissions at once both find none pending: the database opens one request.
        open_request(request.user, document, form.cleaned_data["reason"])
        return redirect(request.path)
    status = 400 if form.errors else 200
    context = {"document": document, "form": form, "pending": pending}
    return render(request, "portal/request_access.html", context, status=status)
