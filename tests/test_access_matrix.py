"""Every kind of user × every access level, on every surface this part of the portal has."""

import pytest
from django.test import Client
from django.utils.html import strip_tags

from cms.access import policy
from cms.delivery.links import signed_download_url
from cms.models import DocumentVersion
from tests import factories
from tests.helpers import client_for, refetch

LEVELS = ["public", "signed_in", "nda", "restricted_listed", "restricted_hidden"]
USERS = [
    "anonymous",
    "personal",
    "personal_nda",
    "member",
    "member_nda",
    "other_org",
    "group_member",
]
SIGNED_IN = set(USERS) - {"anonymous"}

SEES_METADATA = {
    "public": set(USERS),
    "signed_in": set(USERS),
    "nda": set(USERS),
    "restricted_listed": set(USERS),
    "restricted_hidden": {"member", "member_nda", "group_member"},
}
MAY_DOWNLOAD = {
    "public": set(USERS),
    "signed_in": SIGNED_IN,
    # An organization account with the current NDA accepted, whichever organization.
    "nda": {"member_nda", "other_org"},
    "restricted_listed": {"member", "member_nda"},
    "restricted_hidden": {"member", "member_nda", "group_member"},
}


@pytest.fixture(scope="module")
def module_matrix(module_users, django_db_blocker):
    with django_db_blocker.unblock():
        return build_matrix(module_users)


@pytest.fixture
def matrix(module_matrix, shared_users):
    """This module's users and documents, built once (see ``module_db``), afresh for a test."""
    _users, docs, category = module_matrix
    return shared_users, refetch(docs), category


def build_matrix(users):
    category = factories.category(section="data-protection")
    customer, group = users["customer_org"], users["customer_group"]
    docs = {
        "public": factories.document("public", category_obj=category),
        "signed_in": factories.document("signed_in", category_obj=category),
        "nda": factories.document("nda", category_obj=category),
        "restricted_listed": factories.document(
            "restricted", category_obj=category, listed=True, organizations=[customer]
        ),
        "restricted_hidden": factories.document(
            "restricted", category_obj=category, organizations=[customer], groups=[group]
        ),
    }
    return users, docs, category


def download_url(version, user, language="en"):
    return signed_download_url(version.pk, language, user)


@pytest.mark.django_db
@pytest.mark.parametrize("who", USERS)
def test_policy_functions(matrix, who):
    users, docs, _category = matrix
    user = users[who]
    visible = set(policy.visible_documents(user).values_list("pk", flat=True))
    versions = DocumentVersion.objects.filter(document__in=docs.values())
    downloadable = set(
        policy.downloadable_versions(user, versions).values_list("document_id", flat=True)
    )
    for level, doc in docs.items():
        assert (doc.pk in visible) == (who in SEES_METADATA[level]), level
        assert policy.can_view(user, doc) == (who in SEES_METADATA[level]), level
        version = doc.versions.get()
        assert bool(policy.can_download(user, version)) == (who in MAY_DOWNLOAD[level]), level
        assert (doc.pk in downloadable) == (who in MAY_DOWNLOAD[level]), level


@pytest.mark.django_db
@pytest.mark.parametrize("who", USERS)
def test_listing_and_search_pages(matrix, who):
    users, docs, category = matrix
    client = client_for(users[who])
    listing = client.get(f"/en/trust-documents/?category={category.slug}")
    search = client.get("/en/search/", {"q": "Summary of test-doc", "category": category.slug})
    for response in (listing, search):
        assert response.status_code == 200
        # Compare text, not markup: search results wrap the matched words in <mark>.
        html = strip_tags(response.content.decode())
        for level, doc in docs.items():
            shown = who in SEES_METADATA[level]
            if response is search and level == "restricted_listed":
                # Searched by words of the summary: found only by those who may read it (the
                # others find it by its title alone, tests/test_search_reading_rights.py).
                shown = who in MAY_DOWNLOAD[level]
            assert (doc.title in html) == shown, level
        # A listed restricted document shows its title, never its summary, to the unentitled.
        listed = docs["restricted_listed"]
        assert (listed.summary in html) == (who in MAY_DOWNLOAD["restricted_listed"])


@pytest.mark.django_db
@pytest.mark.parametrize("who", USERS)
def test_document_page_and_download(matrix, who):
    users, docs, _category = matrix
    client = client_for(users[who])
    for level, doc in docs.items():
        page = client.get(f"/en/documents/{doc.slug}/")
        version = doc.versions.get()
        download = client.get(download_url(version, users[who]))
        if who not in SEES_METADATA[level]:
            # Forbidden and nonexistent look the same.
            assert page.status_code == 404 and download.status_code == 404, level
            continue
        assert page.status_code == 200, level
        if who in MAY_DOWNLOAD[level]:
            assert download.status_code == 200, level
            assert download["Content-Disposition"].startswith("attachment")
            assert download["Content-Security-Policy"] == "default-src 'none'"
            assert b"".join(download.streaming_content).startswith(b"%PDF")
            assert "/download/" in page.content.decode()
        elif who == "anonymous":
            assert download.status_code == 302 and "/accounts/login/" in download["Location"], level
            assert "Sign in to download" in page.content.decode()
        else:
            assert download.status_code == 403, level
            assert "/download/" not in page.content.decode()


@pytest.mark.django_db
def test_unpublished_and_draft_content_is_invisible():
    draft = factories.document("public", publish=False)
    live = factories.document("public")
    unpublished_version = factories.version(live, label="v9", publish=False)
    client = Client()
    assert client.get(f"/en/documents/{draft.slug}/").status_code == 404
    assert client.get(download_url(draft.versions.get(), None)).status_code == 404
    assert client.get(download_url(unpublished_version, None)).status_code == 404
    assert "v9" not in client.get(f"/en/documents/{live.slug}/").content.decode()


@pytest.mark.django_db
def test_superseded_versions_stay_downloadable_for_the_retention_period(settings):
    from datetime import date, timedelta

    settings.TRUSTPORTAL_VERSION_RETENTION_DAYS = 365
    doc = factories.document("public", versions=0)
    today = date.today()
    ancient = factories.version(doc, "2019", published_on=today - timedelta(days=800))
    recent = factories.version(doc, "2025", published_on=today - timedelta(days=100))
    current = factories.version(doc, "2026", published_on=today - timedelta(days=10))
    client = Client()
    assert client.get(download_url(current, None)).status_code == 200
    assert client.get(download_url(recent, None)).status_code == 200
    assert client.get(download_url(ancient, None)).status_code == 404
    page = client.get(f"/en/documents/{doc.slug}/").content.decode()
    assert "2019" in page and "No longer available" in page  # still listed under all versions
    # The current version never expires, however old.
    lone = factories.document("public", versions=0)
    old_current = factories.version(lone, "2010", published_on=today - timedelta(days=5000))
    assert client.get(download_url(old_current, None)).status_code == 200


@pytest.mark.django_db
def test_per_language_files():
    from cms.models import VersionFile
    from tests.factories import pdf_file

    doc = factories.document("public")
    version = doc.versions.get()
    VersionFile.objects.create(version=version, language="de", file=pdf_file("bericht.pdf"))
    client = Client()
    german = client.get(download_url(version, None, "de"))
    assert german.status_code == 200 and "bericht.pdf" in german["Content-Disposition"]
    english = client.get(download_url(version, None, "en"))
    assert f"{doc.slug}-v1.pdf" in english["Content-Disposition"]
    # A language without its own file falls back to the first file.
    fallback = client.get(download_url(version, None, "ja"))
    assert fallback.status_code == 200 and f"{doc.slug}-v1.pdf" in fallback["Content-Disposition"]


@pytest.mark.django_db
def test_personal_accounts_get_what_the_setting_allows(matrix, settings):
    users, docs, _category = matrix
    personal, member = users["personal"], users["member"]
    signed_in_version = docs["signed_in"].versions.get()
    assert policy.can_download(personal, signed_in_version)
    settings.TRUSTPORTAL_PERSONAL_ACCOUNT_LEVELS = ["public"]
    denied = policy.can_download(personal, signed_in_version)
    assert not denied and denied.reason == "organization"
    assert policy.can_download(member, signed_in_version)  # organization accounts are unaffected
    page = client_for(personal).get(f"/en/documents/{docs['signed_in'].slug}/").content.decode()
    assert "Organization account required" in page


@pytest.mark.django_db
def test_unapproved_members_are_personal_accounts(matrix):
    from cms.models import Membership

    users, docs, _category = matrix
    member = users["member_nda"]
    nda_version = docs["nda"].versions.get()
    assert policy.can_download(member, nda_version)
    # As the admin's membership form does: a save, which changes the member's profile.
    membership = Membership.objects.get(user=member)
    membership.approved = False
    membership.save()
    member = type(member).objects.get(pk=member.pk)  # a new request: nothing cached
    assert policy.can_download(member, nda_version).reason == "organization"
    assert not policy.can_view(member, docs["restricted_hidden"])
