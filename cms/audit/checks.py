"""``check --deploy``: the audit chain must be signed with a key of its own."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .keys import DERIVED_KEY_ID, MIN_SECRET_LENGTH, configured_pairs

HINT = (
    "Set TRUSTPORTAL_AUDIT_KEYS=<id>=<secret> with a random secret of its own, e.g. "
    'python -c "import secrets; print(secrets.token_urlsafe(48))"; keep old keys after it.'
)


def check_audit_keys(app_configs=None, **kwargs):
    try:
        pairs = configured_pairs()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="audit.E001")]
    if not pairs or pairs[0][0] == DERIVED_KEY_ID:
        return [
            checks.Warning(
                "The audit chain is signed with a key derived from SECRET_KEY: whoever has "
                "SECRET_KEY and write access to the database can rewrite the audit log.",
                hint=HINT,
                id="audit.W001",
            )
        ]
    warnings = []
    for key_id, secret in pairs:
        if key_id != DERIVED_KEY_ID and secret == settings.SECRET_KEY:
            warnings.append(
                checks.Warning(
                    f"Audit key {key_id!r} is SECRET_KEY: the audit chain needs a key of its own.",
                    hint=HINT,
                    id="audit.W002",
                )
            )
    current_id, current_secret = pairs[0]
    if len(current_secret) < MIN_SECRET_LENGTH:
        warnings.append(
            checks.Warning(
                f"Audit key {current_id!r} is shorter than {MIN_SECRET_LENGTH} characters.",
                hint=HINT,
                id="audit.W003",
            )
        )
    return warnings
