"""One acceptance per user and NDA version, enforced by the database.

Acceptances recorded before (twenty parallel requests made eight rows) are evidence and are
neither deleted nor changed: each later one of a user and version is flagged
``repeats_earlier`` and the constraint covers the others, so the earliest stays *the*
acceptance, as the API already reported it.
"""

from django.db import migrations, models
from django.db.models import Count


def flag_repeated_acceptances(apps, schema_editor):
    NdaAcceptance = apps.get_model("nda", "NdaAcceptance")
    acceptances = NdaAcceptance.objects.using(schema_editor.connection.alias)
    repeated = (
        acceptances.filter(user__isnull=False)
        .order_by()
        .values("user_id", "nda_version_id")
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
    )
    for pair in repeated:
        same = acceptances.filter(user_id=pair["user_id"], nda_version_id=pair["nda_version_id"])
        later = list(same.order_by("accepted_at", "pk").values_list("pk", flat=True))[1:]
        acceptances.filter(pk__in=later).update(repeats_earlier=True)


class Migration(migrations.Migration):

    dependencies = [("nda", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="ndaacceptance",
            name="repeats_earlier",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="repeats an earlier acceptance"
            ),
        ),
        # Going back, the column goes with its flags: nothing to undo.
        migrations.RunPython(flag_repeated_acceptances, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="ndaacceptance",
            constraint=models.UniqueConstraint(
                condition=models.Q(("repeats_earlier", False)),
                fields=("user", "nda_version"),
                name="nda_accepted_once",
            ),
        ),
    ]
