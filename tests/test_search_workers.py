"""The search index follows taxonomy changes through a real queue and worker: a Redis server
and a ``manage.py rqworker`` process on the test database (fixtures in tests/conftest.py).

These tests commit (the worker is another process): they run outside test transactions and
remove what they made.
"""

from __future__ import annotations

from django.test import Client
from wagtail.models import Locale

from tests import factories
from tests.notification_helpers import wait_until

API = "/api/v3/trust-documents/"


def found(query: dict) -> list[str]:
    return [item["slug"] for item in Client().get(API, query).json()["items"]]


def test_a_renamed_and_a_translated_term_reach_the_index_through_a_worker(
    on_the_queue, workers, cleanup
):
    standard = factories.term(factories.Standard, "Okapi framework")
    document = factories.document("public", title="Unrelated title", standards=[standard])
    cleanup["documents"].append(document)
    german = None
    try:
        assert found({"q": "okapi"}) == [document.slug]  # indexed inline, as it was built
        on_the_queue()
        standard.name = "Pangolin framework"
        standard.save()
        german = standard.copy_for_translation(Locale.objects.get(language_code="de"))
        german.name = "Schuppentier-Rahmenwerk"
        german.save()
        # The jobs wait on the queue: nothing has reindexed the document yet.
        assert found({"q": "pangolin"}) == []
        assert found({"q": "Schuppentier", "locale": "de"}) == []

        workers()
        assert wait_until(lambda: found({"q": "pangolin"}) == [document.slug])
        assert wait_until(lambda: found({"q": "Schuppentier", "locale": "de"}) == [document.slug])
        assert found({"q": "okapi"}) == []
    finally:
        document.delete()
        if german is not None:
            german.delete()
        standard.delete()
