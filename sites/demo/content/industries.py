"""The demo's industry pages other than financial services: an introduction each. They list no
offerings, so each page points readers to its industry's data protection documents
(sites/templates/cms/industry_page.html)."""

INDUSTRY_INTROS = {
    "government": (
        "<p>Public agencies run citizen services and case management on our cloud under "
        "government security baselines. Our NIST SP 800-53 controls, data residency commitments "
        "and incident notification terms are documented for your accreditation and "
        "procurement teams.</p>"
    ),
    "healthcare": (
        "<p>Hospitals, insurers and life-science firms keep patient data on our services. We sign "
        "business associate agreements, encrypt health records at rest and in transit, and "
        "publish the guidance your privacy officer needs for a data protection impact "
        "assessment.</p>"
    ),
    "retail": (
        "<p>Retailers take card payments and keep loyalty data on our platform. Our PCI DSS "
        "attestation covers the payment services, and our privacy resources explain how to "
        "meet consumer-data rules in each country you sell in.</p>"
    ),
}
