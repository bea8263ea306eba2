"""What the endpoints over the reader site's pages share (starter packs, industries, regions).

They read the live, public pages of the source locale, so lookups by slug, filters and counts do
not depend on the language asked for; each page is then shown through its live translation in
that language, fetched in bulk (``cms.i18n.Localizer``), as the site's listings show documents.
"""

from __future__ import annotations

from django.db.models import QuerySet
from ninja import Field, Path, Query, Schema
from wagtail.rich_text import expand_db_html

from cms.api.common import MAX_LIMIT
from cms.i18n import default_locale

#: Wagtail page slugs may hold any letter (WAGTAIL_ALLOW_UNICODE_SLUGS), digits, - and _.
SLUG_PATTERN = r"^[-\w]+$"
LIST_PARAMETERS = {"limit", "offset", "locale"}
LOCALE_DESCRIPTION = "Language of the answer, e.g. de"


class PageListQuery(Schema):
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)
    locale: str | None = Field(None, description=LOCALE_DESCRIPTION)


def locale_parameter():
    """The ``?locale=`` of an endpoint without a query schema (``activate_locale`` applies it)."""
    return Query(None, description=LOCALE_DESCRIPTION)


def slug_parameter(example: str):
    return Path(..., pattern=SLUG_PATTERN, max_length=255, examples=[example])


def source_pages(model) -> QuerySet:
    """Live pages of ``model`` in the source locale that anyone may open (pages behind a
    password, a sign-in or a group restriction stay on the site, as in Wagtail's pages API)."""
    return model.objects.live().public().filter(locale=default_locale())


def page_of(queryset: QuerySet, query: PageListQuery, summarize) -> dict:
    """One page of a list endpoint: total count, the window asked for, and ``summarize(pages)``
    of the pages in it (each endpoint's summaries are fetched in bulk, once per page)."""
    pages = list(queryset[query.offset : query.offset + query.limit])
    return dict(
        count=queryset.count(), limit=query.limit, offset=query.offset, items=summarize(pages)
    )


def display_html(rich_text: str) -> str:
    """Rich text as readers see it: internal links and embeds resolved, not Wagtail's
    database HTML."""
    return expand_db_html(rich_text or "")


def page_url(request, page) -> str | None:
    url = page.get_url(request)
    return request.build_absolute_uri(url) if url else None
