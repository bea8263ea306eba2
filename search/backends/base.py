"""What the portal asks of a search backend. Every backend subclasses ``SearchBackend``; the
setting ``TRUSTPORTAL_SEARCH_BACKEND`` names the class (see ``search.backends.get_backend``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from django.db.models import QuerySet

from cms.access.policy import ReadingRights


class SearchBackend(ABC):
    #: A short name for logs and the readiness report.
    name: str = ""

    @abstractmethod
    def check_reachable(self) -> None:
        """Readiness: raise unless the backend can answer now, quickly (a probe must not
        hang). A backend living in the database has nothing to add to the database's check."""

    @abstractmethod
    def filter_documents(self, queryset: QuerySet, text: str, rights: ReadingRights) -> QuerySet:
        """The documents of ``queryset`` (already access-checked) that match ``text`` in what
        their reader may read of them (``rights``: titles always, summaries and terms of
        ``rights.described``, the text of files of ``rights.readable``); ``queryset`` itself
        when ``text`` has no searchable word."""

    @abstractmethod
    def rank(self, queryset: QuerySet, text: str, rights: ReadingRights) -> QuerySet:
        """``queryset`` ordered by relevance to ``text`` in what its reader may read of each
        document (``rights``, as ``filter_documents``), best first."""

    def listing(self, user, query, section: str | None = None) -> Any | None:
        """A whole reader listing for ``query`` (a ``search.query.DocumentQuery`` with words),
        answered by the backend in one go: an object that counts, slices and iterates like a
        queryset of source documents, with ``facets`` (``{filter: {value: count}}``), all under
        the access policy. None (the default) lets the database build the listing with
        ``filter_documents`` and ``rank``."""
        return None
