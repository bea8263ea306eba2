"""Small things readers meet: access levels worded as requirements, a marker on every pull-down
of the main menu, notification settings that say beforehand what cannot work and do not
contradict themselves, and a feedback form that knows a signed-in reader's address."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from plugins.feedback.models import Feedback
from plugins.notifications.models import NotificationSettings
from tests import factories
from tests.helpers import client_for
from tests.html_forms import submit

pytestmark = pytest.mark.django_db

REQUIREMENTS = {
    "public": "Public",
    "signed_in": "Requires sign-in",
    "nda": "Requires NDA",
    "restricted": "Restricted to named organizations",
}


def access_label(html: str) -> str:
    """The text of the (first) access-level badge of ``html``."""
    return re.search(r'<span class="access access-[a-z_]+">([^<]*)</span>', html)[1]


def card_of(html: str, document) -> str:
    """The listing card of ``document`` (found by its link: a search highlights its title)."""
    start = html.index(f'/documents/{document.slug}/">')
    return html[html.rindex("<li", 0, start) : html.index("</li>", start)]


# --- 1. Access levels say what a document requires, not a status ---------------------------


def test_the_document_page_says_what_each_level_requires(users):
    # The member of an entitled organization who accepted the NDA: no lock on any level, so
    # every page shows its level.
    organization = users["customer_org"]
    reader = client_for(users["member_nda"])
    for level, wording in REQUIREMENTS.items():
        document = factories.document(level, organizations=[organization])
        html = reader.get(f"/en/documents/{document.slug}/").content.decode()
        assert access_label(html) == wording, level
        assert "Access:" not in html and "NDA accepted" not in html


def test_an_anonymous_visitor_reads_requirements_then_what_to_do():
    anonymous = Client()
    nda = factories.document("nda")
    html = anonymous.get(f"/en/documents/{nda.slug}/").content.decode()
    meta = html[html.index('<p class="meta">') : html.index("</p>", html.index('<p class="meta">'))]
    assert access_label(meta) == "Requires NDA" and "Sign in to download" in meta
    signed_in = factories.document("signed_in")
    html = anonymous.get(f"/en/documents/{signed_in.slug}/").content.decode()
    assert access_label(html) == "Requires sign-in"


def test_a_lock_that_names_the_requirement_is_not_doubled_by_the_level(users):
    # A member without the NDA: the lock says "NDA required", the level is not repeated.
    document = factories.document("nda", title="Details NDA memo")
    html = client_for(users["member"]).get(f"/en/documents/{document.slug}/").content.decode()
    assert "NDA required" in html
    assert 'class="access ' not in html and "Requires NDA" not in html


def test_cards_and_search_results_show_the_requirement_in_the_readers_language():
    documents = {
        level: factories.document(level, title=f"Details {level} card")
        for level in REQUIREMENTS
        if level != "restricted"  # not listed: those not entitled see nothing of it
    }
    html = Client().get("/en/search/", {"q": "Details card"}).content.decode()
    for level, document in documents.items():
        assert access_label(card_of(html, document)) == REQUIREMENTS[level], level
    assert "Access:" not in html
    german = Client().get("/de/search/", {"q": "Details card"}).content.decode()
    card = card_of(german, documents["nda"])
    assert access_label(card) == "Erfordert NDA" and "Requires NDA" not in card


def test_the_other_languages_word_the_requirements_too():
    document = factories.document("signed_in")
    expected = {
        "de": "Anmeldung erforderlich",
        "fr": "Connexion requise",
        "es": "Requiere iniciar sesión",
        "ja": "サインインが必要",
    }
    for language, wording in expected.items():
        html = Client().get(f"/{language}/documents/{document.slug}/").content.decode()
        assert access_label(html) == wording, language


# --- 2. Every pull-down of the main menu shows a marker -------------------------------------


def stylesheet() -> str:
    """The reader site's stylesheet, as the page links it."""
    return open(finders.find("portal/portal.css"), encoding="utf-8").read()


def test_every_main_menu_pull_down_is_a_summary_the_chevron_rule_applies_to():
    html = Client().get("/en/trust-documents/").content.decode()
    nav = html[html.index('<nav class="main-nav"') : html.index("</nav>")]
    # Each entry with a pull-down: a <details class="dropdown"> whose <summary> is its label
    # alone (no marker text inside it for a screen reader to read).
    pull_downs = re.findall(r'<details class="dropdown">\s*<summary>(.*?)</summary>', nav, re.S)
    assert "Trust Documents" in pull_downs
    assert nav.count("<summary") == nav.count('<details class="dropdown">') == len(pull_downs)
    assert '<link rel="stylesheet" href="/static/portal/portal.css">' in html


def test_the_stylesheet_draws_a_chevron_on_every_pull_down_that_says_nothing():
    rules = dict(re.findall(r"^([^{}\n]+?)\s*\{([^}]*)\}", stylesheet(), re.M))
    marker = rules[".dropdown > summary::after"]
    # Empty content drawn with borders: visible, and nothing for a screen reader to announce.
    assert 'content: "";' in marker and "border: solid currentColor" in marker
    assert "rotate" in rules[".dropdown[open] > summary::after"]  # it turns when open
    # The browser's own triangle is hidden, so no entry shows two markers.
    assert "list-style: none" in rules[".dropdown > summary"]
    assert "display: none" in rules[".dropdown > summary::-webkit-details-marker"]
    # No phone-only rule hides it: the media queries never name the pull-down.
    for query in re.findall(r"@media[^{]*\{(.*?)\n\}", stylesheet(), re.S):
        assert "dropdown" not in query


# --- 3. and 4. Notification settings ---------------------------------------------------------


def test_a_personal_account_is_told_before_submitting_and_its_controls_are_disabled(users):
    html = client_for(users["personal"]).get("/en/notifications/").content.decode()
    notice = html.index('id="cannot-email"')
    assert notice < html.index('<form method="post" class="form narrow notification-settings"')
    assert "a personal account belongs to no organization" in html
    for name in ("enabled", "frequency", "email"):
        controls = re.findall(rf'<input [^>]*name="{name}"[^>]*>', html)
        assert controls, name
        for control in controls:
            assert "disabled" in control and 'aria-describedby="cannot-email"' in control
    assert re.search(r'<button type="submit" disabled aria-describedby="cannot-email">', html)
    # The feed works for every account, and stays usable.
    assert '<code id="feed-url"' in html


def test_an_organization_without_a_verified_domain_is_told_too(users):
    html = client_for(users["other_org"]).get("/en/notifications/").content.decode()
    assert "your organization has none yet" in html and 'id="cannot-email"' in html


def test_a_personal_account_posting_anyway_gets_a_clear_refusal(users):
    response = client_for(users["personal"]).post(
        "/en/notifications/", {"enabled": "on", "frequency": "daily", "email": "me@home.test"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "a personal account belongs to no organization" in html
    preferences = NotificationSettings.objects.get(user=users["personal"])
    assert not preferences.enabled and preferences.pending_email == ""


def test_an_organization_member_sees_no_such_notice(users):
    html = client_for(users["member"]).get("/en/notifications/").content.decode()
    assert 'id="cannot-email"' not in html
    assert not re.search(r'<input [^>]*name="enabled"[^>]*disabled', html)


def test_no_frequency_is_preselected_while_email_is_off(users):
    html = client_for(users["member"]).get("/en/notifications/").content.decode()
    enabled = re.search(r'<input [^>]*name="enabled"[^>]*>', html)[0]
    assert "checked" not in enabled
    radios = re.findall(r'<input [^>]*name="frequency"[^>]*>', html)
    assert len(radios) == 3 and not [r for r in radios if "checked" in r]
    assert "Only used while e-mail is on." in html


def test_the_stored_frequency_is_preselected_while_email_is_on(users):
    NotificationSettings.objects.create(
        user=users["member"], enabled=True, frequency="weekly", email="t-member@customer.test"
    )
    html = client_for(users["member"]).get("/en/notifications/").content.decode()
    (checked,) = [
        r for r in re.findall(r'<input [^>]*name="frequency"[^>]*>', html) if "checked" in r
    ]
    assert 'value="weekly"' in checked


def test_email_on_without_a_frequency_is_refused(users):
    client = client_for(users["member"])
    response = client.post("/en/notifications/", {"enabled": "on", "email": "alice@customer.test"})
    assert response.status_code == 400
    assert "Choose how often to e-mail you." in response.content.decode()
    preferences = NotificationSettings.objects.get(user=users["member"])
    assert not preferences.enabled and preferences.pending_email == ""


def test_a_frequency_sent_with_email_off_changes_nothing(users):
    NotificationSettings.objects.create(
        user=users["member"], enabled=False, frequency="weekly", email="t-member@customer.test"
    )
    client = client_for(users["member"])
    response = client.post(
        "/en/notifications/", {"frequency": "daily", "email": "t-member@customer.test"}
    )
    assert response.status_code == 302
    preferences = NotificationSettings.objects.get(user=users["member"])
    assert not preferences.enabled and preferences.frequency == "weekly"


def test_the_form_as_rendered_saves_as_it_reads(users):
    # Pressing "Save settings" on the page as shown (e-mail off, nothing preselected) works.
    client = client_for(users["member"])
    page = client.get("/en/notifications/").content.decode()
    response = submit(client, "/en/notifications/", page, "Save settings")
    assert response.status_code == 302
    preferences = NotificationSettings.objects.get(user=users["member"])
    assert not preferences.enabled and preferences.frequency == "immediately"


def test_an_unknown_frequency_is_a_clear_error(users):
    response = client_for(users["member"]).post(
        "/en/notifications/",
        {"enabled": "on", "frequency": "hourly", "email": "alice@customer.test"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_the_feed_address_is_shown_whole_as_copyable_text(users):
    client = client_for(users["member"])
    html = client.get("/en/notifications/").content.decode()
    token = NotificationSettings.objects.get(user=users["member"]).feed_token
    address = f"http://testserver/en/notifications/feed/{token}.json"
    assert (
        f'<code id="feed-url" class="copyable" aria-labelledby="feed-url-label">{address}</code>'
        in html
    )
    assert 'id="feed-url-label"' in html
    assert '<input id="feed-url"' not in html  # no field that cuts it off
    assert Client().get(address.removeprefix("http://testserver")).status_code == 200


# --- 5. The feedback form knows a signed-in reader's address ---------------------------------


def contact_field(html: str) -> str:
    return re.search(r'<input type="email" name="contact_email"[^>]*>', html)[0]


def test_the_feedback_form_prefills_a_signed_in_readers_address(users):
    users["member"].email = "t-member@customer.test"
    users["member"].save()
    html = client_for(users["member"]).get("/en/feedback/").content.decode()
    field = contact_field(html)
    assert 'value="t-member@customer.test"' in field
    assert "readonly" not in field and "disabled" not in field  # still theirs to change


def test_the_reader_may_change_or_clear_the_prefilled_address(users):
    users["member"].email = "t-member@customer.test"
    users["member"].save()
    client = client_for(users["member"])
    common = {"kind": "document_problem", "comment": "A broken link.", "page_url": "/en/"}

    assert (
        client.post("/en/feedback/", {**common, "contact_email": "other@x.test"}).status_code == 302
    )
    assert client.post("/en/feedback/", {**common, "contact_email": ""}).status_code == 302
    sent = Feedback.objects.filter(comment="A broken link.")
    assert sorted(sent.values_list("contact_email", flat=True)) == ["", "other@x.test"]


def test_an_anonymous_visitor_gets_an_empty_address_field():
    assert 'value=""' in contact_field(Client().get("/en/feedback/").content.decode())
