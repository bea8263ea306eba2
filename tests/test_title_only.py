"""A listed restricted document shows its title, and only its title, to readers it is not
entitled to: no summary, no description of what changed in a version, no update note — on its
page, in the API, in My Library, in the update feed and in e-mails. Entitled readers see all."""

import pytest
from django.core import mail
from django.test import Client

from plugins.library.models import SavedDocument
from plugins.notifications.models import NotificationSettings
from tests import factories
from tests.helpers import shown_count

SUMMARY = "Summary-for-the-entitled-only"
CHANGE = "Change-for-the-entitled-only"
NOTE = "Note-for-the-entitled-only"
STANDARD = "Standard-for-the-entitled-only"
SERVICE = "Service-for-the-entitled-only"
LABEL = "Label-for-the-entitled-only"
SECRETS = (SUMMARY, CHANGE, NOTE, STANDARD, SERVICE, LABEL)


@pytest.fixture
def listed(users, django_capture_on_commit_callbacks):
    """A listed restricted document entitled to the other organization, saved by everyone,
    with a version and an update note published (and mailed) after it was saved."""
    document = factories.document(
        "restricted",
        title="Listed restricted report",
        listed=True,
        organizations=[users["other_org_obj"]],
        standards=[factories.term(factories.Standard, STANDARD)],
        services=[factories.term(factories.Service, SERVICE)],
    )
    document.summary = SUMMARY
    document.save_revision().publish()
    readers = [users[name] for name in ("member", "member_nda", "other_org")]
    for reader in readers:
        SavedDocument.objects.create(user=reader, document=document)
        NotificationSettings.objects.create(
            user=reader, enabled=True, email=f"{reader.username}@example.test"
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        version = factories.version(document, LABEL)
        version.change_description = CHANGE
        version.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        factories.update_note(document, NOTE)
    return document


def _surfaces(client, document, user) -> dict[str, str]:
    token = NotificationSettings.objects.get(user=user).feed_token
    return {
        "page": client.get(f"/en/documents/{document.slug}/").content.decode(),
        "api detail": client.get(f"/api/v3/trust-documents/{document.slug}/").content.decode(),
        "api list": client.get("/api/v3/trust-documents/?q=Listed+restricted").content.decode(),
        "library": client.get("/en/library/").content.decode(),
        "library api": client.get("/api/v3/library/").content.decode(),
        "feed": Client().get(f"/en/notifications/feed/{token}.json").content.decode(),
    }


@pytest.mark.django_db
def test_readers_not_entitled_see_the_title_alone_everywhere(listed, users):
    for name in ("member", "member_nda"):
        client = Client()
        client.force_login(users[name])
        surfaces = _surfaces(client, listed, users[name])
        for surface in ("page", "api detail", "api list", "library", "library api"):
            assert "Listed restricted report" in surfaces[surface], (name, surface)
        for surface, text in surfaces.items():
            for secret in SECRETS:
                assert secret not in text, (name, surface, secret)
        mails = [m for m in mail.outbox if m.to == [f"{users[name].username}@example.test"]]
        assert mails == [], name
        detail = client.get(f"/api/v3/trust-documents/{listed.slug}/").json()
        assert detail["category"]["slug"] == listed.category.slug  # the category is shown
        assert detail["current_version"] is None and detail["versions"] == []
        assert detail["standards"] == detail["services"] == []
        assert detail["regions"] == detail["industries"] == []


@pytest.mark.django_db
def test_the_entitled_organization_sees_what_changed(listed, users):
    entitled = users["other_org"]
    client = Client()
    client.force_login(entitled)
    surfaces = _surfaces(client, listed, entitled)
    assert SUMMARY in surfaces["page"] and SUMMARY in surfaces["api detail"]
    assert CHANGE in surfaces["page"] and CHANGE in surfaces["api detail"]
    assert NOTE in surfaces["library"] and NOTE in surfaces["feed"]
    assert CHANGE in surfaces["feed"]
    for secret in (STANDARD, SERVICE, LABEL):
        assert secret in surfaces["page"] and secret in surfaces["api detail"]
    mails = [m for m in mail.outbox if m.to == [f"{entitled.username}@example.test"]]
    assert any(CHANGE in m.body for m in mails) and any(NOTE in m.body for m in mails)


# --- Filters, facets and order ask only what a reader sees of a document -------------------

READERS = [("anonymous", False), ("member", False), ("member_nda", False), ("other_org", True)]


def _reader(users, name) -> Client:
    client = Client()
    if users[name] is not None:
        client.force_login(users[name])
    return client


def _slugs(answer) -> list[str]:
    return [item["slug"] for item in answer["items"]]


@pytest.fixture
def described_by_terms(listed):
    """The listed document filed under a demo region (one with a page), next to an older public
    document of the same category."""
    from datetime import date

    from cms.models import Region

    region = Region.objects.get(slug="australia", locale__language_code="en")
    listed.regions.set([region])
    listed.save_revision().publish()
    older = factories.document(
        "public", category_obj=listed.category, published_on=date(2020, 1, 1)
    )
    return listed, region, older


@pytest.mark.django_db
@pytest.mark.parametrize("who, entitled", READERS)
def test_terms_language_and_dates_match_only_documents_described_to_the_reader(
    described_by_terms, users, who, entitled
):
    """Filtering by a standard would otherwise tell a reader of the title alone which standards
    the document covers, one guess at a time; so would its facet counts."""
    listed, region, _older = described_by_terms
    client = _reader(users, who)
    category = listed.category.slug
    asked = {
        "standard": listed.standards.get().slug,
        "service": listed.services.get().slug,
        "region": region.slug,
        "language": listed.language,
        "updated_from": "2000-01-01",
        "updated_to": "2100-12-31",
    }
    for name, value in asked.items():
        answer = client.get("/api/v3/trust-documents/", {"category": category, name: value})
        assert (listed.slug in _slugs(answer.json())) is entitled, name
        page = client.get("/en/search/", {"category": category, name: value}).content.decode()
        assert ("Listed restricted report" in page) is entitled, name

    answer = client.get("/api/v3/trust-documents/", {"category": category}).json()
    assert listed.slug in _slugs(answer)  # the title and category are shown to all
    assert answer["facets"]["category"][category] == 2
    for name in ("standard", "service", "region"):
        assert (asked[name] in answer["facets"][name]) is entitled, name
    assert answer["facets"]["language"][listed.language] == (2 if entitled else 1)
    page = client.get("/en/search/", {"category": category}).content.decode()
    # Every standard is offered; only an entitled reader's count includes this document.
    assert shown_count(page, "standard", asked["standard"], STANDARD) == (1 if entitled else 0)
    # Words of a title still find it, and filters narrow only what the words found.
    worded = {"q": "Listed restricted report", "standard": asked["standard"]}
    assert (listed.slug in _slugs(client.get("/api/v3/trust-documents/", worded).json())) is (
        entitled
    )


@pytest.mark.django_db
@pytest.mark.parametrize("who, entitled", READERS)
def test_a_document_described_by_its_title_alone_is_placed_as_undated(
    described_by_terms, users, who, entitled
):
    listed, _region, older = described_by_terms
    client = _reader(users, who)
    params = {"category": listed.category.slug, "sort": "date"}
    newest_first = _slugs(client.get("/api/v3/trust-documents/", params).json())
    assert newest_first == ([listed.slug, older.slug] if entitled else [older.slug, listed.slug])


@pytest.mark.django_db
@pytest.mark.parametrize("who, entitled", READERS)
def test_a_region_lists_and_counts_only_documents_described_to_the_reader(
    described_by_terms, users, who, entitled
):
    listed, region, _older = described_by_terms
    client = _reader(users, who)
    answer = client.get("/api/v3/regions/australia/").json()
    assert (listed.slug in [d["slug"] for d in answer["documents"]]) is entitled
    counted = {
        r["slug"]: r["document_count"] for r in client.get("/api/v3/regions/").json()["items"]
    }
    everyone = client.get("/api/v3/regions/australia/").json()["document_count"]
    assert counted["australia"] == everyone == len(answer["documents"])
