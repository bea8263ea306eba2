from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from search.cards import offer_row_downloads

from . import shelf
from .forms import BadSelection, document_ids, next_url
from .models import SavedDocument


@login_required
def library(request):
    """The reader's saved documents, newest first, a page at a time (as every listing: an
    out-of-range or malformed page number shows the nearest page)."""
    saved = SavedDocument.objects.filter(user=request.user)
    page = Paginator(saved, shelf.setting("PAGE_SIZE")).get_page(request.GET.get("page"))
    entries = shelf.entries(request.user, list(page.object_list))
    # As every listing of the reader site: each row offers its download, or what unlocks it.
    offer_row_downloads(request, [entry.card for entry in entries if entry.available])
    return render(request, "library/index.html", {"entries": entries, "page_obj": page})


@require_POST
@login_required
def save(request):
    try:
        ids = document_ids(request, shelf.setting("MAX_DOCUMENTS_PER_REQUEST"))
    except BadSelection as error:
        return HttpResponseBadRequest(str(error))
    saved = shelf.save(request.user, ids)
    if not saved:
        # Nothing the reader may see: the same answer as for documents that do not exist.
        raise Http404(_("No such document."))
    messages.success(
        request,
        ngettext(
            "Saved %(count)d document to your library.",
            "Saved %(count)d documents to your library.",
            len(saved),
        )
        % {"count": len(saved)},
    )
    return redirect(next_url(request, reverse("library:index")))


@require_POST
@login_required
def remove(request):
    try:
        ids = document_ids(request, shelf.setting("MAX_DOCUMENTS_PER_REQUEST"))
    except BadSelection as error:
        return HttpResponseBadRequest(str(error))
    removed = shelf.remove(request.user, ids)
    messages.success(
        request,
        ngettext(
            "Removed %(count)d document from your library.",
            "Removed %(count)d documents from your library.",
            removed,
        )
        % {"count": removed},
    )
    return redirect(next_url(request, reverse("library:index")))
