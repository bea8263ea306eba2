"""Demo translations: every English text the demo seeds, in each shipped language, applied
through wagtail-localize (``sites/demo/translate.py``). Each entry reads (German, Spanish,
French, Japanese); the documents' texts are in ``document_translations``, the
versions' change notes in ``change_note_translations``."""

from .change_note_translations import CHANGE_NOTES
from .document_translations import DOCUMENTS
from .legal_opinion_translations import COUNTRIES, the_law_of
from .nda import NDA
from .taxonomy import REGIONS

LANGUAGES = ("de", "es", "fr", "ja")

# Taxonomy terms by their English name. Standards are proper names and stay as they are, except
# the GDPR, which each language abbreviates its own way.
TERMS = {
    # Cloud services
    "Cloud Compute": (
        "Cloud-Rechenleistung",
        "Cómputo en la nube",
        "Calcul cloud",
        "クラウドコンピューティング",
    ),
    "Object Storage": (
        "Objektspeicher",
        "Almacenamiento de objetos",
        "Stockage objet",
        "オブジェクトストレージ",
    ),
    "Managed Database": (
        "Verwaltete Datenbank",
        "Base de datos administrada",
        "Base de données managée",
        "マネージドデータベース",
    ),
    "Identity Platform": (
        "Identitätsplattform",
        "Plataforma de identidad",
        "Plateforme d'identité",
        "アイデンティティプラットフォーム",
    ),
    "Collaboration Suite": (
        "Kollaborationsplattform",
        "Suite de colaboración",
        "Suite collaborative",
        "コラボレーションスイート",
    ),
    # Categories
    "Audit reports": ("Prüfberichte", "Informes de auditoría", "Rapports d'audit", "監査報告書"),
    "Certificates": ("Zertifikate", "Certificados", "Certificats", "認証書"),
    "Bridge letters": (
        "Überbrückungsschreiben",
        "Cartas puente",
        "Lettres de transition",
        "ブリッジレター",
    ),
    "White papers": ("Whitepaper", "Libros blancos", "Livres blancs", "ホワイトペーパー"),
    "FAQs": ("Häufige Fragen", "Preguntas frecuentes", "FAQ", "よくある質問"),
    "Penetration test summaries": (
        "Zusammenfassungen von Penetrationstests",
        "Resúmenes de pruebas de penetración",
        "Synthèses de tests d'intrusion",
        "ペネトレーションテストの概要",
    ),
    "Risk assessment tools": (
        "Werkzeuge zur Risikobewertung",
        "Herramientas de evaluación de riesgos",
        "Outils d'évaluation des risques",
        "リスク評価ツール",
    ),
    "Compliance guides": (
        "Compliance-Leitfäden",
        "Guías de cumplimiento",
        "Guides de conformité",
        "コンプライアンスガイド",
    ),
    "Legal opinions": ("Rechtsgutachten", "Dictámenes jurídicos", "Avis juridiques", "法的意見書"),
    "Government blueprints": (
        "Blaupausen für Behörden",
        "Arquitecturas de referencia para el sector público",
        "Architectures de référence pour le secteur public",
        "政府機関向けブループリント",
    ),
    "Finance blueprints": (
        "Blaupausen für Finanzdienstleister",
        "Arquitecturas de referencia para finanzas",
        "Architectures de référence pour la finance",
        "金融向けブループリント",
    ),
    "Healthcare blueprints": (
        "Blaupausen für das Gesundheitswesen",
        "Arquitecturas de referencia para el sector sanitario",
        "Architectures de référence pour la santé",
        "医療向けブループリント",
    ),
    "Retail blueprints": (
        "Blaupausen für den Handel",
        "Arquitecturas de referencia para el comercio minorista",
        "Architectures de référence pour le commerce de détail",
        "小売向けブループリント",
    ),
    # Standards
    "GDPR": ("DSGVO", "RGPD", "RGPD", "GDPR"),
    "NIST Cybersecurity Framework": (
        "NIST Cybersecurity Framework",
        "Marco de Ciberseguridad del NIST",
        "Cadre de cybersécurité du NIST",
        "NIST サイバーセキュリティフレームワーク",
    ),
    # Industries (also the titles of their pages)
    "Financial services": (
        "Finanzdienstleistungen",
        "Servicios financieros",
        "Services financiers",
        "金融サービス",
    ),
    "Government": ("Öffentlicher Sektor", "Sector público", "Secteur public", "政府・公共機関"),
    "Healthcare": ("Gesundheitswesen", "Sanidad", "Santé", "医療"),
    "Retail": ("Handel", "Comercio minorista", "Commerce de détail", "小売"),
    # Regions (also the titles of their pages)
    **COUNTRIES,
}

# Pages: titles, introductions and the financial services page's body.
PAGES = {
    "Trust Portal": (
        "Trust-Portal",
        "Portal de confianza",
        "Portail de confiance",
        "トラストポータル",
    ),
    "Security, privacy and compliance documentation for our cloud services: audit reports, certificates, white papers and blueprints.": (
        "Dokumentation zu Sicherheit, Datenschutz und Compliance unserer Cloud-Dienste: Prüfberichte, Zertifikate, Whitepaper und Blaupausen.",
        "Documentación de seguridad, privacidad y cumplimiento de nuestros servicios en la nube: informes de auditoría, certificados, libros blancos y arquitecturas de referencia.",
        "Documentation de sécurité, de confidentialité et de conformité de nos services cloud : rapports d'audit, certificats, livres blancs et architectures de référence.",
        "当社クラウドサービスのセキュリティ、プライバシー、コンプライアンスに関する資料：監査報告書、認証書、ホワイトペーパー、ブループリント。",
    ),
    "Trust Documents": (
        "Vertrauensdokumente",
        "Documentos de confianza",
        "Documents de confiance",
        "トラストドキュメント",
    ),
    "Everything we publish about how our services keep your data safe.": (
        "Alles, was wir darüber veröffentlichen, wie unsere Dienste Ihre Daten schützen.",
        "Todo lo que publicamos sobre cómo nuestros servicios protegen sus datos.",
        "Tout ce que nous publions sur la façon dont nos services protègent vos données.",
        "当社のサービスがお客様のデータをどのように守っているかについて公開しているすべての資料。",
    ),
    "Audit Reports": ("Prüfberichte", "Informes de auditoría", "Rapports d'audit", "監査報告書"),
    "Data Protection": (
        "Datenschutz",
        "Protección de datos",
        "Protection des données",
        "データ保護",
    ),
    "Blueprints": (
        "Blaupausen",
        "Arquitecturas de referencia",
        "Architectures de référence",
        "ブループリント",
    ),
    "Industries & Regions": (
        "Branchen & Regionen",
        "Sectores y regiones",
        "Secteurs et régions",
        "業界と地域",
    ),
    "Compliance information for regulated industries and for the law of each country.": (
        "Compliance-Informationen für regulierte Branchen und zum Recht jedes Landes.",
        "Información de cumplimiento para sectores regulados y para la legislación de cada país.",
        "Informations de conformité pour les secteurs réglementés et pour le droit de chaque pays.",
        "規制業種向け、および各国の法律に関するコンプライアンス情報。",
    ),
    "Banks, insurers and capital markets firms run regulated workloads on our services.": (
        "Banken, Versicherer und Kapitalmarktunternehmen betreiben regulierte Workloads auf unseren Diensten.",
        "Bancos, aseguradoras y empresas de mercados de capitales ejecutan cargas de trabajo reguladas en nuestros servicios.",
        "Banques, assureurs et acteurs des marchés de capitaux exécutent des charges de travail réglementées sur nos services.",
        "銀行、保険会社、資本市場関連企業が、規制対象のワークロードを当社のサービスで運用しています。",
    ),
    "Compliance offerings": (
        "Compliance-Angebote",
        "Ofertas de cumplimiento",
        "Offres de conformité",
        "コンプライアンスへの取り組み",
    ),
    "SOC 1 and SOC 2": ("SOC 1 und SOC 2", "SOC 1 y SOC 2", "SOC 1 et SOC 2", "SOC 1 および SOC 2"),
    "Annual reports on controls over financial reporting and security.": (
        "Jährliche Berichte über Kontrollen der Finanzberichterstattung und der Sicherheit.",
        "Informes anuales sobre los controles de la información financiera y de la seguridad.",
        "Rapports annuels sur les contrôles de l'information financière et de la sécurité.",
        "財務報告とセキュリティに関する統制についての年次報告書。",
    ),
    "Level 1 service provider attestation.": (
        "Bescheinigung als Dienstleister der Stufe 1.",
        "Certificación como proveedor de servicios de nivel 1.",
        "Attestation de prestataire de services de niveau 1.",
        "レベル 1 サービスプロバイダーとしての証明。",
    ),
    "Frequently asked questions": (
        "Häufige Fragen",
        "Preguntas frecuentes",
        "Questions fréquentes",
        "よくある質問",
    ),
    "Can our regulator audit the provider?": (
        "Kann unsere Aufsichtsbehörde den Anbieter prüfen?",
        "¿Puede nuestro supervisor auditar al proveedor?",
        "Notre autorité de contrôle peut-elle auditer le fournisseur ?",
        "規制当局はプロバイダーを監査できますか？",
    ),
    "Yes. Our contracts grant audit and access rights to customers and their regulators.": (
        "Ja. Unsere Verträge räumen Kunden und ihren Aufsichtsbehörden Prüfungs- und Zugangsrechte ein.",
        "Sí. Nuestros contratos otorgan derechos de auditoría y de acceso a los clientes y a sus supervisores.",
        "Oui. Nos contrats accordent des droits d'audit et d'accès aux clients et à leurs autorités de contrôle.",
        "はい。当社の契約は、お客様とその規制当局に監査権とアクセス権を認めています。",
    ),
    "Where is our data stored?": (
        "Wo werden unsere Daten gespeichert?",
        "¿Dónde se almacenan nuestros datos?",
        "Où nos données sont-elles stockées ?",
        "データはどこに保存されますか？",
    ),
    "In the regions you choose; we do not move it elsewhere without your instruction.": (
        "In den Regionen, die Sie wählen; ohne Ihre Weisung verlagern wir sie nicht.",
        "En las regiones que usted elija; no los trasladamos a otro lugar sin sus instrucciones.",
        "Dans les régions que vous choisissez ; nous ne les déplaçons pas ailleurs sans votre instruction.",
        "お客様が選択したリージョンに保存されます。お客様の指示なく他の場所へ移すことはありません。",
    ),
    "Success stories": ("Erfolgsgeschichten", "Casos de éxito", "Témoignages clients", "導入事例"),
    "A European retail bank": (
        "Eine europäische Privatkundenbank",
        "Un banco minorista europeo",
        "Une banque de détail européenne",
        "欧州のリテール銀行",
    ),
    "Moved its payments platform in nine months with its supervisor's approval.": (
        "Hat seine Zahlungsplattform mit Zustimmung der Aufsicht in neun Monaten migriert.",
        "Migró su plataforma de pagos en nueve meses con la aprobación de su supervisor.",
        "A migré sa plateforme de paiement en neuf mois avec l'accord de son autorité de contrôle.",
        "監督当局の承認を得て、決済プラットフォームを 9 か月で移行しました。",
    ),
    "Evaluation starter pack": (
        "Starterpaket zur Evaluierung",
        "Paquete inicial de evaluación",
        "Pack de démarrage pour l'évaluation",
        "評価用スターターパック",
    ),
    "For the first evaluation of the cloud by a financial institution.": (
        "Für die erste Evaluierung der Cloud durch ein Finanzinstitut.",
        "Para la primera evaluación de la nube por parte de una entidad financiera.",
        "Pour la première évaluation du cloud par un établissement financier.",
        "金融機関がクラウドを初めて評価するための資料。",
    ),
    "Assessment starter pack": (
        "Starterpaket zur Risikobewertung",
        "Paquete inicial de análisis de riesgos",
        "Pack de démarrage pour l'analyse des risques",
        "アセスメント用スターターパック",
    ),
    "Checklists and guidance to assess security, compliance and privacy risks.": (
        "Checklisten und Leitfäden zur Bewertung von Sicherheits-, Compliance- und Datenschutzrisiken.",
        "Listas de comprobación y orientaciones para evaluar los riesgos de seguridad, cumplimiento y privacidad.",
        "Listes de contrôle et conseils pour évaluer les risques de sécurité, de conformité et de confidentialité.",
        "セキュリティ、コンプライアンス、プライバシーのリスクを評価するためのチェックリストとガイダンス。",
    ),
    "Audit starter pack": (
        "Starterpaket für Audits",
        "Paquete inicial de auditoría",
        "Pack de démarrage pour l'audit",
        "監査用スターターパック",
    ),
    "Guidance on audit controls for your implementation.": (
        "Hinweise zu Prüfkontrollen für Ihre Implementierung.",
        "Orientaciones sobre los controles de auditoría para su implementación.",
        "Conseils sur les contrôles d'audit pour votre mise en œuvre.",
        "お客様の実装に向けた監査統制のガイダンス。",
    ),
    # The other industries' introductions (content/industries.py).
    "Public agencies run citizen services and case management on our cloud under government security baselines. Our NIST SP 800-53 controls, data residency commitments and incident notification terms are documented for your accreditation and procurement teams.": (
        "Behörden betreiben Bürgerdienste und Vorgangsbearbeitung auf unserer Cloud nach staatlichen Sicherheitsvorgaben. Unsere Kontrollen nach NIST SP 800-53, unsere Zusagen zum Datenstandort und unsere Regeln zur Meldung von Vorfällen sind für Ihre Akkreditierungs- und Beschaffungsteams dokumentiert.",
        "Los organismos públicos ejecutan servicios a la ciudadanía y gestión de expedientes en nuestra nube conforme a las líneas base de seguridad gubernamentales. Nuestros controles NIST SP 800-53, los compromisos de residencia de datos y las condiciones de notificación de incidentes están documentados para sus equipos de acreditación y contratación.",
        "Les administrations exploitent des services aux citoyens et la gestion de dossiers sur notre cloud selon les référentiels de sécurité publics. Nos contrôles NIST SP 800-53, nos engagements de localisation des données et nos conditions de notification des incidents sont documentés pour vos équipes d'homologation et d'achats.",
        "行政機関は、政府のセキュリティ基準に沿って、住民向けサービスや案件管理を当社クラウドで運用しています。NIST SP 800-53 の管理策、データ所在地に関するコミットメント、インシデント通知の条件は、認定・調達担当の方向けに文書化されています。",
    ),
    "Hospitals, insurers and life-science firms keep patient data on our services. We sign business associate agreements, encrypt health records at rest and in transit, and publish the guidance your privacy officer needs for a data protection impact assessment.": (
        "Krankenhäuser, Versicherer und Life-Science-Unternehmen speichern Patientendaten in unseren Diensten. Wir schließen Business-Associate-Verträge, verschlüsseln Gesundheitsakten bei Speicherung und Übertragung und veröffentlichen die Hinweise, die Ihr Datenschutzbeauftragter für eine Datenschutz-Folgenabschätzung braucht.",
        "Hospitales, aseguradoras y empresas de ciencias de la vida guardan datos de pacientes en nuestros servicios. Firmamos acuerdos de socio comercial, ciframos las historias clínicas en reposo y en tránsito y publicamos las orientaciones que su delegado de protección de datos necesita para una evaluación de impacto.",
        "Hôpitaux, assureurs et entreprises des sciences de la vie conservent des données de patients sur nos services. Nous signons des accords de partenaire commercial, chiffrons les dossiers de santé au repos et en transit, et publions les conseils dont votre délégué à la protection des données a besoin pour une analyse d'impact.",
        "病院、保険会社、ライフサイエンス企業が、患者データを当社のサービスで管理しています。当社はビジネスアソシエイト契約を締結し、保存時と転送時に医療記録を暗号化し、プライバシー責任者がデータ保護影響評価に必要とするガイダンスを公開しています。",
    ),
    "Retailers take card payments and keep loyalty data on our platform. Our PCI DSS attestation covers the payment services, and our privacy resources explain how to meet consumer-data rules in each country you sell in.": (
        "Händler wickeln Kartenzahlungen ab und speichern Kundenbindungsdaten auf unserer Plattform. Unsere PCI-DSS-Bescheinigung umfasst die Zahlungsdienste, und unsere Datenschutzmaterialien erklären, wie Sie die Verbraucherdatenregeln in jedem Land erfüllen, in dem Sie verkaufen.",
        "Los comercios cobran con tarjeta y guardan datos de fidelización en nuestra plataforma. Nuestra certificación PCI DSS cubre los servicios de pago, y nuestros recursos de privacidad explican cómo cumplir las normas sobre datos de consumidores en cada país en el que vende.",
        "Les commerçants encaissent des paiements par carte et conservent des données de fidélité sur notre plateforme. Notre attestation PCI DSS couvre les services de paiement, et nos ressources sur la confidentialité expliquent comment respecter les règles sur les données des consommateurs dans chaque pays où vous vendez.",
        "小売業者は、カード決済の処理やロイヤルティデータの保管に当社プラットフォームを利用しています。当社の PCI DSS 準拠証明は決済サービスを対象としており、プライバシー関連資料では、販売先の各国で消費者データに関する規則を満たす方法を説明しています。",
    ),
}

# The region pages' introductions.
for _slug, _country, _code in REGIONS[:9]:
    _law = the_law_of(_country)
    PAGES[f"Legal opinions on using our cloud services under the law of {_country}."] = (
        f"Rechtsgutachten zur Nutzung unserer Cloud-Dienste {_law[0]}.",
        f"Dictámenes jurídicos sobre el uso de nuestros servicios en la nube {_law[1]}.",
        f"Avis juridiques sur l'utilisation de nos services cloud {_law[2]}.",
        f"{_law[3]}当社クラウドサービスの利用に関する法的意見書。",
    )


def catalogue(language: str) -> dict[str, str]:
    """{English text: its translation in ``language``} for everything the demo seeds."""
    column = LANGUAGES.index(language)
    strings = {}
    for table in (TERMS, PAGES, CHANGE_NOTES, NDA):
        strings.update({english: texts[column] for english, texts in table.items()})
    return strings


def document_texts(slug: str, language: str) -> tuple[str, str] | None:
    """The (title, summary) of the demo document ``slug`` in ``language``."""
    texts = DOCUMENTS.get(slug)
    return texts[LANGUAGES.index(language)] if texts else None


# What the tests read: {slug: {language: (title, summary)}}, {language: {English name: name}}.
DOCUMENT_TRANSLATIONS = {
    slug: dict(zip(LANGUAGES, texts, strict=True)) for slug, texts in DOCUMENTS.items()
}
CATEGORY_TRANSLATIONS = {
    language: {name: TERMS[name][column] for name in TERMS}
    for column, language in enumerate(LANGUAGES)
}
PAGE_TRANSLATIONS = {
    language: {
        title: PAGES[title][column]
        for title in (
            "Trust Portal",
            "Trust Documents",
            "Audit Reports",
            "Data Protection",
            "Blueprints",
            "Industries & Regions",
        )
    }
    for column, language in enumerate(LANGUAGES)
}
