"""The tamper-evident audit log: recording, the hash chain and its verification, append-only
rows, sign-in events, and the staff views (listing, download id lookup, verify button)."""

import hashlib
import re
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core import checks
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from cms.audit import (
    Action,
    AppendOnlyError,
    AuditEntry,
    Outcome,
    chain,
    new_download_id,
    record,
    verify,
)
from cms.audit.chain import GENESIS_HASH
from cms.audit.keys import keyring
from cms.audit.verification import Anchor, Legacy
from cms.models import DocumentVersion, organization_of
from tests.html_forms import form_with_button

pytestmark = pytest.mark.django_db

TABLE = AuditEntry._meta.db_table


def demo_version():
    return DocumentVersion.objects.filter(live=True).select_related("document").first()


def download_request(user, ip="203.0.113.7", agent="Mozilla/5.0 (AuditTest)", **headers):
    request = RequestFactory().get("/download/", REMOTE_ADDR=ip, HTTP_USER_AGENT=agent, **headers)
    request.user = user
    return request


def record_download(user, **kwargs):
    return record(
        Action.DOWNLOAD,
        outcome=Outcome.ALLOWED,
        request=download_request(user),
        version=demo_version(),
        download_id=new_download_id(),
        **kwargs,
    )


def chain_of(count, user):
    return [record_download(user) for _ in range(count)]


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=connection.ops.quote_name(TABLE)), params)


def plain_hash(entry) -> str:
    """What someone who can write the table but lacks the key can compute for a row."""
    return hashlib.sha256(chain.canonical_bytes(entry)).hexdigest()


def rehash_without_the_key(entry, **changes) -> AuditEntry:
    """Change a row in place and give it a recomputed plain SHA-256 hash, as a tamperer who
    can write the table (and has read this code) would."""
    entry = AuditEntry.objects.get(pk=entry.pk)
    for name, value in changes.items():
        setattr(entry, name, value)
    entry.entry_hash = plain_hash(entry)
    AuditEntry._base_manager.filter(pk=entry.pk).update(**changes, entry_hash=entry.entry_hash)
    return entry


def verify_command():
    """Run ``verify_audit_log``: (exit status, what it printed)."""
    out = StringIO()
    try:
        call_command("verify_audit_log", stdout=out)
    except CommandError as error:
        return error.returncode, str(error)
    return 0, out.getvalue()


# Recording -----------------------------------------------------------------------------------


def test_record_captures_who_what_and_where(demo_users):
    reader, version = demo_users["reader"], demo_version()
    download_id = new_download_id()
    entry = record(
        Action.DOWNLOAD,
        outcome=Outcome.ALLOWED,
        request=download_request(reader),
        version=version,
        nda_version="2026-01",
        download_id=download_id,
        detail={"language": "en"},
    )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.user == reader
    assert (entry.username, entry.user_email) == ("reader", reader.email)
    assert entry.organization_name == organization_of(reader).name
    assert (entry.document_id, entry.document_title) == (
        version.document_id,
        version.document.title,
    )
    assert (entry.version_id, entry.version_label) == (version.pk, version.version_label)
    assert entry.nda_version == "2026-01"
    assert (entry.ip, entry.user_agent) == ("203.0.113.7", "Mozilla/5.0 (AuditTest)")
    assert entry.download_id == download_id
    assert entry.detail == {"language": "en"}
    assert entry.is_intact
    assert len(entry.entry_hash) == 64


def test_entries_are_chained_in_sequence(demo_users):
    first, second = chain_of(2, demo_users["reader"])
    assert second.sequence == first.sequence + 1
    assert second.previous_hash == first.entry_hash
    assert AuditEntry.objects.get(sequence=1).previous_hash == GENESIS_HASH


def test_anonymous_denial_and_frozen_copies(demo_users):
    entry = record(
        Action.DOWNLOAD_DENIED,
        outcome=Outcome.DENIED,
        request=download_request(AnonymousUser()),
        version=demo_version(),
        detail={"reason": "sign_in"},
    )
    assert entry.user is None and entry.username == "" and entry.download_id is None
    assert entry.document_title  # what was asked for is kept even when refused


def test_forwarded_for_is_ignored_unless_proxies_are_trusted(demo_users, settings):
    forwarded = {"HTTP_X_FORWARDED_FOR": "198.51.100.9, 192.0.2.1"}
    request = download_request(demo_users["reader"], ip="10.0.0.2", **forwarded)
    assert record(Action.SIGN_IN, outcome=Outcome.OK, request=request).ip == "10.0.0.2"
    settings.TRUSTPORTAL_TRUSTED_PROXY_COUNT = 1
    assert record(Action.SIGN_IN, outcome=Outcome.OK, request=request).ip == "192.0.2.1"
    settings.TRUSTPORTAL_TRUSTED_PROXY_COUNT = 2
    assert record(Action.SIGN_IN, outcome=Outcome.OK, request=request).ip == "198.51.100.9"


def test_user_agent_is_truncated_and_cleaned(demo_users):
    request = download_request(demo_users["reader"], agent="evil\x00agent " + "x" * 2000)
    entry = record(Action.SIGN_IN, outcome=Outcome.OK, request=request)
    assert entry.user_agent.startswith("evilagent ")
    assert len(entry.user_agent) == 512
    assert AuditEntry.objects.get(pk=entry.pk).is_intact


def test_download_ids_are_random_and_url_safe():
    ids = {new_download_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 12 and i.replace("-", "").replace("_", "").isalnum() for i in ids)


def test_record_refuses_bad_arguments_and_raises_when_it_cannot_write(demo_users):
    with pytest.raises(ValueError):
        record("Not An Action", outcome=Outcome.OK)
    with pytest.raises(ValueError):
        record(Action.DOWNLOAD, outcome="maybe")
    taken = record_download(demo_users["reader"]).download_id
    # The caller is told (and refuses the download); nothing is written half-way.
    count = AuditEntry.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        record(Action.DOWNLOAD, outcome=Outcome.ALLOWED, download_id=taken)
    assert AuditEntry.objects.count() == count


# Verification --------------------------------------------------------------------------------


def test_a_fresh_chain_verifies(demo_users):
    chain_of(5, demo_users["reader"])
    result = verify(chunk_size=2)  # several chunks
    assert result.ok and result.problem is None
    assert result.entries_checked == AuditEntry.objects.count()
    status, output = verify_command()
    assert status == 0
    assert f"{result.entries_checked} entries verified, chain intact" in output


def test_a_row_edited_with_an_update_query_is_caught(demo_users):
    entries = chain_of(4, demo_users["reader"])
    # The plain base manager, as a tamperer's script would use it: no save(), no checks.
    AuditEntry._base_manager.filter(pk=entries[2].pk).update(username="someone-else")
    result = verify()
    assert not result.ok
    assert (result.problem.sequence, result.problem.kind) == (entries[2].sequence, "altered")
    status, output = verify_command()
    assert status != 0
    assert f"broken at entry {entries[2].sequence} (altered)" in output


def test_a_row_edited_with_raw_sql_is_caught(demo_users):
    entries = chain_of(3, demo_users["reader"])
    sql("UPDATE {table} SET ip = %s WHERE sequence = %s", ["192.0.2.99", entries[1].sequence])
    problem = verify().problem
    assert (problem.sequence, problem.kind) == (entries[1].sequence, "altered")


def test_an_edited_and_rehashed_row_breaks_the_link_to_the_next(demo_users):
    entries = chain_of(3, demo_users["reader"])
    edited = AuditEntry.objects.get(pk=entries[1].pk)
    edited.document_title = "Something harmless"
    AuditEntry._base_manager.filter(pk=edited.pk).update(
        document_title=edited.document_title, entry_hash=edited.compute_hash()
    )
    problem = verify().problem
    assert (problem.sequence, problem.kind) == (entries[2].sequence, "inserted")
    assert f"entry {entries[1].sequence}" in problem.message


def test_a_deleted_row_is_caught(demo_users):
    entries = chain_of(4, demo_users["reader"])
    sql("DELETE FROM {table} WHERE sequence = %s", [entries[1].sequence])
    problem = verify().problem
    assert (problem.sequence, problem.kind) == (entries[1].sequence, "removed")
    status, output = verify_command()
    assert status != 0 and "missing" in output


def test_a_forged_row_is_caught(demo_users):
    head = chain_of(2, demo_users["reader"])[-1]
    forged = AuditEntry(
        sequence=head.sequence + 1,
        created_at=head.created_at,
        action=Action.DOWNLOAD,
        outcome=Outcome.ALLOWED,
        username="innocent-bystander",
        download_id=new_download_id(),
        previous_hash=hashlib.sha256(b"not the head").hexdigest(),
    )
    # Claiming the current key, but hashed without it: all a forger without the key can do.
    forged.key_id = keyring().current_id
    forged.entry_hash = plain_hash(forged)
    AuditEntry._base_manager.bulk_create([forged])
    problem = verify().problem
    assert (problem.sequence, problem.kind) == (forged.sequence, "inserted")
    assert verify_command()[0] != 0


def test_an_anchor_catches_a_cut_off_tail(demo_users):
    head = chain_of(3, demo_users["reader"])[-1]
    anchor = Anchor.parse(f"{head.sequence}:{head.entry_hash}")
    assert verify(anchor=anchor).ok
    sql("DELETE FROM {table} WHERE sequence = %s", [head.sequence])
    assert verify().ok  # the chain alone cannot tell the tail is gone...
    problem = verify(anchor=anchor).problem  # ...the anchor can
    assert (problem.sequence, problem.kind) == (head.sequence, "removed")
    with pytest.raises(CommandError):
        call_command("verify_audit_log", anchor=f"{head.sequence}:{head.entry_hash}")


@pytest.mark.parametrize("as_legacy", [False, True], ids=["keyed-format", "legacy-format"])
def test_a_rewrite_from_the_middle_with_recomputed_hashes_is_caught(demo_users, as_legacy):
    entries = chain_of(5, demo_users["reader"])
    previous = entries[1].entry_hash
    # Every row from the third on rewritten and re-chained: a self-consistent SHA-256 chain,
    # which is all an unkeyed chain could ask for.
    for entry in entries[2:]:
        downgrade = {"hash_format": chain.LEGACY_HASH_FORMAT, "key_id": ""} if as_legacy else {}
        previous = rehash_without_the_key(
            entry, username="scapegoat", previous_hash=previous, **downgrade
        ).entry_hash
    problem = verify().problem
    assert (problem.sequence, problem.kind) == (entries[2].sequence, "altered")
    status, output = verify_command()
    assert status != 0 and f"broken at entry {entries[2].sequence} (altered)" in output


def test_an_inserted_row_is_reported_as_inserted(demo_users):
    entries = chain_of(4, demo_users["reader"])
    place = entries[2].sequence
    # Room is made by renumbering the later rows (highest first: the sequence is unique)...
    for entry in reversed(entries[2:]):
        sql("UPDATE {table} SET sequence = sequence + 1 WHERE id = %s", [entry.pk])
    forged = AuditEntry(
        sequence=place,
        created_at=entries[2].created_at,
        action=Action.DOWNLOAD,
        outcome=Outcome.ALLOWED,
        username="innocent-bystander",
        download_id=new_download_id(),
        key_id=keyring().current_id,
        previous_hash=entries[1].entry_hash,
    )
    forged.entry_hash = plain_hash(forged)
    # ...and the row it displaced re-linked to it (previous_hash is unique too).
    sql("UPDATE {table} SET previous_hash = %s WHERE id = %s", [forged.entry_hash, entries[2].pk])
    AuditEntry._base_manager.bulk_create([forged])
    problem = verify().problem
    assert (problem.sequence, problem.kind) == (place, "inserted")
    status, output = verify_command()
    assert status != 0 and f"broken at entry {place} (inserted)" in output


def test_a_removed_row_is_reported_as_removed_even_if_the_rest_were_renumbered(demo_users):
    entries = chain_of(5, demo_users["reader"])
    sql("DELETE FROM {table} WHERE id IN (%s, %s)", [entries[1].pk, entries[2].pk])
    for entry in entries[3:]:  # lowest first: closing the gap
        sql("UPDATE {table} SET sequence = sequence - 2 WHERE id = %s", [entry.pk])
    problem = verify().problem
    assert (problem.sequence, problem.kind) == (entries[1].sequence, "removed")
    assert f"entries {entries[1].sequence} to {entries[2].sequence} are missing" in (
        problem.message
    )


def test_entries_signed_with_an_old_key_verify_while_it_is_configured(demo_users, settings):
    # "derived": the key the demo's own entries were signed with (no key configured in tests).
    old, new = "2026=" + "a" * 48, "2027=" + "b" * 48
    settings.TRUSTPORTAL_AUDIT_KEYS = f"{old},derived"
    before = chain_of(2, demo_users["reader"])
    settings.TRUSTPORTAL_AUDIT_KEYS = f"{new},{old},derived"  # rotated: the new key first
    after = chain_of(2, demo_users["reader"])
    assert [e.key_id for e in before + after] == ["2026", "2026", "2027", "2027"]
    assert verify().ok and verify_command()[0] == 0
    # The old key dropped too soon: its entries cannot be vouched for.
    settings.TRUSTPORTAL_AUDIT_KEYS = f"{new},derived"
    problem = verify().problem
    assert (problem.sequence, problem.kind) == (before[0].sequence, "unknown key")
    assert "'2026'" in problem.message
    # Another secret under the old id is no substitute.
    settings.TRUSTPORTAL_AUDIT_KEYS = f"{new},2026={'c' * 48},derived"
    problem = verify().problem
    assert (problem.sequence, problem.kind) == (before[0].sequence, "altered")


def legacy_chain(count: int) -> list[AuditEntry]:
    """A log as the unkeyed chain wrote it before the upgrade (plain SHA-256, no key id)."""
    sql("DELETE FROM {table}")  # this test's log starts before the chain was keyed
    previous, entries = GENESIS_HASH, []
    for sequence in range(1, count + 1):
        entry = AuditEntry(
            sequence=sequence,
            created_at=timezone.now(),
            action=Action.SIGN_IN,
            outcome=Outcome.OK,
            username=f"before-{sequence}",
            hash_format=chain.LEGACY_HASH_FORMAT,
            key_id="",
            previous_hash=previous,
        )
        entry.entry_hash = previous = plain_hash(entry)
        AuditEntry._base_manager.bulk_create([entry])
        entries.append(entry)
    return entries


def test_legacy_entries_verify_and_are_sealed_by_the_first_keyed_one(demo_users):
    legacy = legacy_chain(3)
    result = verify()
    assert result.ok and result.legacy == Legacy(entries=3, sealed_by=None)
    status, output = verify_command()
    assert status == 0 and "3 legacy entries (unkeyed) and no keyed entry after them" in output

    keyed = record_download(demo_users["reader"])
    result = verify()
    assert result.ok and result.legacy == Legacy(entries=3, sealed_by=keyed.sequence)
    assert "covered by the signature of entry 4" in result.summary()
    # From now on, rewriting the legacy entries (their hashes recomputed) is caught.
    rewritten = rehash_without_the_key(legacy[1], username="scapegoat")
    rehash_without_the_key(legacy[2], previous_hash=rewritten.entry_hash)
    problem = verify().problem
    assert (problem.sequence, problem.kind) == (3, "altered")
    assert "legacy (unkeyed) entries up to 3" in problem.message


def test_the_deployment_check_wants_an_audit_key_of_its_own(settings):
    def audit_checks(keys: str) -> list[str]:
        settings.TRUSTPORTAL_AUDIT_KEYS = keys
        found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
        return [message.id for message in found if message.id.startswith("audit.")]

    assert audit_checks("") == ["audit.W001"]  # signed with a key derived from SECRET_KEY
    assert audit_checks("derived") == ["audit.W001"]
    assert audit_checks(f"k1={settings.SECRET_KEY}") == ["audit.W002"]
    assert audit_checks("k1=short") == ["audit.W003"]
    assert audit_checks("k1") == ["audit.E001"]  # no secret
    assert audit_checks(f"k2={'b' * 48},k1={settings.SECRET_KEY},derived") == ["audit.W002"]
    assert audit_checks(f"k2={'b' * 48},derived") == []


def test_the_chain_cannot_fork(demo_users):
    head = record_download(demo_users["reader"])
    twin = AuditEntry(
        sequence=head.sequence + 1,
        created_at=head.created_at,
        action=Action.SIGN_IN,
        outcome=Outcome.OK,
        previous_hash=head.previous_hash,  # a second successor of the same entry
        entry_hash="0" * 64,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry._base_manager.bulk_create([twin])


# Append-only ---------------------------------------------------------------------------------


def test_entries_cannot_be_changed_or_deleted_through_the_orm(demo_users):
    entry = record_download(demo_users["reader"])
    entry.username = "someone-else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(username="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_create([AuditEntry()])
    assert AuditEntry.objects.get(pk=entry.pk).username == "reader"
    assert verify().ok


def test_deleting_the_user_keeps_the_evidence(users):
    entry = record_download(users["member"])
    users["member"].delete()
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.user is None and entry.username == "t-member"
    assert verify().ok


# Sign-in events ------------------------------------------------------------------------------


def test_sign_in_sign_out_and_failed_sign_in_are_recorded(demo_users):
    from tests.conftest import DEMO_PASSWORD

    client = Client(REMOTE_ADDR="198.51.100.20", HTTP_USER_AGENT="SignInTest")
    assert not client.login(username="reader", password="wrong")
    failed = AuditEntry.objects.first()
    assert (failed.action, failed.outcome) == (Action.SIGN_IN_FAILED, Outcome.FAILED)
    assert failed.detail == {"username": "reader"}  # the password is not kept, not even masked

    assert client.login(username="reader", password=DEMO_PASSWORD)
    signed_in = AuditEntry.objects.first()
    assert (signed_in.action, signed_in.username) == (Action.SIGN_IN, "reader")
    client.logout()
    assert AuditEntry.objects.first().action == Action.SIGN_OUT
    assert verify().ok


def test_a_refused_openid_connect_sign_in_keeps_the_reason_not_the_secrets():
    from django.contrib.auth.signals import user_login_failed

    request = RequestFactory().get("/oidc/callback/", REMOTE_ADDR="198.51.100.21")
    request.user = AnonymousUser()
    credentials = {"oidc": "state-unknown", "id_token": "eyJsecret", "password": "x"}
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    failed = AuditEntry.objects.first()
    assert (failed.action, failed.ip) == (Action.SIGN_IN_FAILED, "198.51.100.21")
    assert failed.detail == {"oidc": "state-unknown"}


# Staff views ---------------------------------------------------------------------------------


def admin_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_staff_look_up_who_downloaded_a_copy(demo_users):
    entry = record_download(demo_users["reader"])
    response = admin_client(demo_users["admin"]).get(
        reverse("audit:lookup"), {"download_id": f" {entry.download_id} "}
    )
    assert response.status_code == 200
    html = response.content.decode()
    for shown in ("reader", entry.organization_name, entry.document_title, "203.0.113.7"):
        assert shown in html
    assert f'data-audit-entry="{entry.sequence}"' in html
    assert "no longer matches its hash" not in html


def test_lookup_warns_when_the_entry_was_edited(demo_users):
    entry = record_download(demo_users["reader"])
    AuditEntry._base_manager.filter(pk=entry.pk).update(username="scapegoat")
    response = admin_client(demo_users["admin"]).get(
        reverse("audit:lookup"), {"download_id": entry.download_id}
    )
    assert "no longer matches its hash" in response.content.decode()


def test_lookup_of_an_unknown_id(demo_users):
    response = admin_client(demo_users["admin"]).get(
        reverse("audit:lookup"), {"download_id": "nosuchid0000"}
    )
    assert "No download has this id." in response.content.decode()


@pytest.mark.parametrize("who", ["reader", "editor"])
def test_others_are_refused(demo_users, who):
    entry = record_download(demo_users["reader"])
    client = admin_client(demo_users[who])
    for url in (reverse("audit:lookup"), reverse("audit:entries"), reverse("audit:verify")):
        response = client.get(url, {"download_id": entry.download_id})
        assert response.status_code in (302, 403)
        assert entry.user_email not in response.content.decode()


def test_the_view_permission_opens_the_log_to_a_group(demo_users):
    editor = demo_users["editor"]
    editor.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    entry = record_download(demo_users["reader"])
    response = admin_client(editor).get(reverse("audit:lookup"), {"download_id": entry.download_id})
    assert response.status_code == 200
    assert entry.user_email in response.content.decode()


def test_the_reports_menu_offers_the_log_only_to_those_allowed(demo_users):
    home = reverse("wagtailadmin_home")
    assert "audit-download-lookup" in admin_client(demo_users["admin"]).get(home).content.decode()
    assert "audit-" not in admin_client(demo_users["editor"]).get(home).content.decode()


def test_the_listing_filters_entries(demo_users):
    entry = record_download(demo_users["reader"])
    record(Action.SIGN_OUT, outcome=Outcome.OK, user=demo_users["editor"])
    client = admin_client(demo_users["admin"])
    response = client.get(reverse("audit:entries_results"), {"action": "download"})
    html = response.content.decode()
    assert response.status_code == 200
    assert entry.download_id in html
    assert "Sign-out" not in html
    response = client.get(reverse("audit:entries"), {"export": "csv"})
    assert entry.download_id in b"".join(response.streaming_content).decode()


TOKENS_PAGE = "/en/accounts/api-tokens/"


def listed_rows(response) -> list[str]:
    """The text of each row of the audit listing's results, its cells separated by "|"."""
    body = response.content.decode().partition("<tbody>")[2].partition("</tbody>")[0]
    rows = body.split("<tr")[1:]
    cells = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
    return [" | ".join(strip_tags(c).strip() for c in cells.findall(row)) for row in rows]


def test_staff_filter_the_log_by_personal_api_token_actions(demo_users):
    """A reader makes and revokes a personal API token on their account page; staff find each
    under its own action in the audit log's filter, labelled, and nothing else with it."""
    record(Action.SIGN_OUT, outcome=Outcome.OK, user=demo_users["editor"])
    reader = admin_client(demo_users["reader"])
    form = form_with_button(reader.get(TOKENS_PAGE).content.decode(), "Make token")
    data = {**form.data("Make token"), "name": "Audit export", "lifetime": "30"}
    assert reader.post(TOKENS_PAGE, data).status_code == 200
    form = form_with_button(reader.get(TOKENS_PAGE).content.decode(), "Revoke")
    assert reader.post(form.action, form.data("Revoke")).status_code == 302

    staff = admin_client(demo_users["admin"])
    for action, label in (
        ("api_token_created", "API token created"),
        ("api_token_revoked", "API token revoked"),
    ):
        page = staff.get(reverse("audit:entries"), {"action": action}).content.decode()
        assert f'<option value="{action}" selected>{label}</option>' in page
        entry = AuditEntry.objects.get(action=action)
        response = staff.get(reverse("audit:entries_results"), {"action": action})
        assert response.status_code == 200
        [row] = listed_rows(response)
        assert row.startswith(f"{entry.sequence} | ") and f" | {label} | OK | reader | " in row


def test_staff_verify_from_the_admin(demo_users):
    chain_of(2, demo_users["reader"])
    client = admin_client(demo_users["admin"])
    assert "chain intact" in client.post(reverse("audit:verify")).content.decode()
    sql("UPDATE {table} SET outcome = %s WHERE sequence = 1", ["denied"])
    html = client.post(reverse("audit:verify")).content.decode()
    assert "broken at entry 1 (altered)" in html
