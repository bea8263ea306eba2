import sys

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from sites import database_outage


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """Rendered without context processors: the menu and settings need the database, which
    may be exactly what failed. Django calls it from inside the ``except`` block of whatever a
    view or a middleware raised: a database that cannot be reached is a 503, not a 500."""
    unavailable = database_outage.answer_for(request, sys.exc_info()[1])
    if unavailable is not None:
        return unavailable
    return HttpResponseServerError(loader.get_template("500.html").render({}))
