"""The documents' "updated" date (the publish date of their newest live version), which the
listings sort and filter by: it follows every version change and survives the series' own
revisions."""

from datetime import date

import pytest
from django.test import Client

from cms.models import DocumentVersion, TrustDocument
from tests import factories


def _updated_on(document) -> date | None:
    return TrustDocument.objects.get(pk=document.pk).updated_on


@pytest.mark.django_db
def test_the_date_follows_publishing_withdrawing_and_deleting_versions():
    document = factories.document("public", published_on=date(2025, 3, 1))
    assert _updated_on(document) == date(2025, 3, 1)
    newer = factories.version(document, "v2", published_on=date(2026, 2, 1))
    assert _updated_on(document) == date(2026, 2, 1)
    # A draft version is not what readers see.
    factories.version(document, "v3", published_on=date(2026, 6, 1), publish=False)
    assert _updated_on(document) == date(2026, 2, 1)
    DocumentVersion.objects.get(pk=newer.pk).unpublish()
    assert _updated_on(document) == date(2025, 3, 1)
    document.versions.filter(live=True).delete()
    assert _updated_on(document) is None


@pytest.mark.django_db
def test_publishing_an_older_revision_of_the_series_keeps_the_date():
    document = factories.document("public", published_on=date(2025, 3, 1))
    old_revision = document.latest_revision
    factories.version(document, "v2", published_on=date(2026, 2, 1))
    old_revision.publish()
    assert _updated_on(document) == date(2026, 2, 1)


@pytest.mark.django_db
def test_listings_sort_and_filter_by_the_newest_live_version():
    category = factories.category(section="blueprints")
    older = factories.document("public", category_obj=category, published_on=date(2024, 5, 1))
    newer = factories.document("public", category_obj=category, published_on=date(2025, 5, 1))
    url = f"/api/v3/trust-documents/?category={category.slug}&sort=date"
    assert [d["slug"] for d in Client().get(url).json()["items"]] == [newer.slug, older.slug]

    factories.version(older, "v2", published_on=date(2026, 1, 15))
    answer = Client().get(url).json()
    assert [d["slug"] for d in answer["items"]] == [older.slug, newer.slug]
    in_2026 = Client().get(f"{url}&updated_from=2026-01-01").json()
    assert [d["slug"] for d in in_2026["items"]] == [older.slug]
    assert in_2026["count"] == 1


@pytest.mark.django_db
def test_rebuilding_the_index_repairs_dates_of_content_written_without_save():
    from io import StringIO

    from django.core.management import call_command

    category = factories.category(section="blueprints")
    document = factories.document("public", category_obj=category, published_on=date(2024, 5, 1))
    # A bulk load (or raw SQL) writes a live version without its save(): the date is not kept.
    DocumentVersion.objects.bulk_create(
        [
            DocumentVersion(
                locale=document.locale,
                document=document,
                version_label="bulk",
                published_on=date(2026, 3, 1),
                live=True,
            )
        ]
    )
    url = f"/api/v3/trust-documents/?category={category.slug}&updated_from=2026-01-01"
    assert Client().get(url).json()["count"] == 0

    call_command("rebuild_search_index", stdout=StringIO())
    answer = Client().get(url).json()
    assert [d["slug"] for d in answer["items"]] == [document.slug]
