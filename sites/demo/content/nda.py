"""The demo NDA (``plugins/nda/demo.py``) in each shipped language: its title and its text, by
their English wording. (German, Spanish, French, Japanese)."""

ENGLISH_TEXT = """NON-DISCLOSURE AGREEMENT FOR COMPLIANCE MATERIALS

1. Confidential information. The audit reports, penetration test summaries, risk assessments and other materials marked as requiring this agreement ("Compliance Materials") are confidential information of the provider.

2. Permitted use. You may use the Compliance Materials only to evaluate the provider's services for your organization, and share them only with your employees, auditors and regulators who need to know them and are bound by obligations of confidentiality at least as protective as these.

3. No other rights. Nothing in the Compliance Materials is a warranty or an amendment of your agreement with the provider.

4. Term. This agreement applies to each item for three years after you download it.

5. Traceability. Each copy you download carries your name, organization and a download identifier."""

GERMAN_TEXT = """VERTRAULICHKEITSVEREINBARUNG FÜR COMPLIANCE-UNTERLAGEN

1. Vertrauliche Informationen. Die Prüfberichte, Zusammenfassungen von Penetrationstests, Risikobewertungen und anderen Unterlagen, die als an diese Vereinbarung gebunden gekennzeichnet sind („Compliance-Unterlagen“), sind vertrauliche Informationen des Anbieters.

2. Zulässige Nutzung. Sie dürfen die Compliance-Unterlagen nur nutzen, um die Dienste des Anbieters für Ihre Organisation zu bewerten, und sie nur an Ihre Beschäftigten, Prüfer und Aufsichtsbehörden weitergeben, die sie kennen müssen und an Vertraulichkeitspflichten gebunden sind, die mindestens so streng sind wie diese.

3. Keine weiteren Rechte. Nichts in den Compliance-Unterlagen ist eine Gewährleistung oder eine Änderung Ihres Vertrags mit dem Anbieter.

4. Laufzeit. Diese Vereinbarung gilt für jedes Dokument drei Jahre lang ab dem Herunterladen.

5. Rückverfolgbarkeit. Jede heruntergeladene Kopie trägt Ihren Namen, Ihre Organisation und eine Download-Kennung."""

SPANISH_TEXT = """ACUERDO DE CONFIDENCIALIDAD PARA MATERIALES DE CUMPLIMIENTO

1. Información confidencial. Los informes de auditoría, resúmenes de pruebas de penetración, evaluaciones de riesgos y demás materiales marcados como sujetos a este acuerdo («Materiales de cumplimiento») son información confidencial del proveedor.

2. Uso permitido. Solo puede utilizar los Materiales de cumplimiento para evaluar los servicios del proveedor para su organización, y compartirlos únicamente con sus empleados, auditores y supervisores que necesiten conocerlos y estén sujetos a obligaciones de confidencialidad al menos tan protectoras como estas.

3. Ningún otro derecho. Nada de lo contenido en los Materiales de cumplimiento constituye una garantía ni una modificación de su contrato con el proveedor.

4. Duración. Este acuerdo se aplica a cada documento durante tres años a partir de su descarga.

5. Trazabilidad. Cada copia que descargue lleva su nombre, su organización y un identificador de descarga."""

FRENCH_TEXT = """ACCORD DE CONFIDENTIALITÉ RELATIF AUX DOCUMENTS DE CONFORMITÉ

1. Informations confidentielles. Les rapports d'audit, synthèses de tests d'intrusion, évaluations des risques et autres documents signalés comme soumis au présent accord (« Documents de conformité ») sont des informations confidentielles du fournisseur.

2. Utilisation autorisée. Vous ne pouvez utiliser les Documents de conformité que pour évaluer les services du fournisseur pour votre organisation, et ne les communiquer qu'à vos employés, auditeurs et autorités de contrôle qui ont besoin d'en connaître et sont tenus à des obligations de confidentialité au moins aussi protectrices que celles-ci.

3. Aucun autre droit. Rien dans les Documents de conformité ne constitue une garantie ni une modification de votre contrat avec le fournisseur.

4. Durée. Le présent accord s'applique à chaque document pendant trois ans à compter de son téléchargement.

5. Traçabilité. Chaque copie téléchargée porte votre nom, votre organisation et un identifiant de téléchargement."""

JAPANESE_TEXT = """コンプライアンス資料に関する秘密保持契約

1. 秘密情報。監査報告書、ペネトレーションテストの概要、リスク評価、その他本契約の対象と表示された資料（以下「コンプライアンス資料」）は、プロバイダーの秘密情報です。

2. 許可される利用。コンプライアンス資料は、貴組織のためにプロバイダーのサービスを評価する目的にのみ利用でき、これを知る必要があり、本契約と同等以上の秘密保持義務を負う貴組織の従業員、監査人および規制当局に限り共有できます。

3. その他の権利の不存在。コンプライアンス資料のいかなる記載も、保証またはプロバイダーとの契約の変更にはあたりません。

4. 期間。本契約は、各資料について、ダウンロードから 3 年間適用されます。

5. 追跡可能性。ダウンロードした各コピーには、お客様の氏名、組織名、ダウンロード識別子が記載されます。"""

NDA = {
    "Non-disclosure agreement": (
        "Vertraulichkeitsvereinbarung",
        "Acuerdo de confidencialidad",
        "Accord de confidentialité",
        "秘密保持契約",
    ),
    ENGLISH_TEXT: (GERMAN_TEXT, SPANISH_TEXT, FRENCH_TEXT, JAPANESE_TEXT),
}
