"""Improvement actions weighted by kind (type × enforcement) through an editable points table.

Existing actions and action items become preventive · mandatory, the default kind, and take
that kind's points; an action whose points staff had changed from the former default of 1 keeps
its number as an explicit override, and so do the action items made from it. Provider-managed
controls left at the former default of 1 weigh as much as a default action (27), so that scores
mixing both keep their balance; those staff had set keep their number.
"""

from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Coalesce

KIND_CHOICES = {
    "action_type": [
        ("preventive", "Preventive"),
        ("detective", "Detective"),
        ("corrective", "Corrective"),
    ],
    "enforcement": [("mandatory", "Mandatory"), ("discretionary", "Discretionary")],
}
#: As published by the leading commercial compliance manager (``models.points.DEFAULT_POINTS``,
#: copied: a migration does not import the code it may outlive).
DEFAULT_POINTS = {
    ("preventive", "mandatory"): 27,
    ("preventive", "discretionary"): 9,
    ("detective", "mandatory"): 3,
    ("detective", "discretionary"): 1,
    ("corrective", "mandatory"): 3,
    ("corrective", "discretionary"): 1,
}
DEFAULT_KIND = ("preventive", "mandatory")
FORMER_DEFAULT = 1


def weigh_existing_actions(apps, schema_editor):
    ActionPoints = apps.get_model("compliance", "ActionPoints")
    ImprovementAction = apps.get_model("compliance", "ImprovementAction")
    ActionItem = apps.get_model("compliance", "ActionItem")
    Control = apps.get_model("compliance", "Control")
    for (action_type, enforcement), points in DEFAULT_POINTS.items():
        ActionPoints.objects.get_or_create(
            action_type=action_type, enforcement=enforcement, defaults={"points": points}
        )
    default_points = DEFAULT_POINTS[DEFAULT_KIND]
    Control.objects.filter(provider_points=FORMER_DEFAULT).update(provider_points=default_points)
    ImprovementAction.objects.exclude(points=FORMER_DEFAULT).update(points_override=F("points"))
    ImprovementAction.objects.filter(points_override__isnull=True).update(points=default_points)
    ActionItem.objects.update(points=default_points)
    # Few actions were changed by hand: one update each for the items made from them.
    for control_id, oscal_id, key, points in ImprovementAction.objects.filter(
        points_override__isnull=False
    ).values_list("control_id", "control__oscal_id", "key", "points"):
        ActionItem.objects.filter(key=f"{oscal_id}/{key}", links__control_id=control_id).update(
            points_override=points, points=points
        )


def unweigh(apps, schema_editor):
    ImprovementAction = apps.get_model("compliance", "ImprovementAction")
    ActionItem = apps.get_model("compliance", "ActionItem")
    Control = apps.get_model("compliance", "Control")
    for model in (ImprovementAction, ActionItem):
        model.objects.update(points=Coalesce("points_override", FORMER_DEFAULT))
    default_points = DEFAULT_POINTS[DEFAULT_KIND]
    Control.objects.filter(provider_points=default_points).update(provider_points=FORMER_DEFAULT)


def kind_field(name, verbose_name):
    return models.CharField(
        choices=KIND_CHOICES[name],
        default=DEFAULT_KIND[0] if name == "action_type" else DEFAULT_KIND[1],
        max_length=16,
        verbose_name=verbose_name,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0004_group_tree"),
    ]

    operations = [
        migrations.AddField(
            model_name="actionitem",
            name="action_type",
            field=kind_field("action_type", "type"),
        ),
        migrations.AddField(
            model_name="actionitem",
            name="enforcement",
            field=kind_field("enforcement", "enforcement"),
        ),
        migrations.AddField(
            model_name="actionitem",
            name="points_override",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="improvementaction",
            name="action_type",
            field=kind_field("action_type", "type"),
        ),
        migrations.AddField(
            model_name="improvementaction",
            name="enforcement",
            field=kind_field("enforcement", "enforcement"),
        ),
        migrations.AddField(
            model_name="improvementaction",
            name="points_override",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Leave empty for what the points table gives this kind of action.",
                null=True,
                verbose_name="points (override)",
            ),
        ),
        migrations.CreateModel(
            name="ActionPoints",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action_type",
                    models.CharField(
                        choices=KIND_CHOICES["action_type"], max_length=16, verbose_name="type"
                    ),
                ),
                (
                    "enforcement",
                    models.CharField(
                        choices=KIND_CHOICES["enforcement"],
                        max_length=16,
                        verbose_name="enforcement",
                    ),
                ),
                ("points", models.PositiveIntegerField(verbose_name="points")),
            ],
            options={
                "verbose_name": "action points",
                "verbose_name_plural": "action points",
                "ordering": ["pk"],
                "unique_together": {("action_type", "enforcement")},
            },
        ),
        migrations.AlterField(
            model_name="control",
            name="provider_points",
            field=models.PositiveIntegerField(
                default=DEFAULT_POINTS[DEFAULT_KIND],
                help_text=(
                    "What the provider's side of this control counts in the compliance score."
                ),
                verbose_name="provider points",
            ),
        ),
        migrations.RunPython(weigh_existing_actions, unweigh),
    ]
