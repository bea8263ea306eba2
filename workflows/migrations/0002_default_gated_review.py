"""Configure the default editorial workflow: gated document versions and series wait for the
Moderators' review before they go live (other documents pass the step on their own)."""

from django.db import migrations

WORKFLOW_NAME = "Gated document review"


def create_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    Task = apps.get_model("workflows", "GatedContentReviewTask")

    if Workflow.objects.filter(name=WORKFLOW_NAME).exists():
        return
    task_type, _ = ContentType.objects.get_or_create(app_label="workflows", model="gatedcontentreviewtask")
    task = Task.objects.create(name="Legal review of gated documents", content_type=task_type, active=True)
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    task.groups.add(moderators)
    workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    for model in ("trustdocument", "documentversion"):
        content_type, _ = ContentType.objects.get_or_create(app_label="cms", model=model)
        WorkflowContentType.objects.update_or_create(content_type=content_type, defaults={"workflow": workflow})


def remove_workflow(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=WORKFLOW_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0001_initial"),
        ("cms", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_workflow, remove_workflow)]
