"""My Library in the headless API: the same shelf, the same access policy as the site."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import Http404
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import SessionAuth
from wagtail.api.v3.auth import BearerTokenAuth

from cms.api.common import MAX_LIMIT, BodyId, activate_locale, reject_unknown_parameters
from cms.models import StarterPackPage
from search.cards import source_documents, starter_pack_documents

from . import shelf
from .models import SavedDocument

# Signed-in callers only: an anonymous reader has no library (401).
router = Router(tags=["library"], auth=[BearerTokenAuth(), SessionAuth()])
SLUG = r"^[-a-zA-Z0-9_]+$"


class UpdateSchema(Schema):
    #: A new version, or the series published with a new update note.
    kind: Literal["version", "note"]
    #: The version's label; null for an update note.
    version: str | None
    published_on: date
    #: What changed (the version's description or the note), in the caller's language.
    description: str


class LibraryItem(Schema):
    #: Null when the document is no longer available to the caller (nothing else is told).
    slug: str | None
    title: str | None
    available: bool
    saved_at: datetime
    current_version: str | None
    #: The latest update (current version or update note) when it came out within the last
    #: 30 days (the "updated" flag).
    recent_update: UpdateSchema | None
    locked: str | None
    html_url: str | None


class LibraryPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[LibraryItem]


class SaveRequest(Schema):
    documents: list[str] = Field(default_factory=list, max_length=200)
    starter_pack: BodyId | None = Field(None, description="Save every document of this pack")


class SaveResult(Schema):
    saved: list[str]


class ListQuery(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)
    locale: str | None = None


def _item(entry: shelf.Entry, request) -> LibraryItem:
    card = entry.card
    if card is None:
        return LibraryItem(
            slug=None,
            title=None,
            available=False,
            saved_at=entry.saved.saved_at,
            current_version=None,
            recent_update=None,
            locked=None,
            html_url=None,
        )
    update = entry.update
    current = card.current_version
    return LibraryItem(
        slug=card.document.slug,
        title=card.title,
        available=True,
        saved_at=entry.saved.saved_at,
        current_version=current.version_label if current else None,
        recent_update=UpdateSchema(
            kind="version" if update.version else "note",
            version=update.version.version_label if update.version else None,
            published_on=update.published_on,
            description=update.description,
        )
        if update
        else None,
        locked=card.lock or None,
        html_url=request.build_absolute_uri(card.url),
    )


@router.get("/", response=LibraryPage, operation_id="library_list", summary="My Library")
def list_library(request, query: Query[ListQuery]):
    """The caller's saved documents, newest first; ones no longer available have no title."""
    reject_unknown_parameters(request, {"limit", "offset", "locale"})
    activate_locale(request)
    saved = SavedDocument.objects.filter(user=request.user)
    rows = list(saved[query.offset : query.offset + query.limit])
    return LibraryPage(
        count=saved.count(),
        limit=query.limit,
        offset=query.offset,
        items=[_item(entry, request) for entry in shelf.entries(request.user, rows)],
    )


@router.post(
    "/", response=SaveResult, operation_id="library_save", summary="Save documents to My Library"
)
def save_documents(request, body: SaveRequest):
    reject_unknown_parameters(request, set())
    user = request.user
    if not body.documents and body.starter_pack is None:
        raise HttpError(400, "Name documents (slugs) or a starter_pack.")
    ids = list(source_documents(user).filter(slug__in=body.documents).values_list("pk", flat=True))
    if body.starter_pack is not None:
        pack = StarterPackPage.objects.live().filter(pk=body.starter_pack).first()
        if pack is None:
            raise Http404("No such starter pack.")
        ids += [card.document.pk for card in starter_pack_documents(request, pack)]
    saved = shelf.save(user, ids)
    if not saved:
        raise Http404("No such document.")
    slugs = source_documents(user).filter(pk__in=saved).values_list("slug", flat=True)
    return SaveResult(saved=sorted(slugs))


@router.delete(
    "/{slug}/",
    response={204: None},
    operation_id="library_remove",
    summary="Remove a document from My Library",
)
def remove_document(request, slug: str = Path(..., pattern=SLUG)):
    reject_unknown_parameters(request, set())
    user = request.user
    removed = SavedDocument.objects.filter(user=user, document__slug=slug).delete()[0]
    if not removed:
        raise Http404("Not in your library.")
    return Status(204, None)
