"""Two editors, one document series: a save based on a revision that is no longer the latest is
refused (the editor's input kept), not silently written over the other's (cms/wagtail_hooks.py);
a double-clicked Save is refused the same way once the first click has saved."""

import re

import pytest

from tests import factories
from tests.helpers import client_for, document_form_data, form_errors

pytestmark = pytest.mark.django_db


def loaded_revision(html: str) -> dict:
    """The hidden inputs that say which revision the edit form was loaded from."""
    fields = {}
    for name in ("loaded_revision_id", "loaded_revision_created_at"):
        fields[name] = re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
    return fields


def edit(client, document, loaded: dict, title: str, action: str = "action-publish"):
    data = document_form_data(document.slug, document.category, document.access_level)
    data.update(loaded, title=title, **{action: "1"})
    return client.post(f"/admin/snippets/cms/trustdocument/edit/{document.pk}/", data)


def test_the_later_of_two_concurrent_saves_is_refused_and_can_be_retried(demo_users):
    document = factories.document("public", title="Original title")
    url = f"/admin/snippets/cms/trustdocument/edit/{document.pk}/"
    first, second = client_for(demo_users["admin"]), client_for(demo_users["editor"])
    first_form = loaded_revision(first.get(url).content.decode())
    second_form = loaded_revision(second.get(url).content.decode())
    assert first_form == second_form

    assert edit(first, document, first_form, "Title by the first editor").status_code == 302
    refused = edit(second, document, second_form, "Title by the second editor", "action-draft")
    assert refused.status_code == 200
    assert "Someone else saved this" in form_errors(refused)
    assert "Title by the second editor" in refused.content.decode()  # the input is kept
    document.refresh_from_db()
    assert document.title == "Title by the first editor"
    assert document.latest_revision.content["title"] == "Title by the first editor"

    # The form it came back with is based on the latest revision: saving again works.
    retried = edit(second, document, loaded_revision(refused.content.decode()), "Agreed title")
    assert retried.status_code == 302
    document.refresh_from_db()
    assert document.title == "Agreed title"


def test_a_double_clicked_save_saves_once(demo_users):
    document = factories.document("public", title="Original title")
    client = client_for(demo_users["admin"])
    url = f"/admin/snippets/cms/trustdocument/edit/{document.pk}/"
    loaded = loaded_revision(client.get(url).content.decode())
    revisions = document.revisions.count()
    answers = [edit(client, document, loaded, "Clicked twice") for _ in range(2)]
    assert [a.status_code for a in answers] == [302, 200]
    assert document.revisions.count() == revisions + 1


def test_a_slug_taken_in_the_language_is_a_form_error_and_a_double_create_makes_one(demo_users):
    client = client_for(demo_users["admin"])
    category = factories.category()
    url = "/admin/snippets/cms/trustdocument/add/"
    taken = client.post(url, document_form_data("pen-test-full-report", category, "public"))
    assert taken.status_code == 200
    assert "this slug" in form_errors(taken)

    slug = factories.unique("double-create")
    data = document_form_data(slug, category, "public", **{"action-publish": "1"})
    answers = [client.post(url, data) for _ in range(2)]
    assert [a.status_code for a in answers] == [302, 200]
    assert "this slug" in form_errors(answers[1])
    from cms.models import TrustDocument

    assert TrustDocument.objects.filter(slug=slug).count() == 1
