"""Dates read one way everywhere a reader sees them, in their language: the month as a word, so
3 November 2026 is never taken for 11 March (sites/formats/). Machine formats stay ISO."""

import re
from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.utils import translation
from django.utils.formats import date_format
from wagtail.users.models import UserProfile

from cms.access.requests import record_decision
from cms.models import AccessRequest
from plugins.library.models import SavedDocument
from tests import factories
from tests.helpers import client_for

LANGUAGES = ["en", "de", "fr", "es", "ja"]
PUBLISHED = date(2026, 11, 3)
AUDIT_START = date(2026, 5, 3)

#: 3 November 2026 and 3 May 2026 as each language writes them.
EXPECTED = {
    "en": ("3 Nov 2026", "3 May 2026"),
    "de": ("3. Nov. 2026", "3. Mai 2026"),
    "fr": ("3 nov. 2026", "3 mai 2026"),
    "es": ("3 nov 2026", "3 may 2026"),
    "ja": ("2026年11月3日", "2026年5月3日"),
}

#: A date written with numbers only (11/03/2026, 03.11.2026) or month first (Nov. 3, 2026;
#: November 3, 2026): what no reader may be shown.
AMBIGUOUS = re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.]20\d\d\b|\b[A-Z][a-z]{2,8}\.? \d{1,2}, 20\d\d\b")


def assert_unambiguous(html: str) -> None:
    """No ambiguous date in what the reader reads: the text, not markup (an ISO date in a
    ``value`` or ``datetime`` attribute is for machines)."""
    text = re.sub(r"<[^>]*>", " ", html)
    assert not AMBIGUOUS.findall(text), AMBIGUOUS.findall(text)


@pytest.fixture
def dated_document(db):
    doc = factories.document("public", published_on=PUBLISHED)
    doc.audit_period_start, doc.audit_period_end = AUDIT_START, PUBLISHED
    doc.save_revision().publish()
    return doc


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_format_of_each_language(language):
    with translation.override(language):
        assert date_format(PUBLISHED, "DATE_FORMAT") == EXPECTED[language][0]
        assert date_format(AUDIT_START) == EXPECTED[language][1]
        # The short formats are the long ones: no template can bring "11/03/2026" back.
        assert date_format(PUBLISHED, "SHORT_DATE_FORMAT") == EXPECTED[language][0]
        moment = datetime(2026, 11, 3, 14, 5, tzinfo=UTC)
        assert date_format(moment, "SHORT_DATETIME_FORMAT").startswith(EXPECTED[language][0])
        assert date_format(moment, "DATETIME_FORMAT").endswith("14:05")


@pytest.mark.parametrize("language", LANGUAGES)
def test_document_card_shows_the_date_in_the_readers_language(dated_document, language):
    listing = client_for(None).get(
        f"/{language}/trust-documents/?category={dated_document.category.slug}"
    )
    assert listing.status_code == 200
    html = listing.content.decode()
    assert dated_document.title in html
    assert f"v1 · {EXPECTED[language][0]}</span>" in html
    assert_unambiguous(html)


@pytest.mark.parametrize("language", LANGUAGES)
def test_document_page_shows_versions_and_audit_period_in_the_readers_language(
    dated_document, language
):
    page = client_for(None).get(f"/{language}/documents/{dated_document.slug}/")
    assert page.status_code == 200
    html = page.content.decode()
    published, audit_start = EXPECTED[language]
    assert f"<dd>{audit_start} – {published}</dd>" in html
    assert f"<td>{published}</td>" in html
    assert_unambiguous(html)


@pytest.mark.parametrize("language", LANGUAGES)
def test_my_library_shows_the_date_in_the_readers_language(users, dated_document, language):
    SavedDocument.objects.create(user=users["member"], document=dated_document)
    html = client_for(users["member"]).get(f"/{language}/library/").content.decode()
    assert f"v1 · {EXPECTED[language][0]}</span>" in html
    assert_unambiguous(html)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_access_decision_email_dates_in_the_requesters_language(
    users, dated_document, language
):
    requester = users["member"]
    requester.email = "member@customer.test"
    requester.save()
    profile = UserProfile.get_for_user(requester)
    profile.preferred_language = language
    profile.save()
    access_request = AccessRequest.objects.create(
        user=requester,
        document=dated_document,
        reason="audit",
        status=AccessRequest.Status.APPROVED,
        expires_at=datetime(2026, 11, 3, 12, 0, tzinfo=UTC),
    )
    record_decision(access_request, users["member_nda"])
    [message] = mail.outbox
    assert EXPECTED[language][0] in message.body
    assert_unambiguous(message.body)


def test_date_inputs_keep_iso_values_and_the_active_filter_reads_as_a_date(dated_document):
    html = (
        client_for(None)
        .get("/de/trust-documents/?updated_from=2026-11-03&updated_to=2026-11-30")
        .content.decode()
    )
    # The input's value is ISO (the browser shows it in the reader's locale)...
    assert 'type="date" id="updated-from" name="updated_from" value="2026-11-03"' in html
    # ...and the active filter reads as a date in the page's language.
    assert "3. Nov. 2026 <span" in html and "30. Nov. 2026 <span" in html
    assert dated_document.title in html


@pytest.mark.parametrize("value", ["11/03/2026", "2026-13-45", "tomorrow", "x" * 500])
def test_a_bad_date_in_the_query_is_named_not_a_500(dated_document, value):
    response = client_for(None).get("/en/trust-documents/", {"updated_from": value})
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a date (YYYY-MM-DD); that filter was left out." in html
    assert dated_document.title in html  # the filter left out, the listing still answers
    assert 'name="updated_from" value=""' in html


def test_a_bad_date_is_named_in_the_readers_language(db):
    html = client_for(None).get("/de/trust-documents/?updated_to=2026-02-30").content.decode()
    assert "„2026-02-30“ ist kein Datum (JJJJ-MM-TT)" in html
