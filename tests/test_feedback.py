"""The feedback form (valid, invalid, spam, rate-limited), staff notification and the staff list."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client

from plugins.feedback.models import Feedback
from plugins.feedback.notifications import notify_staff
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ADMIN_LIST = "/admin/snippets/feedback/feedback/"
VALID = {
    "kind": "document_problem",
    "comment": "The SOC 2 bridge letter link is broken.",
    "contact_email": "ciso@bank.example",
    "page_url": "/en/documents/soc-2-type-2/",
}


def send(client, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/en/feedback/", {**VALID, **overrides})


def test_with_the_queue_down_the_reader_is_thanked_and_staff_told_later(
    django_capture_on_commit_callbacks, demo_users, monkeypatch
):
    import redis

    import plugins.feedback.views
    from plugins.feedback.notifications import notify_unnotified

    def queue_down(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Redis is down")

    monkeypatch.setattr(plugins.feedback.views, "enqueue", queue_down)
    response = send(Client(), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.staff_notified_at is None and mail.outbox == []
    Feedback.objects.filter(pk=feedback.pk).update(
        created_at=feedback.created_at - timedelta(minutes=10)
    )
    assert notify_unnotified() == 1  # the sweep's maintenance task, Redis back
    feedback.refresh_from_db()
    assert feedback.staff_notified_at is not None and len(mail.outbox) == 1
    assert notify_unnotified() == 0


def test_the_footer_link_carries_the_page_into_the_form():
    home = Client().get("/en/trust-documents/").content.decode()
    assert "/en/feedback/?from=%2Fen%2Ftrust-documents%2F" in home
    form = Client().get("/en/feedback/?from=/en/trust-documents/")
    html = form.content.decode()
    assert form.status_code == 200
    assert 'value="/en/trust-documents/"' in html and "About the page /en/trust-documents/" in html
    # The four kinds are radio buttons inside a fieldset whose legend names the question.
    assert html.count('type="radio" name="kind"') == 4 and "<legend>" in html


def test_valid_feedback_is_stored_and_staff_are_told_once(
    django_capture_on_commit_callbacks, demo_users
):
    client = Client()
    client.force_login(demo_users["reader"])
    response = send(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == "/en/feedback/thanks/"

    feedback = Feedback.objects.get()
    assert (feedback.kind, feedback.status, feedback.user, feedback.language) == (
        "document_problem",
        "new",
        demo_users["reader"],
        "en",
    )
    assert (
        feedback.page_url == VALID["page_url"] and feedback.contact_email == VALID["contact_email"]
    )
    assert feedback.staff_notified_at is not None

    [message] = mail.outbox
    assert "admin@provider.example" in message.to  # the superuser triages feedback
    assert "rita.reader@bank.example" not in message.to
    assert "A problem with a document" in message.subject
    assert VALID["comment"] in message.body
    assert f"/admin/snippets/feedback/feedback/edit/{feedback.pk}/" in message.body

    notify_staff(feedback.pk)  # a retried job finds the feedback already announced
    assert len(mail.outbox) == 1


def test_configured_addresses_and_triagers_are_notified(
    django_capture_on_commit_callbacks, settings
):
    triagers = Group.objects.create(name="Feedback triage")
    triagers.permissions.add(Permission.objects.get(codename="change_feedback"))
    make_user("triager", groups=[triagers.name], email="triage@provider.example")
    send(Client(), django_capture_on_commit_callbacks)
    assert "triage@provider.example" in mail.outbox[0].to

    settings.TRUSTPORTAL_PLUGIN_SETTINGS = {
        "feedback": {"NOTIFY_EMAILS": ["desk@provider.example"]}
    }
    send(Client(), django_capture_on_commit_callbacks, comment="Second")
    assert mail.outbox[1].to == ["desk@provider.example"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"kind": ""}, "kind", "This field is required."),
        ({"kind": "complaint"}, "kind", "Select a valid choice."),
        ({"comment": "   "}, "comment", "This field is required."),
        ({"comment": "x" * 4001}, "comment", "at most 4000 characters"),
        ({"contact_email": "not-an-address"}, "contact_email", "Enter a valid email address."),
    ],
)
def test_invalid_feedback_is_refused_with_a_message(
    overrides, field, message, django_capture_on_commit_callbacks
):
    response = send(Client(), django_capture_on_commit_callbacks, **overrides)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please correct the errors below." in html and message in html
    assert field in response.context["form"].errors
    # What the reader typed is kept for the next try.
    if field != "comment":
        assert VALID["comment"] in html
    assert not Feedback.objects.exists() and mail.outbox == []


def test_only_a_path_on_this_site_is_kept_as_the_page(django_capture_on_commit_callbacks):
    for page_url in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "/x" * 400):
        assert (
            send(Client(), django_capture_on_commit_callbacks, page_url=page_url).status_code == 302
        )
    assert sorted(len(url) for url in Feedback.objects.values_list("page_url", flat=True)) == [
        0,
        0,
        0,
        500,
    ]


def test_spam_is_thanked_but_neither_stored_nor_announced(django_capture_on_commit_callbacks):
    response = send(Client(), django_capture_on_commit_callbacks, website="http://pills.example")
    assert response.status_code == 302 and response["Location"] == "/en/feedback/thanks/"
    assert not Feedback.objects.exists() and mail.outbox == []


def test_floods_are_rate_limited(settings, django_capture_on_commit_callbacks):
    settings.TRUSTPORTAL_RATE_LIMITS = {**settings.TRUSTPORTAL_RATE_LIMITS, "feedback": (2, 3600)}
    client = Client(REMOTE_ADDR="203.0.113.9")
    codes = [
        send(client, django_capture_on_commit_callbacks, comment=f"n{i}").status_code
        for i in range(3)
    ]
    assert codes == [302, 302, 429]
    refused = send(client, django_capture_on_commit_callbacks, comment="later")
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert sorted(Feedback.objects.values_list("comment", flat=True)) == ["n0", "n1"]
    # Another address is not affected.
    assert (
        send(Client(REMOTE_ADDR="203.0.113.10"), django_capture_on_commit_callbacks).status_code
        == 302
    )


def test_other_methods_are_refused():
    assert Client().put("/en/feedback/").status_code == 405


@pytest.fixture
def inbox():
    items = [
        Feedback.objects.create(kind="question", comment="Where is ISO 27001?", status="new"),
        Feedback.objects.create(
            kind="suggestion",
            comment="Add a dark mode",
            status="closed",
            contact_email="a@b.example",
        ),
        Feedback.objects.create(kind="portal_problem", comment="Search is slow", status="answered"),
    ]
    return items


def admin_client(demo_users):
    client = Client()
    client.force_login(demo_users["admin"])
    return client


def test_staff_list_filters_by_status_kind_and_contact(inbox, demo_users):
    client = admin_client(demo_users)
    html = client.get(ADMIN_LIST).content.decode()
    assert all(item.comment in html for item in inbox)
    assert 'name="status"' in html and 'name="created_at_from"' in html  # filters offered

    only_new = client.get(ADMIN_LIST, {"status": "new"}).content.decode()
    assert "Where is ISO 27001?" in only_new and "Add a dark mode" not in only_new
    two = client.get(ADMIN_LIST, {"status": ["new", "answered"]}).content.decode()
    assert "Search is slow" in two and "Add a dark mode" not in two
    by_kind = client.get(ADMIN_LIST, {"kind": "suggestion"}).content.decode()
    assert "Add a dark mode" in by_kind and "Search is slow" not in by_kind
    with_contact = client.get(ADMIN_LIST, {"has_contact": "true"}).content.decode()
    assert "Add a dark mode" in with_contact and "Where is ISO 27001?" not in with_contact


def test_staff_export_the_filtered_list_as_csv(inbox, demo_users):
    response = admin_client(demo_users).get(ADMIN_LIST, {"export": "csv", "status": "closed"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="feedback')
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["Comment"] for row in rows] == ["Add a dark mode"]
    assert rows[0]["Contact address (optional)"] == "a@b.example"
    assert rows[0]["Status"] in {"closed", "Closed"}


def test_a_formula_in_a_comment_stays_text_in_the_csv(demo_users):
    Feedback.objects.create(kind="suggestion", comment='=HYPERLINK("http://evil.example","x")')
    response = admin_client(demo_users).get(ADMIN_LIST, {"export": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert """'=HYPERLINK("http://evil.example","x")""" in [row["Comment"] for row in rows]


def test_staff_change_the_status_but_not_what_the_reader_wrote(inbox, demo_users):
    client = admin_client(demo_users)
    item = inbox[0]
    url = f"{ADMIN_LIST}edit/{item.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"status": "in_progress", "staff_note": "Asked legal", "comment": "tampered"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.staff_note, item.comment) == (
        "in_progress",
        "Asked legal",
        "Where is ISO 27001?",
    )
    assert client.get(f"{ADMIN_LIST}add/").status_code in {302, 403}


def test_readers_and_editors_without_permission_do_not_see_feedback(inbox, demo_users):
    reader = Client()
    reader.force_login(demo_users["reader"])
    assert reader.get(ADMIN_LIST).status_code in {302, 403}
    editor = Client()
    editor.force_login(demo_users["editor"])
    response = editor.get(ADMIN_LIST)
    assert response.status_code in {302, 403}
    assert "Where is ISO 27001?" not in response.content.decode()
