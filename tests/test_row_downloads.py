"""Every reader page that lists documents offers, in each row beside the link to the document's
page, its download or the reason it is locked, as the access policy has it for that reader: the
home page's recently updated documents, a region's documents, a starter pack's and a reader's
library, as search results and Trust Documents do (``tests/test_filter_ui.py``). A link in a row
is the signed link of the document's page: following it downloads the file. A restricted
document that is not listed is never in a row for a reader not entitled to it."""

from __future__ import annotations

import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader
from wagtail.models import Locale

from cms.models import RegionPage
from plugins.library.models import SavedDocument
from tests import factories
from tests.helpers import client_for, industry_page, make_pack, row_action, row_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def listed_everywhere(module_users, django_db_blocker):
    """A public, an NDA and an unlisted restricted document, the newest of the portal (so on
    the home page), in Germany's region page and in one starter pack. The restricted one is
    no organization's: no reader of these tests is entitled to it."""
    with django_db_blocker.unblock():
        today = timezone.localdate()
        documents = {
            "public": factories.document("public", title="Rowpage public memo", published_on=today),
            "nda": factories.document("nda", title="Rowpage nda memo", published_on=today),
            "unlisted": factories.document(
                "restricted", title="Rowpage unlisted memo", listed=False, published_on=today
            ),
        }
        region_page = RegionPage.objects.get(slug="germany", locale=Locale.get_default())
        for document in documents.values():
            document.regions.add(region_page.region)
            document.save_revision().publish()
        pack = make_pack(industry_page("financial-services"), list(documents.values()))
        pages = {"home": "/en/", "region": region_page.url, "starter pack": pack.url}
        return documents, pages


PAGES = ["home", "region", "starter pack"]


def download_link(row: str) -> str | None:
    found = re.search(r'<a class="download" href="([^"]+)" download>', row)
    return found[1].replace("&amp;", "&") if found else None


def page_html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def downloaded(client, link: str) -> bytes:
    response = client.get(link)
    assert response.status_code == 200, link
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("page", PAGES)
def test_visitors_see_the_public_download_and_are_asked_to_sign_in_for_the_nda_one(
    listed_everywhere, shared_users, page
):
    documents, pages = listed_everywhere
    client = client_for(shared_users["anonymous"])
    html = page_html(client, pages[page])
    public = row_of(html, documents["public"])
    assert row_action(public).startswith("Download (English,"), page
    assert downloaded(client, download_link(public)) == stored_bytes(documents["public"])
    nda = row_of(html, documents["nda"])
    assert row_action(nda) == "Sign in to download", page
    assert re.search(rf'class="lock lock-sign_in" href="[^"]*login/\?next={pages[page]}"', nda)
    assert download_link(nda) is None and "/download/" not in nda
    assert documents["unlisted"].slug not in html and "Rowpage unlisted" not in html


@pytest.mark.parametrize("page", PAGES)
def test_a_member_who_accepted_the_nda_downloads_from_the_row(
    listed_everywhere, shared_users, page
):
    documents, pages = listed_everywhere
    client = client_for(shared_users["member_nda"])
    html = page_html(client, pages[page])
    public = row_of(html, documents["public"])
    assert downloaded(client, download_link(public)) == stored_bytes(documents["public"])
    nda = row_of(html, documents["nda"])
    assert row_action(nda).startswith("Download (English,"), page
    # The NDA document's file comes watermarked for this reader: the stored PDF, stamped.
    copy = PdfReader(io.BytesIO(downloaded(client, download_link(nda))))
    assert "Downloaded by" in copy.pages[0].extract_text()
    # Bound to its reader: a visitor following the member's link is sent to sign in.
    assert client_for(None).get(download_link(nda)).status_code == 302
    assert documents["unlisted"].slug not in html and "Rowpage unlisted" not in html


@pytest.mark.parametrize("page", PAGES)
def test_a_member_without_the_nda_is_pointed_to_accepting_it(listed_everywhere, shared_users, page):
    documents, pages = listed_everywhere
    html = page_html(client_for(shared_users["member"]), pages[page])
    nda = row_of(html, documents["nda"])
    assert row_action(nda) == "Accept the NDA to download", page
    assert re.search(r'class="lock lock-nda" href="[^"]*/nda/[^"]*\?next=', nda)
    assert row_action(row_of(html, documents["public"])).startswith("Download (English,")
    assert documents["unlisted"].slug not in html


@pytest.mark.parametrize("who", ["member", "member_nda"])
def test_my_library_rows_offer_the_download_too(listed_everywhere, shared_users, who):
    documents, _pages = listed_everywhere
    reader = shared_users[who]
    for document in (documents["public"], documents["nda"]):
        SavedDocument.objects.create(user=reader, document=document)
    client = client_for(reader)
    html = page_html(client, "/en/library/")
    public = row_of(html, documents["public"])
    assert downloaded(client, download_link(public)) == stored_bytes(documents["public"])
    nda = row_of(html, documents["nda"])
    if who == "member_nda":
        assert row_action(nda).startswith("Download (English,")
        assert downloaded(client, download_link(nda)).startswith(b"%PDF")
    else:
        assert row_action(nda) == "Accept the NDA to download"
        assert download_link(nda) is None


def stored_bytes(document) -> bytes:
    version_file = document.versions.get().files.get()
    with version_file.file.open("rb") as stored:
        return stored.read()
