"""``/api/v3/notifications/settings/``: what the settings page sets — whether and how often to
e-mail updates (also of the subprocessors list, for who opts in), and where (a new address is
confirmed by the same e-mailed link) — and the update feed's secret address, which the page
shows and can replace."""

from __future__ import annotations

from typing import Literal

from django.conf import settings
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from wagtail.api.v3.errors import ProblemDetail, problem_response

from cms.access import ratelimit
from cms.api.common import reject_unknown_parameters

from ..confirmation import send_confirmation
from ..forms import NotificationSettingsForm
from ..models import Frequency, NotificationSettings, new_feed_token
from .common import SIGNED_IN, refuse_invalid

router = Router(auth=SIGNED_IN)

FrequencyName = Literal[tuple(Frequency.values)]  # type: ignore[valid-type]
LanguageCode = Literal[tuple(code for code, _name in settings.LANGUAGES)]  # type: ignore[valid-type]


class NotificationSettingsSchema(Schema):
    enabled: bool
    frequency: FrequencyName
    #: The confirmed address e-mails go to; null until one is confirmed.
    email: str | None
    #: An address waiting for its confirmation link to be followed, else null.
    pending_email: str | None
    #: Whether e-mails are sent: enabled, with a confirmed address.
    active: bool
    #: Also e-mail changes to the subprocessors list (only while e-mail is enabled).
    subprocessor_changes: bool
    #: The language of the e-mails.
    language: LanguageCode
    #: The update feed (JSON Feed); its secret address is the only credential feed readers need.
    feed_url: str


class NotificationSettingsPatch(Schema):
    """Only the fields sent are changed. A new ``email`` gets a confirmation link, as on the
    site; ``null`` or ``""`` removes the address. ``frequency`` changes only while e-mail is
    enabled (or with ``enabled: true`` in the same request)."""

    enabled: bool | None = None
    frequency: FrequencyName | None = None
    subprocessor_changes: bool | None = None
    email: str | None = Field(None, max_length=254)
    language: LanguageCode | None = None


#: 403: a browser session without its CSRF token.
PROBLEMS = {400: ProblemDetail, 401: ProblemDetail, 403: ProblemDetail}

#: Fields a PATCH may change but not empty with null.
NOT_NULL = ("enabled", "frequency", "subprocessor_changes", "language")


def _preferences(user) -> NotificationSettings:
    preferences, _created = NotificationSettings.objects.get_or_create(user=user)
    return preferences


def _answer(request, preferences: NotificationSettings) -> NotificationSettingsSchema:
    feed = reverse("notifications:feed", args=[preferences.feed_token])
    return NotificationSettingsSchema(
        enabled=preferences.enabled,
        frequency=preferences.frequency,
        email=preferences.email or None,
        pending_email=preferences.pending_email or None,
        active=preferences.active,
        subprocessor_changes=preferences.subprocessor_changes,
        language=preferences.language,
        feed_url=request.build_absolute_uri(feed),
    )


@router.get(
    "/",
    response={200: NotificationSettingsSchema, 401: ProblemDetail},
    operation_id="notifications_settings",
    summary="The caller's notification settings and update feed",
)
def get_settings(request):
    reject_unknown_parameters(request, set())
    return _answer(request, _preferences(request.user))


@router.patch(
    "/",
    response={200: NotificationSettingsSchema, **PROBLEMS, 429: ProblemDetail},
    operation_id="notifications_settings_update",
    summary="Change the caller's notification settings",
)
def update_settings(request, patch: NotificationSettingsPatch):
    """Checked by the settings page's form: the address must be in one of the caller's
    organization's verified domains (personal accounts have none), and enabling needs one.
    A new address is only pending until its link, e-mailed to it, is followed; sending the same
    pending address again mails nothing more (remove it, then send it, to get a new link)."""
    reject_unknown_parameters(request, set())
    changes = patch.dict(exclude_unset=True)
    for name in NOT_NULL:
        if name in changes and changes[name] is None:
            raise HttpError(400, f"{name} cannot be null.")
    preferences = _preferences(request.user)
    current_email = preferences.pending_email or preferences.email
    form = NotificationSettingsForm(
        {
            "enabled": changes.get("enabled", preferences.enabled),
            "frequency": changes.get("frequency", preferences.frequency),
            "subprocessor_changes": changes.get(
                "subprocessor_changes", preferences.subprocessor_changes
            ),
            "email": (changes["email"] or "") if "email" in changes else current_email,
        },
        instance=preferences,
        user=request.user,
    )
    refuse_invalid(form)
    if "frequency" in changes and form.cleaned_data["frequency"] != changes["frequency"]:
        # The page's form keeps the frequency while e-mail is off; say so rather than ignore it.
        raise HttpError(400, "frequency: It can only be changed while e-mail is enabled.")
    preferences = form.save(commit=False)
    preferences.language = changes.get("language") or preferences.language
    email = form.cleaned_data["email"]
    if "email" in changes:
        if not email:
            preferences.email = preferences.pending_email = ""
        elif email not in (preferences.email, preferences.pending_email):
            # Each new address mails a confirmation: a flood of them is refused.
            if ratelimit.exceeded("confirmation_mail", ratelimit.requester(request)):
                _count, window = ratelimit.limit_for("confirmation_mail")
                refused = problem_response(
                    status=429, detail=f"Too many new addresses: try again in {window} seconds."
                )
                refused["Retry-After"] = str(window)
                return refused
            preferences.pending_email = email
            send_confirmation(request.user, email, preferences.language)
        elif email == preferences.email:
            # Back to the confirmed address: the one waiting is dropped.
            preferences.pending_email = ""
    preferences.save()
    return _answer(request, preferences)


@router.post(
    "/feed-secret/",
    response={200: NotificationSettingsSchema, 401: ProblemDetail, 403: ProblemDetail},
    operation_id="notifications_feed_secret_rotate",
    summary="Give the update feed a new secret address",
)
def rotate_feed_secret(request):
    """The feed's old address answers 404 from now on; the answer holds the new one."""
    reject_unknown_parameters(request, set())
    preferences = _preferences(request.user)
    preferences.feed_token = new_feed_token()
    preferences.save(update_fields=["feed_token"])
    return _answer(request, preferences)
