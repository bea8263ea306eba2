"""What a plugin may add to the access policy (``PluginConfig.access_rules``)."""

from __future__ import annotations

from django.db.models import Q


class AccessRule:
    """A rule consulted by ``cms.access.policy``. Every method may abstain by returning ``None``.

    Rules can only ever *grant* what the core leaves to them (NDA acceptance, extra entitlement
    to restricted documents); they cannot open a document the core policy hides.
    """

    def nda_satisfied(self, user) -> bool | None:
        """Has this signed-in user accepted the NDA that is current now?"""
        return None

    def accepted_nda_label(self, user) -> str | None:
        """The label of the NDA version under which ``user`` gets NDA files (for the audit log)."""
        return None

    def nda_accept_url(self, request) -> str | None:
        """Where a reader goes to review and accept the current NDA."""
        return None

    def restricted_visible_q(self, user) -> Q | None:
        """Extra condition (on TrustDocument) under which a restricted document is entitled."""
        return None
