from django.db import migrations, models


def pin_hand_placed_memberships(apps, schema_editor):
    """Sign-in now ends a membership the provider's claims no longer support. A membership in an
    organization with neither a claim value nor a verified domain can only have been placed by
    an administrator: keep it as such, so the upgrade takes nobody out of their organization."""
    Membership = apps.get_model("cms", "Membership")
    Membership.objects.filter(
        organization__oidc_claim_value="", organization__email_domains=""
    ).update(pinned=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0010_document_update_notes"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="pinned",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Sign-ins through the identity provider leave a kept membership as it is. "
                    "Otherwise each sign-in places the user where the provider's claims and "
                    "verified e-mail domain say, and ends the membership when they no longer "
                    "name this organization."
                ),
                verbose_name="kept by an administrator",
            ),
        ),
        migrations.RunPython(pin_hand_placed_memberships, migrations.RunPython.noop),
    ]
