"""The one access policy: who may see a document's metadata, who may download its files."""

from .levels import AccessLevel
from .policy import Decision, can_download, can_view, downloadable_versions, visible_documents

__all__ = [
    "AccessLevel",
    "Decision",
    "can_download",
    "can_view",
    "downloadable_versions",
    "visible_documents",
]
