"""The demo documents in each shipped language: series titles and summaries by slug (audit
reports and certificates come from ``audit_document_translations``, the legal opinions from
``legal_opinion_translations``). Each entry reads
(German, Spanish, French, Japanese)."""

from .audit_document_translations import AUDIT_DOCUMENTS
from .legal_opinion_translations import LEGAL_OPINIONS

# slug: ((title, summary) in de, es, fr, ja)
DOCUMENTS = {
    "security-white-paper": (
        (
            "Whitepaper: Sicherheitsüberblick",
            "Wie die Plattform Kundendaten schützt: Organisation, Personal, physische Sicherheit, Verschlüsselung, Überwachung.",
        ),
        (
            "Libro blanco: visión general de la seguridad",
            "Cómo protege la plataforma los datos de los clientes: organización, personas, seguridad física, cifrado, supervisión.",
        ),
        (
            "Livre blanc : vue d'ensemble de la sécurité",
            "Comment la plateforme protège les données des clients : organisation, personnel, sécurité physique, chiffrement, surveillance.",
        ),
        (
            "セキュリティ概要ホワイトペーパー",
            "プラットフォームが顧客データを保護する仕組み：組織、人員、物理的セキュリティ、暗号化、監視。",
        ),
    ),
    "gdpr-white-paper": (
        (
            "DSGVO-Whitepaper",
            "Wie die Dienste Kunden helfen, ihre Pflichten als Verantwortliche und Auftragsverarbeiter nach der DSGVO zu erfüllen.",
        ),
        (
            "Libro blanco del RGPD",
            "Cómo ayudan los servicios a los clientes a cumplir sus obligaciones como responsables y encargados del tratamiento conforme al RGPD.",
        ),
        (
            "Livre blanc RGPD",
            "Comment les services aident les clients à respecter leurs obligations de responsables du traitement et de sous-traitants au titre du RGPD.",
        ),
        (
            "GDPR ホワイトペーパー",
            "GDPR に基づく管理者および処理者としての義務をお客様が果たすために、各サービスがどのように役立つか。",
        ),
    ),
    "encryption-white-paper": (
        (
            "Verschlüsselung gespeicherter und übertragener Daten",
            "Schlüsselhierarchie, Algorithmen, Rotation und vom Kunden verwaltete Schlüssel.",
        ),
        (
            "Cifrado en reposo y en tránsito",
            "Jerarquía de claves, algoritmos, rotación y claves administradas por el cliente.",
        ),
        (
            "Chiffrement au repos et en transit",
            "Hiérarchie des clés, algorithmes, rotation et clés gérées par le client.",
        ),
        ("保存時および転送時の暗号化", "鍵の階層、アルゴリズム、ローテーション、顧客管理の鍵。"),
    ),
    "resilience-white-paper": (
        (
            "Resilienz und Betriebskontinuität",
            "Verfügbarkeitszonen, Datensicherungen, Tests der Notfallwiederherstellung und Wiederherstellungsziele.",
        ),
        (
            "Resiliencia y continuidad del negocio",
            "Zonas de disponibilidad, copias de seguridad, pruebas de recuperación ante desastres y objetivos de recuperación.",
        ),
        (
            "Résilience et continuité d'activité",
            "Zones de disponibilité, sauvegardes, tests de reprise après sinistre et objectifs de reprise.",
        ),
        (
            "レジリエンスと事業継続",
            "アベイラビリティゾーン、バックアップ、災害復旧テスト、復旧目標。",
        ),
    ),
    "shared-responsibility-white-paper": (
        (
            "Modell der geteilten Verantwortung",
            "Welche Kontrollen der Anbieter betreibt und welche beim Kunden verbleiben, Dienst für Dienst.",
        ),
        (
            "Modelo de responsabilidad compartida",
            "Qué controles opera el proveedor y cuáles siguen correspondiendo al cliente, servicio por servicio.",
        ),
        (
            "Modèle de responsabilité partagée",
            "Quels contrôles le fournisseur assure et lesquels restent à la charge du client, service par service.",
        ),
        (
            "責任共有モデル",
            "プロバイダーが運用する統制と、お客様の責任として残る統制をサービスごとに示します。",
        ),
    ),
    "security-faq": (
        (
            "Häufige Fragen zur Sicherheit",
            "Antworten auf die Fragen, die Kunden in Sicherheitsfragebögen am häufigsten stellen.",
        ),
        (
            "Preguntas frecuentes sobre seguridad",
            "Respuestas a las preguntas que los clientes plantean con más frecuencia en los cuestionarios de seguridad.",
        ),
        (
            "FAQ sécurité",
            "Réponses aux questions que les clients posent le plus souvent dans les questionnaires de sécurité.",
        ),
        (
            "セキュリティに関するよくある質問",
            "セキュリティ質問票でお客様から最もよく寄せられる質問への回答。",
        ),
    ),
    "privacy-faq": (
        (
            "Häufige Fragen zum Datenschutz",
            "Speicherort der Daten, Unterauftragsverarbeiter, Aufbewahrung und Anfragen betroffener Personen.",
        ),
        (
            "Preguntas frecuentes sobre privacidad",
            "Ubicación de los datos, subencargados del tratamiento, conservación y solicitudes de los interesados.",
        ),
        (
            "FAQ confidentialité",
            "Localisation des données, sous-traitants ultérieurs, conservation et demandes des personnes concernées.",
        ),
        (
            "プライバシーに関するよくある質問",
            "データの保存場所、再委託先、保持期間、データ主体からの請求。",
        ),
    ),
    "financial-services-faq": (
        (
            "Compliance-FAQ für Finanzdienstleister",
            "Auslagerungsanzeigen, Prüfungsrechte, Exit-Pläne und Zugang der Aufsichtsbehörden.",
        ),
        (
            "Preguntas frecuentes de cumplimiento para servicios financieros",
            "Notificaciones de externalización, derechos de auditoría, planes de salida y acceso de los supervisores.",
        ),
        (
            "FAQ conformité pour les services financiers",
            "Notifications d'externalisation, droits d'audit, plans de sortie et accès des autorités de contrôle.",
        ),
        (
            "金融サービス向けコンプライアンスのよくある質問",
            "外部委託の届出、監査権、撤退計画、規制当局によるアクセス。",
        ),
    ),
    "pen-test-summary": (
        (
            "Zusammenfassung des jährlichen Penetrationstests",
            "Umfang, Methode und Ergebnisse des unabhängigen jährlichen Penetrationstests im Überblick.",
        ),
        (
            "Resumen de la prueba de penetración anual",
            "Alcance, método y resumen de los hallazgos de la prueba de penetración anual independiente.",
        ),
        (
            "Synthèse du test d'intrusion annuel",
            "Périmètre, méthode et synthèse des constats du test d'intrusion annuel indépendant.",
        ),
        (
            "年次ペネトレーションテスト概要",
            "独立した年次ペネトレーションテストの範囲、手法、検出事項の概要。",
        ),
    ),
    "pen-test-identity": (
        (
            "Zusammenfassung des Penetrationstests der Identitätsplattform",
            "Gezielter Test der Authentifizierungs- und Token-Dienste.",
        ),
        (
            "Resumen de la prueba de penetración de la plataforma de identidad",
            "Prueba específica de los servicios de autenticación y de tokens.",
        ),
        (
            "Synthèse du test d'intrusion de la plateforme d'identité",
            "Test ciblé des services d'authentification et de jetons.",
        ),
        (
            "アイデンティティプラットフォームのペネトレーションテスト概要",
            "認証サービスとトークンサービスを対象とした重点テスト。",
        ),
    ),
    "pen-test-full-report": (
        (
            "Vollständiger Bericht zum Penetrationstest",
            "Alle Ergebnisse mit den Schritten zu ihrer Reproduktion, für namentlich genannte Kunden im Rahmen ihres Vertrags.",
        ),
        (
            "Informe completo de la prueba de penetración",
            "Todos los hallazgos con los pasos para reproducirlos, para clientes designados en virtud de su contrato.",
        ),
        (
            "Rapport complet de test d'intrusion",
            "L'ensemble des constats avec les étapes de reproduction, pour les clients désignés dans leur contrat.",
        ),
        (
            "ペネトレーションテスト完全版報告書",
            "再現手順を含むすべての検出事項。契約に基づき指定されたお客様向けです。",
        ),
    ),
    "red-team-report": (
        (
            "Bericht zur Red-Team-Übung",
            "Ziele, Angriffspfade und Erkennungszeiten der Red-Team-Übung.",
        ),
        (
            "Informe del ejercicio de equipo rojo",
            "Objetivos, vías de ataque y tiempos de detección del ejercicio de equipo rojo.",
        ),
        (
            "Rapport de l'exercice d'équipe rouge",
            "Objectifs, chemins d'attaque et délais de détection de l'exercice d'équipe rouge.",
        ),
        ("レッドチーム演習報告書", "レッドチーム演習の目的、攻撃経路、検知までの時間。"),
    ),
    "risk-assessment-tool": (
        (
            "Arbeitsmappe zur Cloud-Risikobewertung",
            "Eine Arbeitsmappe, die Cloud-Risiken den Kontrollen des Anbieters und den Pflichten des Kunden zuordnet.",
        ),
        (
            "Libro de trabajo de evaluación de riesgos en la nube",
            "Un libro de trabajo que relaciona los riesgos de la nube con los controles del proveedor y las responsabilidades del cliente.",
        ),
        (
            "Classeur d'évaluation des risques du cloud",
            "Un classeur qui associe les risques du cloud aux contrôles du fournisseur et aux responsabilités du client.",
        ),
        (
            "クラウドリスク評価ワークブック",
            "クラウドのリスクをプロバイダーの統制とお客様の責任に対応付けたワークブック。",
        ),
    ),
    "vendor-risk-questionnaire": (
        (
            "Antworten auf den Standardfragebogen zum Lieferantenrisiko",
            "Vorausgefüllte Antworten auf einen weit verbreiteten Sicherheitsfragebogen für Lieferanten.",
        ),
        (
            "Respuestas al cuestionario estándar de riesgos de proveedores",
            "Respuestas ya cumplimentadas a un cuestionario de seguridad de proveedores muy utilizado.",
        ),
        (
            "Réponses au questionnaire standard sur les risques fournisseurs",
            "Réponses préremplies à un questionnaire de sécurité fournisseur largement utilisé.",
        ),
        (
            "標準ベンダーリスク質問票への回答",
            "広く使われているベンダーセキュリティ質問票への記入済み回答。",
        ),
    ),
    "gdpr-compliance-guide": (
        (
            "Leitfaden zur DSGVO-Konformität",
            "Schritt für Schritt: Verzeichnis von Verarbeitungstätigkeiten, DSFA und internationale Übermittlungen auf der Plattform.",
        ),
        (
            "Guía de cumplimiento del RGPD",
            "Paso a paso: registro de actividades de tratamiento, EIPD y transferencias internacionales en la plataforma.",
        ),
        (
            "Guide de conformité au RGPD",
            "Étape par étape : registre des traitements, AIPD et transferts internationaux sur la plateforme.",
        ),
        (
            "GDPR コンプライアンスガイド",
            "処理活動の記録、DPIA、国際移転をプラットフォーム上で段階的に解説します。",
        ),
    ),
    "hipaa-compliance-guide": (
        (
            "HIPAA-Implementierungsleitfaden",
            "Die Dienste so konfigurieren, dass sie geschützte Gesundheitsinformationen speichern und verarbeiten dürfen.",
        ),
        (
            "Guía de implementación de HIPAA",
            "Configuración de los servicios para almacenar y tratar información sanitaria protegida.",
        ),
        (
            "Guide de mise en œuvre HIPAA",
            "Configurer les services pour stocker et traiter des informations de santé protégées.",
        ),
        ("HIPAA 実装ガイド", "保護対象保健情報を保存・処理するためのサービスの設定方法。"),
    ),
    "fedramp-customer-guide": (
        (
            "FedRAMP-Leitfaden zur Kundenverantwortung",
            "Die Matrix der Kundenverantwortlichkeiten für Behörden, die auf der Plattform aufbauen.",
        ),
        (
            "Guía de responsabilidades del cliente de FedRAMP",
            "La matriz de responsabilidades del cliente para los organismos que desarrollan sobre la plataforma.",
        ),
        (
            "Guide des responsabilités client FedRAMP",
            "La matrice des responsabilités client pour les agences qui bâtissent sur la plateforme.",
        ),
        (
            "FedRAMP 顧客責任ガイド",
            "プラットフォーム上でシステムを構築する政府機関向けの顧客責任マトリクス。",
        ),
    ),
    "financial-outsourcing-guide": (
        (
            "Auslagerungsleitfaden für Finanzdienstleister",
            "Die Auslagerungsleitlinien der Aufsichtsbehörden, Vertragsklauseln und Kontrollen zugeordnet.",
        ),
        (
            "Guía de externalización para servicios financieros",
            "Correspondencia entre las directrices de externalización de los supervisores y las cláusulas contractuales y los controles.",
        ),
        (
            "Guide d'externalisation pour les services financiers",
            "Les lignes directrices des régulateurs sur l'externalisation, rapprochées des clauses contractuelles et des contrôles.",
        ),
        (
            "金融サービス向け外部委託ガイド",
            "規制当局の外部委託ガイドラインを契約条項と統制に対応付けたものです。",
        ),
    ),
    "blueprint-government-baseline": (
        (
            "Blaupause für Behörden-Workloads",
            "Eine Referenzarchitektur mit Richtlinien für Workloads der Schutzstufe Moderate.",
        ),
        (
            "Arquitectura de referencia para cargas de trabajo públicas",
            "Una arquitectura de referencia y un conjunto de directivas para cargas de trabajo de nivel de impacto Moderate.",
        ),
        (
            "Architecture de référence pour les charges de travail publiques",
            "Une architecture de référence et un ensemble de stratégies pour les charges de travail de niveau d'impact Moderate.",
        ),
        (
            "政府機関ワークロード向けブループリント",
            "影響レベル Moderate のワークロード向けリファレンスアーキテクチャとポリシーセット。",
        ),
    ),
    "blueprint-finance-payments": (
        (
            "Blaupause für Zahlungsplattformen",
            "Segmentiertes Netzwerk, Tokenisierung und Protokollierung für eine PCI-DSS-Umgebung mit Karteninhaberdaten.",
        ),
        (
            "Arquitectura de referencia para plataformas de pago",
            "Red segmentada, tokenización y registro para un entorno de datos de titulares de tarjetas PCI DSS.",
        ),
        (
            "Architecture de référence pour plateforme de paiement",
            "Réseau segmenté, tokenisation et journalisation pour un environnement de données de titulaires de cartes PCI DSS.",
        ),
        (
            "決済プラットフォーム向けブループリント",
            "PCI DSS カード会員データ環境のためのネットワーク分離、トークン化、ログ記録。",
        ),
    ),
    "blueprint-finance-core-banking": (
        (
            "Blaupause für Kernbankensysteme",
            "Hochverfügbarkeit, Schlüsselverwaltung und Audit-Protokollierung für Kernbanken-Workloads.",
        ),
        (
            "Arquitectura de referencia para banca central",
            "Alta disponibilidad, gestión de claves y registro de auditoría para cargas de trabajo de banca central.",
        ),
        (
            "Architecture de référence pour le cœur bancaire",
            "Haute disponibilité, gestion des clés et journalisation d'audit pour les charges de travail du cœur bancaire.",
        ),
        (
            "勘定系システム向けブループリント",
            "勘定系ワークロードのための高可用性、鍵管理、監査ログ。",
        ),
    ),
    "blueprint-healthcare-records": (
        (
            "Blaupause für Gesundheitsakten",
            "Patientenakten speichern und teilen, mit Verschlüsselung, Zugriffsprotokollierung und Aufbewahrung.",
        ),
        (
            "Arquitectura de referencia para historias clínicas",
            "Almacenamiento y uso compartido de historias clínicas con cifrado, registro de accesos y conservación.",
        ),
        (
            "Architecture de référence pour les dossiers médicaux",
            "Stocker et partager des dossiers patients avec chiffrement, journalisation des accès et conservation.",
        ),
        (
            "医療記録向けブループリント",
            "暗号化、アクセスログ、保持期間管理を備えた患者記録の保存と共有。",
        ),
    ),
    "blueprint-retail-ecommerce": (
        (
            "Blaupause für den Onlinehandel",
            "Eine Shop-Architektur mit isolierter Zahlungsabwicklung und Schutz der Kundendaten.",
        ),
        (
            "Arquitectura de referencia para comercio electrónico",
            "Una arquitectura de tienda en línea con aislamiento de pagos y protección de los datos de clientes.",
        ),
        (
            "Architecture de référence pour le commerce en ligne",
            "Une architecture de boutique en ligne avec isolement des paiements et protection des données clients.",
        ),
        (
            "EC サイト向けブループリント",
            "決済の分離と顧客データ保護を備えたオンラインストアのアーキテクチャ。",
        ),
    ),
}

# Audit reports and certificates, and the legal opinions (one per country, with the countries'
# names), in modules of their own.
DOCUMENTS.update(AUDIT_DOCUMENTS)
DOCUMENTS.update(LEGAL_OPINIONS)
