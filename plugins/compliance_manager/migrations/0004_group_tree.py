"""Nested OSCAL groups kept as a tree: families are the catalog's top groups, the groups below
them become sub-groups, and each control also points at its nearest sub-group.

Templates imported before keep their flat families until their catalog is imported again: the
import then folds them into the tree (the parsed file is what knows the nesting).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0003_catalog_lifecycle"),
    ]

    operations = [
        migrations.CreateModel(
            name="ControlSubgroup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("oscal_id", models.CharField(max_length=100)),
                ("title", models.TextField(verbose_name="title")),
                ("sort_order", models.PositiveIntegerField(default=0)),
                (
                    "family",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="subgroups",
                        to="compliance.controlfamily",
                    ),
                ),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="children",
                        to="compliance.controlsubgroup",
                    ),
                ),
                (
                    "template",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="subgroups",
                        to="compliance.template",
                    ),
                ),
            ],
            options={
                "verbose_name": "control sub-group",
                "verbose_name_plural": "control sub-groups",
                "ordering": ["template", "sort_order"],
                "unique_together": {("template", "oscal_id")},
            },
        ),
        migrations.AddField(
            model_name="control",
            name="subgroup",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="controls",
                to="compliance.controlsubgroup",
            ),
        ),
    ]
