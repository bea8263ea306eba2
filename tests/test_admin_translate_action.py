"""The edit view of a translatable snippet offers wagtail-localize's "Translate" in its header
menu, as Wagtail does for pages (wagtail-localize itself offers it only in the listing row's
menu): to users with wagtail-localize's ``submit_translation`` permission, while a locale is
left to translate into; "Sync translated snippets" once translations exist."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from lxml import html
from wagtail.models import Locale

from tests import factories
from tests.helpers import client_for, make_user


def edit_url(obj) -> str:
    return reverse(obj.snippet_viewset.get_url_name("edit"), args=[obj.pk])


def submit_url(obj) -> str:
    return reverse(
        "wagtail_localize:submit_snippet_translation",
        kwargs={"app_label": "cms", "model_name": obj._meta.model_name, "pk": obj.pk},
    )


def header_menu(client, obj) -> dict[str, str]:
    """The entries of the edit view's header "…" menu: label to URL."""
    response = client.get(edit_url(obj))
    assert response.status_code == 200
    tree = html.fromstring(response.content)
    links = tree.xpath(
        "//header//*[contains(concat(' ', @data-controller, ' '), ' w-dropdown ')]//a"
    )
    return {" ".join(link.text_content().split()): link.get("href") for link in links}


@pytest.fixture
def editor(demo_users):
    return client_for(demo_users["editor"])


@pytest.fixture
def editor_who_may_not_translate(db):
    """Edits documents and versions as an Editor does, without ``submit_translation``."""
    group = Group.objects.create(name=factories.unique("editing-only"))
    group.permissions.add(*Group.objects.get(name="Editors").permissions.all())
    group.permissions.remove(
        *Permission.objects.filter(
            content_type__app_label="wagtail_localize", codename="submit_translation"
        )
    )
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    user = make_user(factories.unique("t-editor"), groups=[group.name])
    assert not user.has_perm("wagtail_localize.submit_translation")
    assert user.has_perm("cms.change_trustdocument")
    return client_for(user)


@pytest.mark.django_db
def test_the_edit_view_of_a_series_offers_translate(editor, demo_users):
    assert demo_users["editor"].has_perm("wagtail_localize.submit_translation")
    document = factories.document("public", versions=1)

    menu = header_menu(editor, document)
    assert menu["Translate"] == submit_url(document)
    # Not yet translated: nothing to sync.
    assert "Sync translated snippets" not in menu
    # The other entries of Wagtail's menu are still there.
    assert "Delete" in menu

    version = document.versions.first()
    assert header_menu(editor, version)["Translate"] == submit_url(version)


@pytest.mark.django_db
def test_translate_leads_to_wagtail_localizes_form(editor):
    document = factories.document("public", versions=0)
    response = editor.get(header_menu(editor, document)["Translate"])
    assert response.status_code == 200
    assert b'name="locales"' in response.content


@pytest.mark.django_db
def test_a_series_translated_into_every_locale_offers_sync_instead(editor):
    document = factories.document("public", versions=0)
    others = Locale.objects.exclude(pk=document.locale_id)
    response = editor.post(submit_url(document), {"locales": [locale.pk for locale in others]})
    assert response.status_code == 302

    menu = header_menu(editor, document)
    assert "Translate" not in menu
    assert menu["Sync translated snippets"].startswith("/admin/localize/update/")


@pytest.mark.django_db
def test_taxonomy_edit_views_offer_translate_too(editor):
    category = factories.category()
    assert header_menu(editor, category)["Translate"] == submit_url(category)


@pytest.mark.django_db
def test_no_translate_without_the_translation_permission(editor_who_may_not_translate):
    document = factories.document("public", versions=0)
    menu = header_menu(editor_who_may_not_translate, document)
    assert "Delete" in menu  # the menu is there, with Wagtail's own entries
    assert "Translate" not in menu
    assert "Sync translated snippets" not in menu
    # And the form itself refuses the user.
    response = editor_who_may_not_translate.get(submit_url(document))
    assert response.status_code in (302, 403)
