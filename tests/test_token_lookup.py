"""The bearer token lookup every member's API request makes first (``cms.api.tokens``): one
hand-written query, whose token, user and personal token are the instances the ORM would load,
on both databases (SQLite answers datetimes as text and UUIDs as hex, which must be converted)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import APIToken

from cms.access.profile import profile_of
from cms.accounts.models import PersonalAPIToken
from cms.api.tokens import _resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return get_user_model().objects.create_user("token-owner", "owner@example.com", "x")


def personal(user, expires_in=timedelta(days=1)) -> tuple[APIToken, str]:
    token, plaintext = APIToken.create_token(user=user, name="ci")
    PersonalAPIToken.objects.create(
        token=token, expires_at=timezone.now() + expires_in, submission=uuid.uuid4()
    )
    return token, plaintext


def field_values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def test_a_personal_token_resolves_in_one_query_as_the_orm_loads_it(member):
    token, plaintext = personal(member)
    token.last_used_at = timezone.now() - timedelta(minutes=5)
    token.save()
    with CaptureQueriesContext(connection) as queries:
        resolved = _resolve(plaintext)
    assert len(queries) == 1
    assert field_values(resolved) == field_values(APIToken.objects.get(pk=token.pk))
    assert field_values(resolved.user) == field_values(member.__class__.objects.get(pk=member.pk))
    stored = PersonalAPIToken.objects.get(pk=token.pk)
    assert field_values(resolved.personal) == field_values(stored)
    # The converted types, not only equal text: what the callers compute with.
    assert isinstance(resolved.last_used_at, type(timezone.now()))
    assert resolved.last_used_at.tzinfo is not None
    assert isinstance(resolved.personal.submission, uuid.UUID)
    assert resolved.user.is_active is True
    # Nothing left to load: the relations are the instances read with the token.
    with CaptureQueriesContext(connection) as queries:
        assert resolved.user.username == "token-owner"
        assert resolved.personal.token is resolved
    assert len(queries) == 0


def test_a_staff_token_has_no_expiry_and_resolves(member):
    token, plaintext = APIToken.create_token(user=member, name="staff-made")
    resolved = _resolve(plaintext)
    assert resolved.pk == token.pk
    assert not hasattr(resolved, "personal") or resolved.personal is None


def test_expired_revoked_and_unknown_tokens_do_not_resolve(member):
    _expired, expired = personal(member, expires_in=timedelta(seconds=-1))
    revoked_token, revoked = personal(member)
    revoked_token.revoked_at = timezone.now()
    revoked_token.save()
    assert _resolve(expired) is None
    assert _resolve(revoked) is None
    assert _resolve("wagtail_" + "A" * 40) is None


def test_a_token_made_under_the_previous_secret_key_still_resolves(settings, member):
    token, plaintext = personal(member)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-after-a-rotation-" + "x" * 30
    assert _resolve(plaintext).pk == token.pk
    settings.SECRET_KEY_FALLBACKS = []
    assert _resolve(plaintext) is None


def test_the_entitlement_stamp_read_with_the_token_serves_the_profile(member):
    _token, plaintext = personal(member)
    profile_of(_resolve(plaintext).user)  # worked out and kept under the current stamp
    resolved = _resolve(plaintext)
    with CaptureQueriesContext(connection) as queries:
        assert profile_of(resolved.user) == profile_of(member.__class__.objects.get(pk=member.pk))
    # The second user object, loaded by hand, reads the stamp (and itself); the token's did not.
    assert len(queries) == 2, [q["sql"] for q in queries]
