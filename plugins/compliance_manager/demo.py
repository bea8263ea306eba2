"""Demo content for ``seed_demo``: the built-in templates and our mapping between their shared
controls, the demo organization's contributor, and a sample assessment for the demo
organization's reader so the dashboard has something to show."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from cms.models import organization_of

from .models import (
    Assessment,
    ComplianceRole,
    ProviderTestResult,
    Responsibility,
    Role,
    Template,
)
from .oscal import BUILTIN_CATALOGS, BUILTIN_MAPPINGS
from .oscal.importing import import_file
from .oscal.mapping_importing import import_mapping_file
from .workflow import create_assessment

#: Families the provider runs for its customers in the demo (the rest stay customer-managed).
PROVIDER_FAMILIES = {"pe", "ma", "mp"}
SHARED_FAMILIES = {"ia", "sc"}


def seed(log=print) -> None:
    for path in BUILTIN_CATALOGS:
        report = import_file(path)
        if report.template_created:
            log(report.summary())
    # Our own mapping between the two baselines' shared controls (see its README).
    for path in BUILTIN_MAPPINGS:
        mapping = import_mapping_file(path)
        if mapping.created:
            log(mapping.summary())
    low = Template.objects.filter(title__icontains="LOW").first()
    if low is None:
        return
    low.controls.filter(family__oscal_id__in=PROVIDER_FAMILIES).update(
        responsibility=Responsibility.PROVIDER,
        implementation_description=(
            "Operated by the provider in its data centers; "
            "reviewed yearly by an independent auditor."
        ),
        tester="Independent auditor",
        test_result=ProviderTestResult.PASSED,
    )
    low.controls.filter(family__oscal_id__in=SHARED_FAMILIES).update(
        responsibility=Responsibility.SHARED,
        implementation_description=(
            "The provider secures the platform; customers configure their tenants."
        ),
        test_result=ProviderTestResult.PASSED,
    )
    reader = get_user_model().objects.filter(username="reader").first()
    organization = organization_of(reader) if reader else None
    if organization is None:
        return
    # The demo's second member works on action items (Rita, the organization's administrator,
    # is an administrator of Compliance Manager without a role of her own).
    contributor = get_user_model().objects.filter(username="contributor").first()
    if contributor is not None and organization_of(contributor) == organization:
        ComplianceRole.objects.get_or_create(
            user=contributor, defaults={"organization": organization, "role": Role.CONTRIBUTOR}
        )
    if Assessment.objects.filter(organization=organization).exists():
        return
    assessment = create_assessment(
        organization, low, "NIST SP 800-53 LOW for our tenant", "Cloud platform", reader
    )
    log(f"Compliance Manager: sample assessment “{assessment.title}”")
