"""Facet counts: under the access policy and the other active filters, on both databases."""

import pytest
from django.test import Client

from tests import factories


@pytest.fixture
def faceted(users):
    category = factories.category(section="blueprints", name="Facet category")
    blue, green = (
        factories.term(factories.Standard, "Blue"),
        factories.term(factories.Standard, "Green"),
    )
    north, south = (
        factories.term(factories.Service, "North"),
        factories.term(factories.Service, "South"),
    )
    factories.document("public", category_obj=category, standards=[blue], services=[north])
    factories.document("nda", category_obj=category, standards=[blue, green], services=[south])
    factories.document("signed_in", category_obj=category, standards=[green], services=[north])
    # Hidden from everyone but the other organization: never counted for anyone else.
    factories.document(
        "restricted",
        category_obj=category,
        standards=[blue],
        services=[north],
        organizations=[users["other_org_obj"]],
    )
    return category, blue, green, north, south


@pytest.mark.django_db
def test_counts_exclude_hidden_documents_and_follow_the_other_filters(faceted, users):
    category, blue, green, north, south = faceted
    url = f"/api/v3/trust-documents/?category={category.slug}"
    facets = Client().get(url).json()["facets"]
    assert facets["standard"][blue.slug] == 2 and facets["standard"][green.slug] == 2
    assert facets["service"][north.slug] == 2 and facets["service"][south.slug] == 1
    # With a standard chosen, the service counts narrow; the standard counts do not (OR within).
    narrowed = Client().get(f"{url}&standard={green.slug}").json()
    assert narrowed["count"] == 2
    assert narrowed["facets"]["service"] == {north.slug: 1, south.slug: 1}
    assert narrowed["facets"]["standard"][blue.slug] == 2
    # The entitled organization's member counts the restricted document too.
    entitled = Client()
    entitled.force_login(users["other_org"])
    assert entitled.get(url).json()["facets"]["standard"][blue.slug] == 3


@pytest.mark.django_db
def test_the_reader_site_shows_the_counts(faceted):
    category, blue, *_ = faceted
    html = Client().get(f"/en/trust-documents/?category={category.slug}").content.decode()
    assert f'<option value="{blue.slug}">Blue (2)</option>' in html
