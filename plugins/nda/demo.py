"""Demo NDA for ``seed_demo``: one version in effect."""

from datetime import timedelta

from django.utils import timezone
from wagtail.models import Locale

from .models import NdaVersion

TEXT = """NON-DISCLOSURE AGREEMENT FOR COMPLIANCE MATERIALS

1. Confidential information. The audit reports, penetration test summaries, risk assessments and other materials marked as requiring this agreement ("Compliance Materials") are confidential information of the provider.

2. Permitted use. You may use the Compliance Materials only to evaluate the provider's services for your organization, and share them only with your employees, auditors and regulators who need to know them and are bound by obligations of confidentiality at least as protective as these.

3. No other rights. Nothing in the Compliance Materials is a warranty or an amendment of your agreement with the provider.

4. Term. This agreement applies to each item for three years after you download it.

5. Traceability. Each copy you download carries your name, organization and a download identifier."""


def seed(log=print) -> None:
    locale = Locale.get_default()
    if NdaVersion.objects.filter(locale=locale, version_label="2026-01").exists():
        return
    nda = NdaVersion(
        locale=locale,
        version_label="2026-01",
        title="Non-disclosure agreement",
        text=TEXT,
        effective_at=timezone.now() - timedelta(days=1),
    )
    nda.save()
    nda.save_revision().publish()
    log("NDA: version 2026-01 in effect")
