"""The demo portal's content: a provider of cloud services publishing its compliance material."""

SERVICES = [
    ("compute", "Cloud Compute"),
    ("storage", "Object Storage"),
    ("database", "Managed Database"),
    ("identity", "Identity Platform"),
    ("collaboration", "Collaboration Suite"),
]

# (slug, name, section)
CATEGORIES = [
    ("audit-report", "Audit reports", "audit-reports"),
    ("certificate", "Certificates", "audit-reports"),
    ("bridge-letter", "Bridge letters", "audit-reports"),
    ("white-paper", "White papers", "data-protection"),
    ("faq", "FAQs", "data-protection"),
    ("pen-test", "Penetration test summaries", "data-protection"),
    ("risk-tool", "Risk assessment tools", "data-protection"),
    ("compliance-guide", "Compliance guides", "data-protection"),
    ("legal-opinion", "Legal opinions", "data-protection"),
    ("blueprint-government", "Government blueprints", "blueprints"),
    ("blueprint-finance", "Finance blueprints", "blueprints"),
    ("blueprint-healthcare", "Healthcare blueprints", "blueprints"),
    ("blueprint-retail", "Retail blueprints", "blueprints"),
]

STANDARDS = [
    ("iso-27001", "ISO/IEC 27001"),
    ("iso-27017", "ISO/IEC 27017"),
    ("iso-27018", "ISO/IEC 27018"),
    ("iso-22301", "ISO 22301"),
    ("soc-1", "SOC 1"),
    ("soc-2", "SOC 2"),
    ("soc-3", "SOC 3"),
    ("nist-800-53", "NIST SP 800-53"),
    ("nist-csf", "NIST Cybersecurity Framework"),
    ("fedramp", "FedRAMP"),
    ("gdpr", "GDPR"),
    ("pci-dss", "PCI DSS"),
    ("hipaa", "HIPAA"),
    ("c5", "C5"),
    ("ens", "ENS"),
]

# (slug, name, ISO country code)
REGIONS = [
    ("australia", "Australia", "AU"),
    ("canada", "Canada", "CA"),
    ("czech-republic", "Czech Republic", "CZ"),
    ("denmark", "Denmark", "DK"),
    ("germany", "Germany", "DE"),
    ("poland", "Poland", "PL"),
    ("romania", "Romania", "RO"),
    ("spain", "Spain", "ES"),
    ("united-kingdom", "United Kingdom", "GB"),
    ("united-states", "United States", "US"),
]

INDUSTRIES = [
    ("financial-services", "Financial services"),
    ("government", "Government"),
    ("healthcare", "Healthcare"),
    ("retail", "Retail"),
]

ALL_SERVICES = [slug for slug, _name in SERVICES]
