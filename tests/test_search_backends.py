"""The search backends share one declared interface, and the database search refuses, loudly
and at start-up, a database it cannot index."""

from __future__ import annotations

import inspect

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import NotSupportedError, connection
from django.test import override_settings

from cms.access import policy
from cms.models import TrustDocument
from search import backends, text_query
from search.backends.base import SearchBackend
from search.backends.database import DatabaseBackend
from search.backends.elasticsearch import ElasticsearchBackend

SHIPPED = [DatabaseBackend, ElasticsearchBackend]


@pytest.mark.parametrize("backend_class", SHIPPED, ids=lambda cls: cls.__name__)
def test_every_shipped_backend_implements_the_declared_interface(backend_class):
    backend = backend_class()  # an abstract method left out would raise TypeError here
    assert isinstance(backend, SearchBackend)
    assert backend.name
    for name in ("check_reachable", "filter_documents", "rank", "listing"):
        declared = inspect.signature(getattr(SearchBackend, name))
        implemented = inspect.signature(getattr(backend_class, name))
        # Same positional parameters; a backend may add keyword-only ones with defaults.
        positional = [p.name for p in implemented.parameters.values() if p.kind != p.KEYWORD_ONLY]
        assert positional == list(declared.parameters), (backend_class, name)


def test_only_the_engine_answers_whole_listings():
    assert DatabaseBackend().listing(None, None) is None
    assert "listing" in vars(ElasticsearchBackend)


class HalfABackend:
    """Has the methods, not the base: a guess the portal no longer makes."""

    name = "half"

    def filter_documents(self, queryset, text, rights):
        return queryset

    def rank(self, queryset, text, rights):
        return queryset


def test_a_backend_setting_that_names_no_search_backend_fails_loudly():
    with override_settings(TRUSTPORTAL_SEARCH_BACKEND=f"{__name__}.HalfABackend"):
        with pytest.raises(ImproperlyConfigured, match="SearchBackend"):
            backends.get_backend()
    with override_settings(TRUSTPORTAL_SEARCH_BACKEND="search.backends.database.DatabaseBackend"):
        assert isinstance(backends.get_backend(), DatabaseBackend)


def test_a_backend_missing_a_method_cannot_be_built():
    class NoRank(SearchBackend):
        def check_reachable(self):
            pass

        def filter_documents(self, queryset, text, rights):
            return queryset

    with pytest.raises(TypeError, match="rank"):
        NoRank()


def test_the_system_check_accepts_this_database_and_refuses_another(monkeypatch):
    assert [e.id for e in checks.run_checks() if e.id == "trustsearch.E001"] == []
    monkeypatch.setattr(connection, "vendor", "mysql")
    errors = [e for e in checks.run_checks() if e.id == "trustsearch.E001"]
    assert len(errors) == 1
    assert errors[0].level == checks.ERROR and "mysql" in errors[0].msg


@pytest.mark.django_db
def test_searching_an_unsupported_database_raises_instead_of_finding_nothing(monkeypatch):
    rights = policy.reading_rights(None)
    monkeypatch.setattr(connection, "vendor", "mysql")
    with pytest.raises(NotSupportedError, match="mysql"):
        text_query.matching_condition("soc report", "en", rights)
    with pytest.raises(NotSupportedError, match="mysql"):
        text_query.ranked_by_join(TrustDocument.objects.all(), "soc report", "en", rights)
    with pytest.raises(NotSupportedError, match="mysql"):
        text_query.rank_expression("soc report", "en", rights)
