"""Builders of published content for tests (each call makes fresh, uniquely named objects)."""

from __future__ import annotations

import itertools
from datetime import date

from django.core.files.base import ContentFile
from wagtail.models import Locale

from cms.models import Category, DocumentVersion, Service, Standard, TrustDocument, VersionFile
from sites.demo.pdf import render_document_pdf

_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}"


def category(section: str = "audit-reports", name: str | None = None) -> Category:
    slug = unique("test-category")
    return Category.objects.create(
        name=name or slug, slug=slug, section=section, locale=Locale.get_default()
    )


def term(model, name: str | None = None):
    slug = unique(f"test-{model.__name__.lower()}")
    return model.objects.create(name=name or slug, slug=slug, locale=Locale.get_default())


def pdf_file(name: str = "report.pdf") -> ContentFile:
    return ContentFile(render_document_pdf("Test", "1", date(2026, 1, 1), "s", "c"), name=name)


def document(
    access_level: str = "public",
    *,
    title: str | None = None,
    category_obj: Category | None = None,
    listed: bool = False,
    groups=(),
    organizations=(),
    services=(),
    standards=(),
    versions: int = 1,
    publish: bool = True,
    published_on: date | None = None,
) -> TrustDocument:
    slug = unique("test-doc")
    doc = TrustDocument.objects.create(
        locale=Locale.get_default(),
        slug=slug,
        title=title or f"Document {slug}",
        summary=f"Summary of {slug}",
        category=category_obj or category(),
        access_level=access_level,
        restricted_listed=listed,
        live=False,  # as the admin creates it: a draft until published
    )
    doc.restricted_groups.set(groups)
    doc.restricted_organizations.set(organizations)
    doc.services.set(services)
    doc.standards.set(standards)
    if publish:
        doc.save_revision().publish()
    for number in range(1, versions + 1):
        version(
            doc,
            label=f"v{number}",
            published_on=published_on or date(2026, 1, number),
            publish=publish,
        )
    return doc


def version(
    doc: TrustDocument, label: str = "v1", published_on: date | None = None, publish: bool = True
) -> DocumentVersion:
    ver = DocumentVersion.objects.create(
        locale=doc.locale,
        document=doc,
        version_label=label,
        published_on=published_on or date.today(),
        change_description=f"Changes in {label}",
        live=False,
    )
    VersionFile.objects.create(version=ver, language="en", file=pdf_file(f"{doc.slug}-{label}.pdf"))
    if publish:
        ver.save_revision().publish()
    return ver


def update_note(doc: TrustDocument, text: str) -> TrustDocument:
    """Publish the series with the update note ``text``, as an editor does."""
    doc.refresh_from_db()
    doc.update_note = text
    doc.save_revision().publish()
    return doc


__all__ = [
    "Service",
    "Standard",
    "category",
    "document",
    "term",
    "update_note",
    "version",
    "unique",
]
