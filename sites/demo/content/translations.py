"""Demo translations, applied through wagtail-localize."""

# Demo translations of document metadata (German and French), applied through wagtail-localize.
DOCUMENT_TRANSLATIONS = {
    "security-white-paper": {
        "de": (
            "Whitepaper: Sicherheitsüberblick",
            "Wie die Plattform Kundendaten schützt: Organisation, Personal, physische Sicherheit, Verschlüsselung, Überwachung.",
        ),
        "fr": (
            "Livre blanc : vue d'ensemble de la sécurité",
            "Comment la plateforme protège les données des clients : organisation, personnel, sécurité physique, chiffrement, surveillance.",
        ),
    },
    "gdpr-white-paper": {
        "de": (
            "DSGVO-Whitepaper",
            "Wie die Dienste Kunden helfen, ihre Pflichten als Verantwortliche und Auftragsverarbeiter nach der DSGVO zu erfüllen.",
        ),
        "fr": (
            "Livre blanc RGPD",
            "Comment les services aident les clients à respecter leurs obligations de responsables du traitement et de sous-traitants au titre du RGPD.",
        ),
    },
    "soc-2-type-2": {
        "de": (
            "SOC-2-Typ-2-Bericht",
            "Bericht des unabhängigen Prüfers über Kontrollen zu Sicherheit, Verfügbarkeit und Vertraulichkeit über zwölf Monate.",
        ),
    },
    "iso-27001-certificate": {
        "de": (
            "ISO/IEC-27001-Zertifikat",
            "Konformitätszertifikat des Informationssicherheits-Managementsystems.",
        ),
        "fr": (
            "Certificat ISO/IEC 27001",
            "Certificat de conformité du système de management de la sécurité de l'information.",
        ),
    },
}

CATEGORY_TRANSLATIONS = {
    "de": {
        "Audit reports": "Prüfberichte",
        "Certificates": "Zertifikate",
        "White papers": "Whitepaper",
        "FAQs": "Häufige Fragen",
        "Legal opinions": "Rechtsgutachten",
        "Penetration test summaries": "Zusammenfassungen von Penetrationstests",
    },
    "fr": {
        "Audit reports": "Rapports d'audit",
        "Certificates": "Certificats",
        "White papers": "Livres blancs",
        "FAQs": "FAQ",
        "Legal opinions": "Avis juridiques",
    },
}

PAGE_TRANSLATIONS = {
    "de": {
        "Trust Portal": "Trust-Portal",
        "Trust Documents": "Vertrauensdokumente",
        "Audit Reports": "Prüfberichte",
        "Data Protection": "Datenschutz",
        "Blueprints": "Blaupausen",
        "Industries & Regions": "Branchen & Regionen",
    },
    "fr": {
        "Trust Portal": "Portail de confiance",
        "Trust Documents": "Documents de confiance",
        "Audit Reports": "Rapports d'audit",
        "Data Protection": "Protection des données",
        "Blueprints": "Plans directeurs",
        "Industries & Regions": "Secteurs et régions",
    },
}
