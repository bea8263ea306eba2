from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from cms.access.policy import nda_accept_url

from . import queries


def subprocessors(request):
    return render(
        request,
        "trust_center/subprocessors.html",
        {"subprocessors": queries.subprocessors(), "last_changed": queries.last_changed()},
    )


def faq(request):
    """The security FAQ, searched with ``?q=``: questions for everyone, answers for whoever may
    read them (the search matches only those)."""
    query = request.GET.get("q", "").strip()
    if len(query) > queries.MAX_QUERY_LENGTH:
        return HttpResponseBadRequest(
            _("Search for at most %(count)d characters.") % {"count": queries.MAX_QUERY_LENGTH}
        )
    entries = queries.faq_questions(request.user, query)
    return render(
        request,
        "trust_center/faq.html",
        {"entries": entries, "query": query, "nda_url": nda_accept_url(request)},
    )
