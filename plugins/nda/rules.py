from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from cms.models import organization_of
from cms.plugins.access import AccessRule

from .models import NdaAcceptance, NdaVersion, OfflineNdaAgreement


class NdaAccepted(AccessRule):
    """The current NDA counts as accepted when the user accepted exactly that version, or their
    organization signed it outside the portal (and that agreement is still valid)."""

    def nda_satisfied(self, user) -> bool:
        cached = getattr(user, "_trustportal_nda_ok", None)
        if cached is not None:
            return cached
        current = NdaVersion.current()
        satisfied = False
        if current is not None:
            satisfied = NdaAcceptance.objects.filter(user=user, nda_version=current).exists()
            organization = organization_of(user)
            if not satisfied and organization is not None:
                offline = OfflineNdaAgreement.objects.filter(organization=organization).first()
                satisfied = bool(offline and offline.is_valid())
        user._trustportal_nda_ok = satisfied
        return satisfied

    def input_models(self):
        return ("nda.NdaAcceptance", "nda.NdaVersion", "nda.OfflineNdaAgreement")

    def entitlement_expires(self, user):
        """A version published to take effect later becomes current by the clock, and an
        organization's offline agreement lapses after its last valid day."""
        moments = []
        upcoming = (
            NdaVersion.objects.filter(live=True, effective_at__gt=timezone.now())
            .order_by("effective_at")
            .values_list("effective_at", flat=True)
            .first()
        )
        if upcoming is not None:
            moments.append(upcoming)
        organization = organization_of(user)
        if organization is not None:
            offline = OfflineNdaAgreement.objects.filter(organization=organization).first()
            if offline is not None and offline.valid_until is not None:
                day_after = offline.valid_until + timedelta(days=1)
                moments.append(timezone.make_aware(datetime.combine(day_after, time.min)))
        return min(moments, default=None)

    def accepted_nda_label(self, user) -> str | None:
        if not self.nda_satisfied(user):
            return None
        current = NdaVersion.current()
        accepted = NdaAcceptance.objects.filter(user=user, nda_version=current).exists()
        return current.version_label if accepted else f"{current.version_label} (signed offline)"

    def nda_accept_url(self, request) -> str:
        return reverse("nda:accept") + f"?next={request.get_full_path()}"
