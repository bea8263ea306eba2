"""The subprocessors list and the security FAQ in the headless API: the same content, the same
access policy as the reader site (an FAQ answer is null, with the reason, for a caller who may not
read it, and a search never matches it)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Query, Router, Schema

from cms.api.common import READER_AUTH, PageQuery, activate_locale, reject_unknown_parameters

from . import queries

router = Router(tags=["trust center"], auth=READER_AUTH)


class SubprocessorSchema(Schema):
    name: str
    #: In the caller's language.
    purpose: str
    location: str
    website: str
    since: date


class SubprocessorList(Schema):
    count: int
    limit: int
    offset: int
    #: When the list last changed (a subprocessor added, changed or removed); null before any.
    last_changed: datetime | None
    items: list[SubprocessorSchema]


class FaqSchema(Schema):
    #: The same in every language.
    key: str
    question: str
    category: str
    #: Who may read the answer: public, signed_in or nda.
    access_level: str
    #: The answer (HTML); null when the caller may not read it.
    answer: str | None
    #: Why the answer is withheld: sign_in, organization or nda; null when it is not.
    locked: str | None


class FaqList(Schema):
    count: int
    limit: int
    offset: int
    items: list[FaqSchema]


class SubprocessorQuery(PageQuery):
    locale: str | None = None


class FaqQuery(PageQuery):
    q: str = Field("", max_length=queries.MAX_QUERY_LENGTH)
    locale: str | None = None


@router.get(
    "/subprocessors/",
    response=SubprocessorList,
    operation_id="trust_center_subprocessors",
    summary="Subprocessors",
)
def list_subprocessors(request, query: Query[SubprocessorQuery]):
    """Third parties that process customer data, by name, in the request's language."""
    reject_unknown_parameters(request, {"limit", "offset", "locale"})
    activate_locale(request)
    rows = queries.subprocessors()
    return SubprocessorList(
        count=rows.count(),
        limit=query.limit,
        offset=query.offset,
        last_changed=queries.last_changed(),
        items=[
            SubprocessorSchema(
                name=row.name,
                purpose=row.purpose,
                location=row.location,
                website=row.website,
                since=row.since,
            )
            for row in rows[query.offset : query.offset + query.limit]
        ],
    )


@router.get("/faq/", response=FaqList, operation_id="trust_center_faq", summary="Security FAQ")
def list_faq(request, query: Query[FaqQuery]):
    """The security FAQ in order, searched with ``?q=`` (questions and categories, and the
    answers the caller may read)."""
    reject_unknown_parameters(request, {"limit", "offset", "locale", "q"})
    activate_locale(request)
    entries = queries.faq_entries(request.user, query.q)
    page = entries[query.offset : query.offset + query.limit]
    return FaqList(
        count=entries.count(),
        limit=query.limit,
        offset=query.offset,
        items=[
            FaqSchema(
                key=entry.key,
                question=entry.question,
                category=entry.category,
                access_level=entry.access_level,
                answer=None if entry.lock else entry.answer,
                locked=entry.lock or None,
            )
            for entry in queries.as_questions(request.user, page)
        ],
    )
