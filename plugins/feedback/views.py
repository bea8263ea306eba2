from urllib.parse import urlsplit

from django.apps import apps
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from cms.access import ratelimit
from workflows.jobs import enqueue

from .forms import FeedbackForm
from .notifications import notify_staff


def _page_it_came_from(request) -> str:
    """The ``from`` parameter the footer link carries, else the referring page on this site."""
    origin = request.GET.get("from", "")
    if not origin:
        referer = urlsplit(request.META.get("HTTP_REFERER", ""))
        if referer.netloc == request.get_host():
            origin = referer.path
    return origin


@require_http_methods(["GET", "POST"])
def feedback_form(request):
    max_length = apps.get_app_config("feedback").setting("MAX_COMMENT_LENGTH")
    if request.method == "POST":
        # Counted before validation: a flood of invalid posts is a flood all the same.
        if ratelimit.exceeded("feedback", ratelimit.requester(request)):
            return ratelimit.too_many_requests(request, "feedback")
        form = FeedbackForm(request.POST, max_comment_length=max_length)
        if form.is_valid():
            # A bot that filled the honeypot is thanked like anyone, so it learns nothing.
            if not form.is_spam():
                feedback = form.save(commit=False)
                feedback.user = request.user if request.user.is_authenticated else None
                feedback.language = get_language() or ""
                feedback.save()
                # Robust: with Redis down the reader is still thanked (their feedback is saved);
                # the sweep's notify_unnotified tells staff later.
                transaction.on_commit(lambda: enqueue(notify_staff, feedback.pk), robust=True)
            return redirect("feedback:thanks")
    else:
        initial = {"page_url": _page_it_came_from(request)}
        if request.user.is_authenticated:
            # Where to answer a signed-in reader, already filled in; they may change or clear it.
            initial["contact_email"] = request.user.email
        form = FeedbackForm(initial=initial, max_comment_length=max_length)
    return render(request, "feedback/form.html", {"form": form}, status=400 if form.errors else 200)


def thanks(request):
    return render(request, "feedback/thanks.html")
