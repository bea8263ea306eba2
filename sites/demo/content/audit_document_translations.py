"""The demo's audit reports, attestations and certificates in each shipped language: series
titles and summaries by slug. Each entry reads (German, Spanish, French, Japanese)."""

# slug: ((title, summary) in de, es, fr, ja), as ``document_translations.DOCUMENTS``.
AUDIT_DOCUMENTS = {
    "soc-2-type-2": (
        (
            "SOC-2-Typ-2-Bericht",
            "Bericht des unabhängigen Prüfers über Kontrollen zu Sicherheit, Verfügbarkeit und Vertraulichkeit über zwölf Monate.",
        ),
        (
            "Informe SOC 2 Tipo 2",
            "Informe del auditor independiente sobre los controles de seguridad, disponibilidad y confidencialidad durante un periodo de doce meses.",
        ),
        (
            "Rapport SOC 2 Type 2",
            "Rapport de l'auditeur indépendant sur les contrôles relatifs à la sécurité, à la disponibilité et à la confidentialité sur une période de douze mois.",
        ),
        (
            "SOC 2 Type 2 報告書",
            "セキュリティ、可用性、機密保持に関する統制について、12か月間を対象とした独立監査人の報告書。",
        ),
    ),
    "soc-1-type-2": (
        (
            "SOC-1-Typ-2-Bericht",
            "Bericht über Kontrollen, die für das interne Kontrollsystem der Kunden über die Finanzberichterstattung relevant sind.",
        ),
        (
            "Informe SOC 1 Tipo 2",
            "Informe sobre los controles relevantes para el control interno de los clientes sobre la información financiera.",
        ),
        (
            "Rapport SOC 1 Type 2",
            "Rapport sur les contrôles pertinents pour le contrôle interne des clients sur l'information financière.",
        ),
        ("SOC 1 Type 2 報告書", "お客様の財務報告に係る内部統制に関連する統制についての報告書。"),
    ),
    "soc-3": (
        (
            "SOC-3-Bericht zur allgemeinen Verwendung",
            "Die frei weitergebbare Zusammenfassung der SOC-2-Prüfung zur allgemeinen Verwendung.",
        ),
        (
            "Informe SOC 3 de uso general",
            "El resumen de uso general del examen SOC 2, que puede compartirse libremente.",
        ),
        (
            "Rapport SOC 3 à usage général",
            "La synthèse à usage général de l'examen SOC 2, librement diffusable.",
        ),
        ("SOC 3 一般利用報告書", "SOC 2 監査の一般利用向け要約で、自由に共有できます。"),
    ),
    "soc-bridge-letter": (
        (
            "SOC-Überbrückungsschreiben",
            "Erklärung der Geschäftsleitung für den Zeitraum zwischen dem Ende des Prüfungszeitraums und heute.",
        ),
        (
            "Carta puente SOC",
            "Declaración de la dirección que cubre el intervalo entre el final del periodo auditado y la fecha actual.",
        ),
        (
            "Lettre de transition SOC",
            "Déclaration de la direction couvrant la période entre la fin de la période d'audit et aujourd'hui.",
        ),
        (
            "SOC ブリッジレター",
            "監査対象期間の終了日から現在までの期間を対象とする経営者の表明書。",
        ),
    ),
    "iso-27001-certificate": (
        (
            "ISO/IEC-27001-Zertifikat",
            "Konformitätszertifikat des Informationssicherheits-Managementsystems.",
        ),
        (
            "Certificado ISO/IEC 27001",
            "Certificado de conformidad del sistema de gestión de la seguridad de la información.",
        ),
        (
            "Certificat ISO/IEC 27001",
            "Certificat de conformité du système de management de la sécurité de l'information.",
        ),
        ("ISO/IEC 27001 認証書", "情報セキュリティマネジメントシステムの適合性認証書。"),
    ),
    "iso-27001-audit-report": (
        (
            "ISO/IEC-27001-Auditbericht",
            "Der Bericht der Zertifizierungsstelle mit der Erklärung zur Anwendbarkeit.",
        ),
        (
            "Informe de auditoría ISO/IEC 27001",
            "El informe del organismo de certificación con la declaración de aplicabilidad.",
        ),
        (
            "Rapport d'audit ISO/IEC 27001",
            "Le rapport de l'organisme de certification avec la déclaration d'applicabilité.",
        ),
        ("ISO/IEC 27001 監査報告書", "適用宣言書を含む認証機関の報告書。"),
    ),
    "iso-27017-certificate": (
        (
            "ISO/IEC-27017-Zertifikat",
            "Zertifikat für die cloudspezifischen Maßnahmen der Informationssicherheit.",
        ),
        (
            "Certificado ISO/IEC 27017",
            "Certificado de los controles de seguridad de la información específicos de la nube.",
        ),
        (
            "Certificat ISO/IEC 27017",
            "Certificat des mesures de sécurité de l'information propres au cloud.",
        ),
        ("ISO/IEC 27017 認証書", "クラウド固有の情報セキュリティ管理策に関する認証書。"),
    ),
    "iso-27018-certificate": (
        (
            "ISO/IEC-27018-Zertifikat",
            "Zertifikat für den Schutz personenbezogener Daten in öffentlichen Clouds.",
        ),
        (
            "Certificado ISO/IEC 27018",
            "Certificado de protección de datos personales en nubes públicas.",
        ),
        (
            "Certificat ISO/IEC 27018",
            "Certificat de protection des données personnelles dans les clouds publics.",
        ),
        ("ISO/IEC 27018 認証書", "パブリッククラウドにおける個人データ保護に関する認証書。"),
    ),
    "iso-22301-certificate": (
        (
            "ISO-22301-Zertifikat zur Betriebskontinuität",
            "Zertifikat für das Managementsystem der Betriebskontinuität.",
        ),
        (
            "Certificado ISO 22301 de continuidad de negocio",
            "Certificado del sistema de gestión de la continuidad del negocio.",
        ),
        (
            "Certificat ISO 22301 de continuité d'activité",
            "Certificat du système de management de la continuité d'activité.",
        ),
        ("ISO 22301 事業継続認証書", "事業継続マネジメントシステムの認証書。"),
    ),
    "fedramp-moderate-package": (
        (
            "FedRAMP-Autorisierungspaket (Moderate)",
            "Zusammenfassung des Systemsicherheitsplans, Bewertungsbericht und Ergebnisse der kontinuierlichen Überwachung für die Baseline Moderate.",
        ),
        (
            "Paquete de autorización FedRAMP Moderate",
            "Resumen del plan de seguridad del sistema, informe de evaluación y resultados de la supervisión continua para la línea base Moderate.",
        ),
        (
            "Dossier d'autorisation FedRAMP Moderate",
            "Synthèse du plan de sécurité du système, rapport d'évaluation et résultats de la surveillance continue pour le niveau de référence Moderate.",
        ),
        (
            "FedRAMP Moderate 認可パッケージ",
            "Moderate ベースラインに関するシステムセキュリティ計画の概要、評価報告書、継続的モニタリングの結果。",
        ),
    ),
    "nist-800-53-assessment": (
        (
            "Kontrollbewertung nach NIST SP 800-53 Rev. 5",
            "Bewertung der Kontrollen der Baselines LOW und MODERATE durch einen unabhängigen Dritten.",
        ),
        (
            "Evaluación de controles NIST SP 800-53 rev. 5",
            "Evaluación por un tercero de los controles de las líneas base LOW y MODERATE.",
        ),
        (
            "Évaluation des contrôles NIST SP 800-53 rév. 5",
            "Évaluation par un tiers des contrôles des niveaux de référence LOW et MODERATE.",
        ),
        (
            "NIST SP 800-53 rev5 管理策評価",
            "LOW および MODERATE ベースラインの管理策に対する第三者評価。",
        ),
    ),
    "pci-dss-aoc": (
        (
            "PCI-DSS-Konformitätsbescheinigung",
            "Konformitätsbescheinigung als Dienstleister der Stufe 1.",
        ),
        (
            "Certificación de cumplimiento PCI DSS",
            "Certificación de cumplimiento como proveedor de servicios de nivel 1.",
        ),
        (
            "Attestation de conformité PCI DSS",
            "Attestation de conformité en tant que prestataire de services de niveau 1.",
        ),
        ("PCI DSS 準拠証明書", "レベル 1 サービスプロバイダーとしての準拠証明書。"),
    ),
    "c5-attestation": (
        ("C5-Testat", "Testat nach dem Kriterienkatalog Cloud Computing."),
        (
            "Informe de atestación C5",
            "Atestación conforme al catálogo de criterios de cumplimiento para la computación en la nube.",
        ),
        (
            "Rapport d'attestation C5",
            "Attestation au regard du catalogue de critères de conformité du cloud computing.",
        ),
        ("C5 証明報告書", "クラウドコンピューティング・コンプライアンス基準カタログに対する証明。"),
    ),
    "ens-certificate": (
        (
            "ENS-Zertifikat der Stufe hoch",
            "Zertifikat nach dem spanischen nationalen Sicherheitsrahmen auf der hohen Stufe.",
        ),
        (
            "Certificado ENS de categoría alta",
            "Certificado conforme al Esquema Nacional de Seguridad en la categoría alta.",
        ),
        (
            "Certificat ENS de niveau élevé",
            "Certificat au titre du schéma national de sécurité espagnol au niveau élevé.",
        ),
        ("ENS 高レベル認証書", "国家セキュリティ枠組み（ENS）の高レベルに基づく認証書。"),
    ),
    "hipaa-attestation": (
        (
            "HIPAA-Testat",
            "Unabhängiges Testat der Schutzmaßnahmen für geschützte Gesundheitsinformationen.",
        ),
        (
            "Atestación HIPAA",
            "Atestación independiente de las salvaguardas de la información sanitaria protegida.",
        ),
        (
            "Attestation HIPAA",
            "Attestation indépendante des mesures de protection des informations de santé protégées.",
        ),
        ("HIPAA 証明書", "保護対象保健情報の保護措置に関する独立した証明。"),
    ),
}
