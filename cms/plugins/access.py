"""What a plugin may add to the access policy (``PluginConfig.access_rules``): part of the plugin
contract, so it lives with it and loads no model."""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
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

    def input_models(self) -> Iterable[str]:
        """Labels (``"app.Model"``) of the models this rule's answers are read from. A member's
        entitlement profile is cached across requests (``cms/access/profile.py``) until a write
        to one of these, or to the core's own inputs, changes it: a model left out here is a
        change of entitlement that members would not see until the cache expires."""
        return ()

    def entitlement_expires(self, user):
        """When this rule's answer for ``user`` changes by itself, with no write (an agreement
        that lapses on a date): an aware datetime, or None."""
        return None

    def nda_accept_url(self, request) -> str | None:
        """Where a reader goes to review and accept the current NDA."""
        return None

    def restricted_visible_q(self, user) -> Q | None:
        """Extra condition (on TrustDocument) under which a restricted document is entitled."""
        return None

    def restricted_visible_pairs(self, users: list, document_ids: Iterable[int]) -> set:
        """``(user id, document id)`` pairs this rule entitles among ``document_ids`` (restricted
        documents), for many users at once (the policy's batch answer, e.g. for a batch of
        e-mails). The default asks
        ``restricted_visible_q`` user by user, a query each; override it to answer in one."""
        # From the app registry, not imported: plugins import this class in their AppConfig,
        # before any model is loaded.
        TrustDocument = apps.get_model("cms", "TrustDocument")
        pairs = set()
        for user in users:
            condition = self.restricted_visible_q(user)
            if condition is None:
                continue
            entitled = TrustDocument.objects.filter(condition, pk__in=list(document_ids))
            pairs |= {(user.pk, pk) for pk in entitled.values_list("pk", flat=True)}
        return pairs
