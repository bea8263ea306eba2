"""The filters of listings and search as a reader meets them: dropdowns of checkboxes with
counts in a plain GET form, the chosen values as chips by their labels, "Clear all", and in
each result row the download or the reason it is locked, as the access policy has it for
that reader."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from tests import factories
from tests.helpers import client_for, row_action, row_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def standards_and_services():
    standards = [
        factories.term(factories.Standard, name=f"Filterui Standard {name}")
        for name in ("Alpha", "Beta", "Gamma")
    ]
    service = factories.term(factories.Service, name="Filterui Cloud Mail")
    category = factories.category(section="data-protection")
    documents = [
        factories.document(
            "public",
            title=f"Filterui memo {index}",
            category_obj=category,
            standards=[standards[index % 3]],
            services=[service] if index % 2 == 0 else [],
        )
        for index in range(6)
    ]
    return standards, service, documents


def test_filters_are_checkbox_dropdowns_with_counts_in_a_get_form(standards_and_services):
    standards, _service, _documents = standards_and_services
    alpha, beta, _gamma = standards
    html = Client().get("/en/search/", {"q": "Filterui", "standard": [alpha.slug]}).content.decode()
    form = html[
        html.index('<form class="filters"') : html.index(
            "</form>", html.index('<form class="filters"')
        )
    ]
    assert 'method="get"' in form and '<select id="filter-standard"' not in form
    # A dropdown per filter: its summary says how many of its values are chosen.
    standard = form[
        form.index('id="filter-standard"') : form.index(
            "</details>", form.index('id="filter-standard"')
        )
    ]
    assert re.search(
        r"<summary>Standard <span class=\"chosen-count\">\(1\)</span></summary>", standard
    )
    # Each value a checkbox with the number of documents it would show (2 of the 6 each).
    assert re.search(
        rf'<input type="checkbox" name="standard" value="{alpha.slug}"[^>]* checked> '
        r'<span class="option-label">Filterui Standard Alpha</span> '
        r'<span class="facet-count">\(2\)</span>',
        standard,
    )
    assert re.search(
        rf'<input type="checkbox" name="standard" value="{beta.slug}" id="[^"]+"> '
        r'<span class="option-label">Filterui Standard Beta</span> '
        r'<span class="facet-count">\(2\)</span>',
        standard,
    )
    # Usable without JavaScript: the button submits the form; the script is a static file.
    assert '<button type="submit">Apply filters</button>' in form
    assert re.search(r'<script src="/static/portal/filters\.js[^"]*" defer></script>', html)
    assert "Filters (1)" in html


def test_chips_show_labels_remove_their_value_and_clear_all_keeps_the_search(
    standards_and_services,
):
    standards, service, _documents = standards_and_services
    alpha, beta, _gamma = standards
    params = {"q": "Filterui", "standard": [alpha.slug, beta.slug], "service": [service.slug]}
    response = Client().get("/en/search/", params)
    html = response.content.decode()
    chips = html[
        html.index('<ul class="active-filters"') : html.index(
            "</ul>", html.index('<ul class="active-filters"')
        )
    ]
    labels = re.findall(r'<a href="[^"]*">([^<]+?) <span aria-hidden="true">×</span>', chips)
    assert labels == ["Filterui Cloud Mail", "Filterui Standard Alpha", "Filterui Standard Beta"]
    assert alpha.slug not in re.sub(r'href="[^"]*"', "", chips)  # labels, not slugs
    # Each chip's link drops its own value only.
    hrefs = re.findall(r'<a href="\?([^"]*)">Filterui Standard Alpha', chips)
    kept = parse_qs(hrefs[0].replace("&amp;", "&"))
    assert kept["standard"] == [beta.slug] and kept["service"] == [service.slug]
    # Two standards (OR) and one service (AND): memos 0 (alpha) and 4 (beta) of the six.
    assert response.context["page_obj"].paginator.count == 2
    assert "Filters (3)" in html
    clear = re.search(r'<a class="clear-filters" href="([^"]*)">Clear all</a>', html)
    assert parse_qs(urlsplit(clear[1].replace("&amp;", "&")).query) == {"q": ["Filterui"]}
    assert (
        Client()
        .get("/en/search/" + clear[1].replace("&amp;", "&"))
        .context["page_obj"]
        .paginator.count
        == 6
    )


def test_a_value_no_term_has_is_shown_as_typed_and_no_chip_without_filters():
    html = Client().get("/en/search/", {"q": "x", "standard": "no-such-standard"}).content.decode()
    assert re.search(r'<a href="[^"]*">no-such-standard <span aria-hidden="true">×</span>', html)
    plain = Client().get("/en/search/", {"q": "x"}).content.decode()
    assert "Clear all" not in plain and "Filters (0)" in plain


@pytest.fixture
def one_of_each_level(users):
    organization = users["customer_org"]
    return {
        level: factories.document(
            level, title=f"Rowlock {level} memo", listed=True, organizations=[organization]
        )
        for level in ("public", "signed_in", "nda", "restricted")
    }


# What each row offers, by reader: the access policy's reasons (cms.access.policy.Viewer).
EXPECTED_ROWS = {
    "anonymous": {
        "public": "download",
        "signed_in": "Sign in to download",
        "nda": "Sign in to download",
        "restricted": "Sign in to download",
    },
    "member": {
        "public": "download",
        "signed_in": "download",
        "nda": "Accept the NDA to download",
        "restricted": "download",
    },
    "member_nda": {
        "public": "download",
        "signed_in": "download",
        "nda": "download",
        "restricted": "download",
    },
    # Of another organization: the listed restricted document by its title alone.
    "other_org": {
        "public": "download",
        "signed_in": "download",
        "nda": "download",
        "restricted": "Request access",
    },
}


@pytest.mark.parametrize("who", list(EXPECTED_ROWS))
def test_each_row_offers_the_download_or_the_policys_reason(users, one_of_each_level, who):
    html = client_for(users[who]).get("/en/search/", {"q": "Rowlock memo"}).content.decode()
    for level, document in one_of_each_level.items():
        action = row_action(row_of(html, document))
        expected = EXPECTED_ROWS[who][level]
        if expected == "download":
            assert action.startswith("Download (English,"), (level, action)
            assert re.search(r'<a class="download" href="[^"]*/download/', row_of(html, document))
        else:
            assert action == expected, (level, action)
            assert "/download/" not in row_of(html, document), level


def test_row_reasons_link_to_what_unlocks_the_document(users, one_of_each_level):
    anonymous = Client().get("/en/search/", {"q": "Rowlock memo"}).content.decode()
    row = row_of(anonymous, one_of_each_level["nda"])
    assert re.search(
        r'class="lock lock-sign_in" href="/en/accounts/login/\?next=/en/search/', row
    ) or ('href="/accounts/login/?next=' in row)
    member = client_for(users["member"]).get("/en/search/", {"q": "Rowlock memo"}).content.decode()
    assert re.search(
        r'class="lock lock-nda" href="[^"]*/nda/[^"]*\?next=',
        row_of(member, one_of_each_level["nda"]),
    )
    other = (
        client_for(users["other_org"]).get("/en/search/", {"q": "Rowlock memo"}).content.decode()
    )
    restricted = one_of_each_level["restricted"]
    assert f'href="/en/documents/{restricted.slug}/request-access/"' in row_of(
        other, restricted
    ) or (f"/documents/{restricted.slug}/request-access/" in row_of(other, restricted))


def test_personal_accounts_are_told_an_organization_account_is_needed(users, one_of_each_level):
    html = client_for(users["personal"]).get("/en/search/", {"q": "Rowlock memo"}).content.decode()
    assert row_action(row_of(html, one_of_each_level["nda"])) == "Organization account required"


@pytest.mark.parametrize("who", ["anonymous", "member_nda"])
def test_the_row_download_goes_through_the_download_view(users, one_of_each_level, who):
    client = client_for(users[who])
    html = client.get("/en/search/", {"q": "Rowlock memo"}).content.decode()
    for level in ("public", "nda"):
        row = row_of(html, one_of_each_level[level])
        link = re.search(r'<a class="download" href="([^"]+)" download>', row)
        if who == "anonymous" and level == "nda":
            assert link is None
            continue
        response = client.get(link[1])
        assert response.status_code == 200, level
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    # The link is bound to its reader: anyone else is refused.
    if who == "member_nda":
        link = re.search(
            r'<a class="download" href="([^"]+)" download>', row_of(html, one_of_each_level["nda"])
        )
        assert Client().get(link[1]).status_code == 302


def test_document_index_pages_list_rows_with_downloads_and_filters(one_of_each_level):
    public = one_of_each_level["public"]
    html = Client().get("/en/trust-documents/", {"category": public.category.slug}).content.decode()
    assert '<details class="filter-panel"' in html and 'class="filter-dropdown"' in html
    assert row_action(row_of(html, public)).startswith("Download (")
