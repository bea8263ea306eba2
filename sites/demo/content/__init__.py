"""The demo portal's content, by concern: taxonomy, documents, translations."""

from .documents import DOCUMENTS
from .taxonomy import ALL_SERVICES, CATEGORIES, INDUSTRIES, REGIONS, SERVICES, STANDARDS
from .translations import (
    CATEGORY_TRANSLATIONS,
    CHANGE_NOTES,
    DOCUMENT_TRANSLATIONS,
    LANGUAGES,
    NDA,
    PAGE_TRANSLATIONS,
    PAGES,
    TERMS,
    catalogue,
    document_texts,
)

__all__ = [
    "ALL_SERVICES",
    "CATEGORIES",
    "CATEGORY_TRANSLATIONS",
    "CHANGE_NOTES",
    "DOCUMENTS",
    "DOCUMENT_TRANSLATIONS",
    "INDUSTRIES",
    "LANGUAGES",
    "NDA",
    "PAGES",
    "PAGE_TRANSLATIONS",
    "REGIONS",
    "SERVICES",
    "STANDARDS",
    "TERMS",
    "catalogue",
    "document_texts",
]
