"""The reader site's routing: one lookup by URL path, answering exactly as Wagtail's walk."""

import pytest
from django.db import connection
from django.http import Http404
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from cms.models import HomePage
from cms.models import pages as page_models


def walk(home, components):
    """Wagtail's own answer: a child per segment, then the page if it is live."""
    try:
        return Page.route(home, RequestFactory().get("/"), components).page
    except Http404:
        return None


def fast(home, components):
    try:
        return home.route(RequestFactory().get("/"), components).page
    except Http404:
        return None


def components_of(page, home):
    return [part for part in page.url_path[len(home.url_path) :].split("/") if part]


@pytest.mark.django_db
def test_every_page_of_every_language_routes_as_wagtail_routes_it():
    homes = list(HomePage.objects.all())
    assert len(homes) == 5  # one per language
    checked = 0
    for home in homes:
        for page in Page.objects.descendant_of(home).specific():
            components = components_of(page, home)
            expected = walk(home, components)
            found = fast(home, components)
            assert (found and (type(found), found.pk)) == (
                expected and (type(expected), expected.pk)
            ), page.url_path
            checked += 1
    assert checked > 100


@pytest.mark.django_db
def test_paths_that_name_no_live_page_are_not_found():
    home = HomePage.objects.get(locale__language_code="en")
    pack = Page.objects.descendant_of(home).filter(depth__gte=5).first().specific
    components = components_of(pack, home)
    for path in (
        [*components, "nothing-below"],
        ["no-such-section"],
        [components[0].upper(), *components[1:]],  # slugs match exactly, as Wagtail's do
        components[1:],  # a page's slug alone, without its parents
    ):
        assert fast(home, path) is None and walk(home, path) is None, path
    pack.unpublish()
    assert fast(home, components) is None and walk(home, components) is None


@pytest.mark.django_db
def test_a_renamed_page_is_found_at_its_new_path_only():
    home = HomePage.objects.get(locale__language_code="en")
    page = Page.objects.descendant_of(home).filter(depth=3).first().specific
    child = Page.objects.child_of(page).live().first()
    old = components_of(child, home)
    page.slug = "renamed-section"
    page.save_revision().publish()
    child.refresh_from_db()
    new = components_of(child, home)
    assert new[0] == "renamed-section"
    assert fast(home, old) is None and walk(home, old) is None
    assert fast(home, new).pk == walk(home, new).pk == child.pk


@pytest.mark.django_db
def test_a_route_costs_the_same_queries_at_any_depth():
    home = HomePage.objects.get(locale__language_code="en")
    counts = {}
    for depth in (3, 4, 5):
        page = Page.objects.descendant_of(home).filter(depth=depth).live().first()
        with CaptureQueriesContext(connection) as queries:
            assert fast(home, components_of(page, home)).pk == page.pk
        counts[depth] = len(queries)
    assert counts == {3: 2, 4: 2, 5: 2}  # the page, then its specific row


@pytest.mark.django_db
def test_page_types_that_route_on_their_own_get_wagtails_walk(monkeypatch):
    """Such a type may answer paths that name no page: then every segment is asked."""
    home = HomePage.objects.get(locale__language_code="en")
    section = Page.objects.descendant_of(home).filter(depth=3).live().first().specific
    answered = []

    def own_route(self, request, path_components):
        answered.append(path_components)
        return super(type(self), self).route(request, [])

    monkeypatch.setattr(type(section), "route", own_route)
    page_models._page_types_with_own_routing.cache_clear()
    try:
        found = fast(home, [section.slug, "virtual-path"])
    finally:
        monkeypatch.undo()
        page_models._page_types_with_own_routing.cache_clear()
    assert found.pk == section.pk
    assert answered == [["virtual-path"]]


@pytest.mark.django_db
def test_a_reader_gets_the_page_a_url_names_and_404_for_the_rest():
    """Over HTTP, as a reader meets it: through Wagtail's serve view and its hooks."""
    from django.test import Client

    client = Client()
    home = HomePage.objects.get(locale__language_code="de")
    pack = Page.objects.descendant_of(home).filter(depth=5).live().first().specific
    url = pack.get_url()
    assert url.startswith("/de/")
    answer = client.get(url)
    assert answer.status_code == 200 and pack.title in answer.content.decode()
    upper_cased = url[: -len(pack.slug) - 1] + pack.slug.upper() + "/"
    for missing in (url + "nothing-below/", upper_cased, "/de/" + pack.slug + "/"):
        assert client.get(missing).status_code == 404, missing
    pack.unpublish()
    assert client.get(url).status_code == 404
