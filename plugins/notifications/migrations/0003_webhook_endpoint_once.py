"""One active webhook endpoint per organization and URL, enforced by the database.

Where an organization registered the same URL twice (a form sent twice), its tool got every
event twice, each copy signed with its endpoint's secret, of which the tool knows one. The
endpoint whose deliveries last succeeded is the one it verifies (else the earliest registered):
it stays active; the others are deactivated, not deleted, so their delivery log remains.
"""

from django.db import migrations, models
from django.db.models import Count, F, Max


def deactivate_repeated_endpoints(apps, schema_editor):
    WebhookEndpoint = apps.get_model("notifications", "WebhookEndpoint")
    active = WebhookEndpoint.objects.using(schema_editor.connection.alias).filter(active=True)
    repeated = (
        active.order_by()
        .values("organization_id", "url")
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
    )
    for pair in repeated:
        same = active.filter(organization_id=pair["organization_id"], url=pair["url"])
        kept = (
            same.annotate(last_delivered=Max("log__delivered_at"))
            .order_by(F("last_delivered").desc(nulls_last=True), "created_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        same.exclude(pk=kept).update(active=False)


class Migration(migrations.Migration):

    dependencies = [("notifications", "0002_update_notes")]

    operations = [
        # Going back, nothing is reactivated: which endpoints were duplicates is not recorded.
        migrations.RunPython(deactivate_repeated_endpoints, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="webhookendpoint",
            constraint=models.UniqueConstraint(
                condition=models.Q(("active", True)),
                fields=("organization", "url"),
                name="webhook_endpoint_once",
                violation_error_message=(
                    "This organization already has an active endpoint at this URL."
                ),
            ),
        ),
    ]
