from django.urls import reverse

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

    def accepted_nda_label(self, user) -> str | None:
        if not self.nda_satisfied(user):
            return None
        current = NdaVersion.current()
        accepted = NdaAcceptance.objects.filter(user=user, nda_version=current).exists()
        return current.version_label if accepted else f"{current.version_label} (signed offline)"

    def nda_accept_url(self, request) -> str:
        return reverse("nda:accept") + f"?next={request.get_full_path()}"
