"""Mappings between frameworks: imported mapping collections, their maps, and the controls on
each side of a map (``models.mappings``)."""

import django.db.models.deletion
from django.db import migrations, models

RELATIONSHIPS = [
    ("equivalent-to", "equivalent to"),
    ("equal-to", "equal to"),
    ("subset-of", "subset of"),
    ("superset-of", "superset of"),
    ("intersects-with", "intersects with"),
]


def primary_key():
    return models.BigAutoField(
        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0005_action_kinds"),
    ]

    operations = [
        migrations.CreateModel(
            name="MappingCollection",
            fields=[
                ("id", primary_key()),
                ("oscal_uuid", models.UUIDField(unique=True, verbose_name="OSCAL UUID")),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                ("version", models.CharField(blank=True, max_length=100, verbose_name="version")),
                (
                    "oscal_version",
                    models.CharField(blank=True, max_length=20, verbose_name="OSCAL version"),
                ),
                (
                    "source_name",
                    models.CharField(blank=True, max_length=300, verbose_name="imported from"),
                ),
                ("source_sha256", models.CharField(blank=True, max_length=64)),
                ("imported_at", models.DateTimeField(auto_now=True, verbose_name="imported at")),
            ],
            options={
                "verbose_name": "control mapping collection",
                "verbose_name_plural": "control mapping collections",
                "ordering": ["title"],
            },
        ),
        migrations.CreateModel(
            name="ControlMap",
            fields=[
                ("id", primary_key()),
                (
                    "relationship",
                    models.CharField(
                        choices=RELATIONSHIPS, max_length=20, verbose_name="relationship"
                    ),
                ),
                ("remarks", models.TextField(blank=True, verbose_name="remarks")),
                ("sort_order", models.PositiveIntegerField(default=0)),
                (
                    "collection",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="maps",
                        to="compliance.mappingcollection",
                    ),
                ),
            ],
            options={
                "verbose_name": "control map",
                "ordering": ["collection", "sort_order"],
            },
        ),
        migrations.CreateModel(
            name="MappedControl",
            fields=[
                ("id", primary_key()),
                (
                    "side",
                    models.CharField(
                        choices=[("source", "source"), ("target", "target")], max_length=6
                    ),
                ),
                (
                    "control",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mapped_in",
                        to="compliance.control",
                    ),
                ),
                (
                    "control_map",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="members",
                        to="compliance.controlmap",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["control", "side"], name="compliance__control_83de5c_idx")
                ],
                "unique_together": {("control_map", "side", "control")},
            },
        ),
    ]
