"""Wagtail's document library is closed (``cms/document_library.py``): its serving view is not
mounted, so a document put in it had no URL and its admin screens answered 500. Nobody puts a
document in it, and no rich text field offers a link to one (the admin crawl asserts that each
of its screens refuses)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import Collection, Locale

from cms.models import HomePage
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["editor", "admin"])
def test_no_rich_text_field_offers_a_document_link(demo_users, who):
    home = HomePage.objects.get(locale=Locale.get_default())
    form = client_for(demo_users[who]).get(reverse("wagtailadmin_pages:edit", args=[home.pk]))
    offered = set(re.findall(r'"type": "([A-Z_]+)"', form.content.decode()))
    assert "LINK" in offered and "DOCUMENT" not in offered, offered


@pytest.mark.parametrize("who", ["editor", "admin"])
@pytest.mark.parametrize("upload", ["wagtaildocs:add", "wagtaildocs_chooser:create"])
def test_nobody_puts_a_document_in_the_library(demo_users, who, upload):
    form = {
        "title": "Leaked report",
        "file": SimpleUploadedFile("report.txt", b"confidential"),
        "collection": Collection.get_first_root_node().pk,
    }
    response = client_for(demo_users[who]).post(reverse(upload), form)
    # Wagtail's refusal: back to the dashboard, "Sorry, you do not have permission".
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    assert not get_document_model().objects.exists()
