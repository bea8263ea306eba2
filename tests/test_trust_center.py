"""The trust center plugin: the subprocessors list and the security FAQ on the reader site and in
the API, FAQ answers under the access policy for every kind of reader (search included),
translations, the core event a subprocessor change raises, and the admin's listings."""

import os
from datetime import date

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.models import Locale

from cms import events
from plugins.trust_center import queries
from plugins.trust_center.demo import _translate
from plugins.trust_center.models import FaqEntry, Subprocessor, SubprocessorChange
from tests.helpers import bearer, client_for, run_python
from workflows.models import OutboxEvent

#: Words that appear in one test entry's answer only (and nowhere in the demo content).
WORDS = {"public": "quokkaword", "signed_in": "wombatword", "nda": "platypusword"}
#: Which levels' answers each kind of reader may read: the documents' file rules.
READABLE = {
    "anonymous": {"public"},
    "personal": {"public", "signed_in"},
    "personal_nda": {"public", "signed_in"},  # no organization: an NDA needs one
    "member": {"public", "signed_in"},
    "member_nda": {"public", "signed_in", "nda"},
    "other_org": {"public", "signed_in", "nda"},
}
LOCKS = {"anonymous": "sign_in", "personal": "organization", "personal_nda": "organization"}


def publish(instance):
    instance.save()
    instance.save_revision().publish()
    return instance


@pytest.fixture
def entries(db):
    locale = Locale.get_default()
    return {
        level: publish(
            FaqEntry(
                locale=locale,
                question=f"Test question about {level} echidnaword?",
                answer=f"<p>The {word} answer.</p>",
                category="Testing",
                sort_order=1000 + n,
                access_level=level,
            )
        )
        for n, (level, word) in enumerate(WORDS.items())
    }


def faq_api(client, headers=None, **params) -> dict:
    response = client.get("/api/v3/trust_center/faq/", params, **(headers or {}))
    assert response.status_code == 200, response.content
    return response.json()


# --- FAQ and the access policy ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", sorted(READABLE))
def test_faq_answers_follow_the_access_levels_on_the_site_and_in_the_api(users, entries, who):
    user = users[who]
    page = client_for(user).get("/en/trust_center/faq/").content.decode()
    items = {
        item["question"]: item
        for item in faq_api(client_for(None), bearer(user) if user else None)["items"]
    }
    for level, word in WORDS.items():
        question = entries[level].question
        # Everyone sees every question; the answer only who may read it.
        assert question in page
        item = items[question]
        assert item["access_level"] == level
        if level in READABLE[who]:
            assert word in page and word in item["answer"] and item["locked"] is None
        else:
            assert word not in page and item["answer"] is None
            assert item["locked"] == LOCKS.get(who, "nda")


@pytest.mark.django_db
@pytest.mark.parametrize("who", sorted(READABLE))
def test_search_matches_only_answers_the_reader_may_read(users, entries, who):
    user = users[who]
    for level, word in WORDS.items():
        found = faq_api(client_for(user), q=word)
        page = client_for(user).get("/en/trust_center/faq/", {"q": word}).content.decode()
        if level in READABLE[who]:
            assert [i["question"] for i in found["items"]] == [entries[level].question]
            assert entries[level].question in page
        else:
            # Not even the question: a match would tell the reader what the answer says.
            assert found["count"] == 0 and found["items"] == []
            assert entries[level].question not in page and "No questions match" in page
    # Questions match for everyone.
    assert faq_api(client_for(user), q="echidnaword")["count"] == 3


@pytest.mark.django_db
def test_an_answer_the_reader_may_not_read_is_not_fetched(users, entries):
    rows = {row.access_level: row for row in queries.faq_entries(None, "echidnaword")}
    assert rows["public"].readable_answer == "<p>The quokkaword answer.</p>"
    assert rows["nda"].readable_answer == "" and rows["signed_in"].readable_answer == ""
    assert "answer" in rows["nda"].get_deferred_fields()


@pytest.mark.django_db
def test_a_draft_or_withdrawn_entry_is_not_shown(entries):
    entry = entries["public"]
    entry.unpublish()
    assert faq_api(Client(), q="echidnaword")["count"] == 2
    assert entry.question not in Client().get("/en/trust_center/faq/").content.decode()


# --- Translations -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_faq_reads_and_searches_in_the_readers_language(users, entries):
    _translate(
        entries["nda"],
        "de",
        {
            entries["nda"].question: "Testfrage zum NDA echidnawort?",
            "The platypusword answer.": "Die Schnabeltierwort-Antwort.",
        },
    )
    german = FaqEntry.objects.get(
        translation_key=entries["nda"].translation_key, locale__language_code="de"
    )
    assert german.live and german.access_level == "nda"  # the level comes with it

    member_nda = client_for(users["member_nda"])
    page = member_nda.get("/de/trust_center/faq/", {"q": "schnabeltierwort"}).content.decode()
    assert "Testfrage zum NDA" in page and "Schnabeltierwort-Antwort" in page
    api = faq_api(member_nda, locale="de", q="schnabeltierwort")
    assert api["items"][0]["question"] == "Testfrage zum NDA echidnawort?"
    # The German answer is gated as the English one: an anonymous search does not reach it.
    assert faq_api(Client(), locale="de", q="schnabeltierwort")["count"] == 0
    anonymous = faq_api(Client(), locale="de", q="echidnawort")
    assert anonymous["items"][0]["answer"] is None
    # Untranslated entries fall back to English.
    assert faq_api(Client(), locale="de", q="quokkaword")["count"] == 1


@pytest.mark.django_db
def test_a_change_of_level_on_the_source_gates_a_translation_at_once(entries):
    _translate(entries["public"], "de", {"The quokkaword answer.": "Die Quokkawort-Antwort."})
    source = entries["public"]
    source.access_level = "nda"
    publish(source)  # the German row still says "public" until wagtail-localize syncs it
    assert faq_api(Client(), locale="de", q="quokkawort")["count"] == 0


@pytest.mark.django_db
def test_the_demo_subprocessors_and_faq_are_translated():
    page = Client().get("/de/trust_center/subprocessors/").content.decode()
    assert "Cloud-Hosting und Speicherung von Kundendaten" in page
    assert "Nimbus Compute GmbH" in page
    japanese = Client().get("/api/v3/trust_center/subprocessors/", {"locale": "ja"}).json()
    purposes = {item["name"]: item["purpose"] for item in japanese["items"]}
    assert purposes["Relay Mail Ltd"] == "通知メールとサインインメールの送信"
    for language, question in (
        ("es", "¿Dónde se almacenan los datos de los clientes?"),
        ("fr", "Où les données clients sont-elles stockées ?"),
    ):
        assert question in Client().get(f"/{language}/trust_center/faq/").content.decode()


# --- Subprocessors ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_subprocessors_page_and_api_list_the_live_ones():
    locale = Locale.get_default()
    live = publish(
        Subprocessor(
            locale=locale,
            name="Aardvark Analytics",
            purpose="Product analytics",
            location="Canada",
            since=date(2025, 5, 4),
        )
    )
    Subprocessor.objects.create(
        locale=locale,
        name="Draft Dingo",
        purpose="x",
        location="y",
        since=date(2025, 1, 1),
        live=False,
    )
    page = Client().get("/en/trust_center/subprocessors/").content.decode()
    assert "Aardvark Analytics" in page and "Product analytics" in page and "Canada" in page
    assert "4 May 2025" in page and "Last changed" in page
    assert "Draft Dingo" not in page
    body = Client().get("/api/v3/trust_center/subprocessors/", {"limit": 100}).json()
    names = [item["name"] for item in body["items"]]
    assert names == sorted(names) and "Aardvark Analytics" in names and "Draft Dingo" not in names
    assert body["count"] == len(names) and body["last_changed"] is not None
    item = next(i for i in body["items"] if i["name"] == live.name)
    assert item == {
        "name": "Aardvark Analytics",
        "purpose": "Product analytics",
        "location": "Canada",
        "website": "",
        "since": "2025-05-04",
    }


@pytest.mark.django_db
def test_subprocessor_changes_raise_a_core_event_and_are_recorded(
    django_capture_on_commit_callbacks,
):
    def changes():
        return list(
            SubprocessorChange.objects.filter(subprocessor_key=sub.translation_key)
            .order_by("pk")
            .values_list("change", flat=True)
        )

    def outbox():
        return list(
            OutboxEvent.objects.filter(
                name="SubprocessorChanged", payload__subprocessor_key=str(sub.translation_key)
            )
            .order_by("created_at")
            .values_list("payload__change", flat=True)
        )

    sub = Subprocessor(
        locale=Locale.get_default(),
        name="Bandicoot Backups",
        purpose="Offsite backups",
        location="Norway",
        since=date(2026, 1, 1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        publish(sub)
    assert changes() == ["added"] and outbox() == ["added"]

    publish(sub)  # nothing readers see changed: nobody is told
    assert changes() == ["added"]

    sub.location = "Norway and Sweden"
    publish(sub)
    assert changes() == ["added", "changed"]

    # A translation is not a change of the list.
    _translate(sub, "de", {"Offsite backups": "Externe Sicherungen"})
    assert changes() == ["added", "changed"]

    sub.unpublish()
    assert changes() == ["added", "changed", "removed"]
    sub.delete()  # already removed: told once
    assert changes() == ["added", "changed", "removed"]
    assert outbox() == ["added", "changed", "removed"]
    # The newest record: what the list looked like before the removal.
    record = SubprocessorChange.objects.filter(subprocessor_key=sub.translation_key).first()
    assert record.snapshot["location"] == "Norway and Sweden" and record.event_id


@pytest.mark.django_db
def test_plugins_receive_the_event(received_events, django_capture_on_commit_callbacks):
    sub = Subprocessor(
        locale=Locale.get_default(),
        name="Cassowary CDN",
        purpose="Content delivery",
        location="Global",
        since=date(2026, 2, 1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        publish(sub)
    assert (
        events.SubprocessorChanged(
            subprocessor_key=str(sub.translation_key), name="Cassowary CDN", change="added"
        )
        in received_events
    )


# --- Links, bad input --------------------------------------------------------------------------


@pytest.mark.django_db
def test_both_pages_are_linked_from_the_footer_of_every_page():
    for language in ("en", "de"):
        home = Client().get(f"/{language}/").content.decode()
        assert f'href="/{language}/trust_center/subprocessors/"' in home
        assert f'href="/{language}/trust_center/faq/"' in home


@pytest.mark.django_db
def test_bad_input_is_a_clear_4xx():
    client = Client()
    assert client.get("/en/trust_center/faq/", {"q": "x" * 201}).status_code == 400
    assert client.get("/api/v3/trust_center/faq/", {"q": "x" * 201}).status_code == 422
    assert client.get("/api/v3/trust_center/faq/", {"sort": "x"}).status_code == 400
    assert client.get("/api/v3/trust_center/faq/", {"locale": "xx"}).status_code == 400
    assert client.get("/api/v3/trust_center/subprocessors/", {"limit": 0}).status_code == 422
    assert client.get("/api/v3/trust_center/subprocessors/", {"q": "a"}).status_code == 400
    assert client.get("/api/v3/trust_center/faq/", {"q": "%_'\"\\"}).status_code == 200


@pytest.mark.django_db
def test_the_api_endpoints_are_in_the_schema():
    paths = Client().get("/api/v3/openapi.json").json()["paths"]
    assert "/api/v3/trust_center/subprocessors/" in paths
    assert "/api/v3/trust_center/faq/" in paths


# --- Admin ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_lists_and_searches_both(entries):
    admin = get_user_model().objects.get(username="admin")
    client = Client()
    client.force_login(admin)
    listing = client.get("/admin/snippets/trust_center/subprocessor/", {"q": "nimbus"})
    assert listing.status_code == 200 and "Nimbus Compute GmbH" in listing.content.decode()
    assert "Relay Mail Ltd" not in listing.content.decode()
    faq = client.get("/admin/snippets/trust_center/faqentry/", {"q": "penetration"})
    assert faq.status_code == 200
    assert "What did the latest penetration test find?" in faq.content.decode()
    assert "Where is customer data stored?" not in faq.content.decode()
    # wagtail-localize's Translate action in each row's menu.
    translate = f"/admin/localize/submit/snippet/trust_center/faqentry/{entries['nda'].pk}/"
    listing = client.get("/admin/snippets/trust_center/faqentry/", {"q": "echidnaword"})
    assert translate in listing.content.decode()
    assert client.get(translate).status_code == 200


# --- Without the plugin -------------------------------------------------------------------------


def test_the_portal_starts_and_routes_without_the_plugin():
    script = """
import django, json
django.setup()
from django.core.management import call_command
from django.urls import resolve
call_command("check")
from wagtail.api.v3.urls import api
print(json.dumps({
    "faq": resolve("/en/trust_center/faq/").url_name,
    "api": sorted(p for p in api.get_openapi_schema()["paths"] if "trust_center" in p),
}))
"""
    others = [app for app in settings.TRUSTPORTAL_PLUGINS if app != "plugins.trust_center"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sites.settings.test",
        "TRUSTPORTAL_PLUGINS": ",".join(others),
    }
    env.pop("DATABASE_URL", None)
    out = run_python(script, env)
    # The path falls through to Wagtail's page serving (a 404 there); no API route is left.
    assert out == {"faq": "wagtail_serve", "api": []}
