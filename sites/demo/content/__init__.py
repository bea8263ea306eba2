"""The demo portal's content, by concern: taxonomy, documents, translations."""

from .documents import DOCUMENTS
from .taxonomy import ALL_SERVICES, CATEGORIES, INDUSTRIES, REGIONS, SERVICES, STANDARDS
from .translations import CATEGORY_TRANSLATIONS, DOCUMENT_TRANSLATIONS, PAGE_TRANSLATIONS

__all__ = [
    "ALL_SERVICES",
    "CATEGORIES",
    "CATEGORY_TRANSLATIONS",
    "DOCUMENTS",
    "DOCUMENT_TRANSLATIONS",
    "INDUSTRIES",
    "PAGE_TRANSLATIONS",
    "REGIONS",
    "SERVICES",
    "STANDARDS",
]
