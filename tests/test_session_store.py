"""The session store (``cms.accounts.sessions``): Django's database sessions, loaded by one
hand-written query that reads the entitlement stamp and the carried values along; and the
session's user, read by hand too (``cms.accounts.backends``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from cms.accounts.backends import OIDCBackend, PasswordBackend, user_by_pk
from cms.accounts.sessions import SessionStore
from cms.database import carried_reads
from cms.models import EntitlementStamp
from search.facets import GENERATION_READ, bump_generation, current_generation
from search.models import MEMBER_PAGES_READ, MemberPagesStamp
from tests.helpers import make_user


@pytest.fixture
def saved():
    """A session written by Django's own store."""
    store = db.SessionStore()
    store["_auth_user_id"] = "42"
    store["wagtail-preview"] = {"nested": [1, "two"]}
    store.create()
    return store.session_key


@pytest.mark.django_db
def test_loads_what_djangos_store_wrote(saved):
    ours = SessionStore(saved)
    assert dict(ours.items()) == dict(db.SessionStore(saved).items())
    assert ours.session_key == saved


@pytest.mark.django_db
def test_reads_the_stamps_and_the_generation_along(saved):
    EntitlementStamp.change()
    MemberPagesStamp.change()
    bump_generation()
    store = SessionStore(saved)
    store.load()
    assert store.entitlement_stamp == EntitlementStamp.current()
    assert store.carried_reads[GENERATION_READ] == current_generation()
    assert store.carried_reads[MEMBER_PAGES_READ] == MemberPagesStamp.current()
    assert set(store.carried_reads) == set(carried_reads()[0])


@pytest.mark.django_db
def test_an_expired_or_unknown_session_is_empty_and_forgotten(saved):
    Session.objects.filter(session_key=saved).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    for key in (saved, "x" * 32):
        store = SessionStore(key)
        assert dict(store.items()) == {}
        assert store.session_key is None
        assert store.carried_reads is None


@pytest.mark.django_db
def test_a_saved_change_is_loaded_again(saved):
    store = SessionStore(saved)
    store["language"] = "de"
    store.save()
    assert SessionStore(saved)["language"] == "de"


# --- The session's user (``cms.accounts.backends.user_by_pk``) --------------------------------


@pytest.mark.django_db
def test_the_sessions_user_is_the_orms():
    user = make_user("t-session-user", first_name="Sé", email="s@example.test")
    read = user_by_pk(str(user.pk))  # a session holds the key as text
    expected = get_user_model().objects.get(pk=user.pk)
    for field in get_user_model()._meta.concrete_fields:
        ours, theirs = getattr(read, field.attname), getattr(expected, field.attname)
        assert (ours, type(ours)) == (theirs, type(theirs)), field.name
    assert read._state.adding is False and read._state.db == "default"


@pytest.mark.django_db
def test_no_user_for_an_unknown_or_invalid_key_or_an_inactive_one():
    user = make_user("t-session-inactive", is_active=False)
    assert user_by_pk("999999999") is None
    assert user_by_pk("not a number") is None
    with transaction.atomic():  # PostgreSQL refuses the number; the test's transaction goes on
        assert user_by_pk(str(2**70)) is None
    assert PasswordBackend().get_user(str(user.pk)) is None
    assert OIDCBackend().get_user(str(user.pk)).pk == user.pk  # as the library's: any user
