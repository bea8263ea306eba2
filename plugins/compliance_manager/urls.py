from django.urls import path

from .views import action_items, actions, admin, assessments, exports, points

urlpatterns = [
    path("", assessments.index, name="index"),
    path("assessments/new/", assessments.create, name="assessment_create"),
    path("assessments/<id:pk>/", assessments.dashboard, name="assessment"),
    path(
        "assessments/<id:pk>/controls/<id:control_pk>/",
        assessments.control_detail,
        name="control",
    ),
    path("assessments/<id:pk>/oscal.json", exports.oscal_results, name="export_oscal"),
    path("assessments/<id:pk>/report.csv", exports.csv_report, name="export_csv"),
    path("assessments/<id:pk>/report.pdf", exports.pdf_report, name="export_pdf"),
    path("assessments/<id:pk>/action-items/", action_items.action_items, name="action_items"),
    path("groups/<id:pk>/", assessments.group_detail, name="group"),
    path("actions/<id:pk>/", actions.action_detail, name="action"),
    path("actions/<id:pk>/evidence/", actions.upload_evidence, name="evidence_upload"),
    path("actions/assign/", actions.bulk_assign, name="bulk_assign"),
    path("evidence/<id:pk>/", actions.download_evidence, name="evidence"),
    path("settings/roles/", admin.roles, name="roles"),
    path("settings/automatic-updates/", admin.automatic_updates, name="automatic_updates"),
    path("settings/privacy/", admin.privacy, name="privacy"),
    path("settings/points/", points.points_table, name="points_table"),
]
