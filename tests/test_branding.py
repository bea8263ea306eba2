"""A provider brands its portal in Settings › Branding, without code: the pages show its name,
logo, favicon, colours and footer links; colours that readers could not read and links that
would run a script are refused; nothing set keeps the portal's own look."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from wagtail.models import Site
from wagtail.test.utils.form_data import nested_form_data, streamfield

from cms.models import BrandingSettings, PortalSettings
from cms.models.branding import FooterLinkBlock, contrast_ratio, validate_link
from sites.demo.brand import BRAND, FOOTER_LINKS, footer_link_url
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

UNSAFE_LINKS = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "mailto:someone@example.com",
    "//evil.example/",
    "/\\evil.example/",
    "https://",
    "example.com/privacy",
    "",
]
SAFE_LINKS = ["https://example.com/privacy", "http://status.example.com/", "/en/search/?q=soc"]


@pytest.fixture
def site():
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def branding(site):
    """The demo's brand (``seed_demo`` set it on the default site)."""
    return BrandingSettings.for_site(site)


@pytest.fixture
def blank_branding(branding):
    """Nothing set: what a fresh install has."""
    BrandingSettings.objects.filter(pk=branding.pk).update(
        portal_name="",
        logo=None,
        favicon=None,
        primary_color="",
        header_background_color="",
        header_text_color="",
        footer_links=[],
    )
    return BrandingSettings.objects.get(pk=branding.pk)


def header(html: str) -> str:
    return html.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]


def footer(html: str) -> str:
    return html.split('<footer class="site-footer">', 1)[1].split("</footer>", 1)[0]


def footer_links(html: str) -> list[tuple[str, str]]:
    """(label, href) of the footer's links, the brand's and the plugins' (the feedback form)."""
    return re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', footer(html))


def demo_footer_links(language: str) -> list[tuple[str, str]]:
    """The demo brand's links for ``language``, before the plugins' own."""
    return [(footer_link_url(language, page), label) for label, page in FOOTER_LINKS[language]]


def linked(html: str, pattern: str) -> str:
    """The URL of the first ``href``/``src`` matching ``pattern``."""
    match = re.search(rf'(?:href|src)="({pattern}[^"]*)"', html)
    assert match, pattern
    return match.group(1).replace("&amp;", "&")


# --- on the reader site -------------------------------------------------------------------------


def test_the_demo_brand_is_applied_to_every_reader_page(branding):
    client = Client()
    for path in ("/en/", "/en/trust-documents/", "/en/search/?q=soc", "/de/"):
        html = client.get(path).content.decode()
        assert BRAND["portal_name"] in header(html), path
        assert "<title>" in html and f"{BRAND['portal_name']}</title>" in html, path
        assert linked(html, "/brand/logo").endswith(f"?v={branding.version}"), path
        assert 'rel="icon" href="/brand/favicon?v=' in html, path
        assert "portal/favicon.svg" not in html, path
        assert linked(html, "/brand/style.css")
        expected = demo_footer_links(path[1:3])
        assert footer_links(html)[: len(expected)] == expected, path


def test_footer_links_are_chosen_by_the_readers_language(branding):
    client = Client()
    english, german = (
        footer_links(client.get(f"/{code}/").content.decode()) for code in "en de".split()
    )
    assert ("https://example.com/de/privacy", "Datenschutzerklärung") in german
    assert ("https://example.com/en/privacy", "Privacy statement") not in german
    assert ("https://example.com/de/privacy", "Datenschutzerklärung") not in english
    # A link without a language is every reader's, in the editor's order.
    branding.footer_links = [
        ("link", {"label": "Status", "url": "https://status.example.com/", "language": ""}),
        ("link", {"label": "Impressum", "url": "/de/impressum/", "language": "de"}),
    ]
    branding.save()
    assert branding.footer_links_in("de") == [
        {"label": "Status", "url": "https://status.example.com/"},
        {"label": "Impressum", "url": "/de/impressum/"},
    ]
    assert branding.footer_links_in("ja") == [
        {"label": "Status", "url": "https://status.example.com/"}
    ]
    assert footer_links(client.get("/ja/").content.decode())[0] == (
        "https://status.example.com/",
        "Status",
    )


def test_the_brand_stylesheet_holds_the_colours_and_revalidates(branding):
    client = Client()
    url = linked(client.get("/en/").content.decode(), "/brand/style.css")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    assert f"--brand: {BRAND['primary_color']};" in css
    assert f"--brand-dark: {BRAND['header_background_color']};" in css
    assert f"--header-ink: {BRAND['header_text_color']};" in css
    assert "public" in response["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304

    # An editor's change changes the ETag and the link: no browser keeps the old colours.
    branding.primary_color = "#0d5c54"
    branding.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert changed.status_code == 200
    assert "--brand: #0d5c54;" in changed.content.decode()
    assert linked(client.get("/en/").content.decode(), "/brand/style.css") != url


def test_the_logo_and_favicon_are_served_as_png(branding):
    client = Client()
    for url, largest in (("/brand/logo", 80), ("/brand/favicon", 64)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "image/png"
        body = b"".join(response.streaming_content)
        assert body.startswith(b"\x89PNG\r\n\x1a\n")
        width, height = int.from_bytes(body[16:20], "big"), int.from_bytes(body[20:24], "big")
        assert max(width, height) == largest, (url, width, height)
        assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_without_settings_the_portal_keeps_its_own_look(blank_branding):
    client = Client()
    html = client.get("/en/").content.decode()
    assert '<a class="brand" href="/en/">Trust Portal</a>' in header(html)
    assert "Trust Portal</title>" in html
    assert "/brand/" not in html  # no stylesheet, logo or favicon of a brand
    assert 'href="/static/portal/favicon.svg"' in html
    assert "/brand/logo" not in html
    # Asked anyway, the stylesheet holds the portal's own colours; the images are missing.
    css = client.get("/brand/style.css").content.decode()
    assert "--brand: #0b4f8a;" in css and "--brand-dark: #083a66;" in css
    assert client.get("/brand/logo").status_code == 404
    assert client.get("/brand/favicon").status_code == 404
    # The German page names the portal in German wording where it has one.
    assert "<title>" in client.get("/de/").content.decode()


def test_the_trust_center_link_comes_from_the_portal_settings():
    portal_settings = PortalSettings.load()
    portal_settings.trust_center_label = "Our Trust Center"
    portal_settings.trust_center_url = "https://trust.example.org/"
    portal_settings.save()
    html = Client().get("/en/").content.decode()
    assert 'href="https://trust.example.org/"' in header(html)
    assert "Our Trust Center" in header(html)


# --- what the model refuses -------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, field, ratio",
    [
        ({"primary_color": "#7fb3d5"}, "primary_color", "2.25"),
        ({"header_text_color": "#777777"}, "header_text_color", "2.59"),
        ({"header_background_color": "#6c9bd2"}, "header_background_color", "2.89"),
        (
            {"header_text_color": "#222222", "header_background_color": "#333333"},
            "header_text_color",
            "1.25",
        ),
    ],
)
def test_colours_with_too_little_contrast_are_refused_with_the_ratio(fields, field, ratio):
    branding = BrandingSettings(**fields)
    with pytest.raises(ValidationError) as refused:
        branding.clean()
    message = " ".join(refused.value.message_dict[field])
    assert f"{ratio}:1" in message
    assert "4.5:1" in message


def test_the_contrast_ratio_is_wcags():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    # The portal's own colours pass, as does the demo's brand.
    assert contrast_ratio("#0b4f8a", "#ffffff") >= 4.5
    assert contrast_ratio("#ffffff", "#083a66") >= 4.5
    BrandingSettings(**BRAND).clean()


def test_a_ratio_just_under_the_minimum_does_not_read_as_enough():
    # #767676 on white is 4.54:1 (passes); #777777 is 4.48:1, shown as 4.47, not rounded up to 4.5.
    BrandingSettings(primary_color="#767676").clean()
    with pytest.raises(ValidationError) as refused:
        BrandingSettings(primary_color="#777777").clean()
    assert "4.47:1" in refused.value.message_dict["primary_color"][0]


@pytest.mark.parametrize("value", ["0b4f8a", "#0b4f8", "#0b4f8g", "red", "#0b4f8a; x: y"])
def test_malformed_colours_are_refused(value):
    with pytest.raises(ValidationError) as refused:
        BrandingSettings(
            site=Site.objects.get(is_default_site=True), primary_color=value
        ).full_clean()
    assert "primary_color" in refused.value.message_dict


@pytest.mark.parametrize("value", UNSAFE_LINKS)
def test_footer_links_that_are_not_web_addresses_are_refused(value):
    with pytest.raises(ValidationError):
        validate_link(value)
    with pytest.raises(ValidationError):
        FooterLinkBlock().clean({"label": "Privacy", "url": value})


@pytest.mark.parametrize("value", SAFE_LINKS)
def test_web_addresses_and_paths_of_the_site_are_accepted(value):
    validate_link(value)


# --- the admin's edit screen ------------------------------------------------------------------


def edit_url(site) -> str:
    return reverse("wagtailsettings:edit", args=["cms", "brandingsettings", site.pk])


def form_data(links, **fields) -> dict:
    values = {
        "portal_name": "Acme Trust",
        "logo": "",
        "favicon": "",
        "primary_color": "#0f6e63",
        "header_background_color": "#123b3a",
        "header_text_color": "#ffffff",
        **fields,
    }
    values["footer_links"] = streamfield(
        [("link", {"label": label, "url": url, "language": ""}) for label, url in links]
    )
    return nested_form_data(values)


def test_the_settings_screen_loads_and_saves_twice(demo_users, site, branding):
    client = client_for(demo_users["admin"])
    screen = client.get(edit_url(site))
    assert screen.status_code == 200
    html = screen.content.decode()
    for field in ("portal_name", "logo", "favicon", "primary_color", "header_text_color"):
        assert f'name="{field}"' in html, field
    assert "Footer links" in html
    assert "Settings › Portal settings" in html  # where the Trust Center link is set

    data = form_data([("Imprint", "/en/imprint/"), ("Privacy", "https://acme.example/privacy")])
    # A double click on Save posts the same form twice: both succeed, the result is one brand.
    for _attempt in range(2):
        response = client.post(edit_url(site), data)
        assert response.status_code == 302, response.content.decode()[:2000]
    saved = BrandingSettings.objects.get(site=site)
    assert BrandingSettings.objects.filter(site=site).count() == 1
    assert saved.portal_name == "Acme Trust"
    assert [(b.value["label"], b.value["url"]) for b in saved.footer_links] == [
        ("Imprint", "/en/imprint/"),
        ("Privacy", "https://acme.example/privacy"),
    ]
    html = Client().get("/en/").content.decode()
    assert "Acme Trust" in header(html)
    assert '<a href="/en/imprint/">Imprint</a>' in footer(html)


def test_the_settings_screen_names_what_it_refuses(demo_users, site, branding):
    client = client_for(demo_users["admin"])
    before = branding.updated_at
    response = client.post(
        edit_url(site),
        form_data([("Click me", "javascript:alert(document.cookie)")], primary_color="#7fb3d5"),
    )
    assert response.status_code == 200  # the form again, with its errors
    html = response.content.decode()
    assert "2.25:1" in html and "4.5:1" in html
    assert "https://" in html  # the footer link's error says what is accepted
    saved = BrandingSettings.objects.get(site=site)
    assert saved.updated_at == before
    assert "javascript:" not in Client().get("/en/").content.decode()


def test_editors_without_the_permission_cannot_open_the_screen(demo_users, site):
    response = client_for(demo_users["editor"]).get(edit_url(site))
    assert response.status_code in (302, 403)
    assert BrandingSettings.objects.get(site=site).portal_name == BRAND["portal_name"]


# --- the API ----------------------------------------------------------------------------------


def test_the_api_answers_the_brand(branding):
    response = Client().get("/api/v3/branding/")
    assert response.status_code == 200
    body = response.json()
    assert body["portal_name"] == BRAND["portal_name"]
    assert body["colors"] == {
        "primary": BRAND["primary_color"],
        "header_background": BRAND["header_background_color"],
        "header_text": BRAND["header_text_color"],
    }
    assert body["logo_url"] == f"http://testserver/brand/logo?v={branding.version}"
    assert body["favicon_url"].startswith("http://testserver/brand/favicon?v=")
    assert body["footer_links"] == [
        {"label": label, "url": url} for url, label in demo_footer_links("en")
    ]
    german = Client().get("/api/v3/branding/?locale=de").json()["footer_links"]
    assert [link["label"] for link in german] == [label for label, _ in FOOTER_LINKS["de"]]
    assert body["trust_center"]["url"] == PortalSettings.load().trust_center_url
    assert Client().get("/api/v3/branding/?colour=red").status_code == 400


def test_the_api_answers_the_portals_own_look_without_settings(blank_branding):
    body = Client().get("/api/v3/branding/").json()
    assert body["portal_name"] == "Trust Portal"
    german = Client().get("/api/v3/branding/?locale=de").json()
    assert german["portal_name"] == "Trust-Portal"  # the product's name, as the German site has it
    assert body["colors"]["primary"] == "#0b4f8a"
    assert body["logo_url"] is None and body["favicon_url"] is None
    assert body["footer_links"] == []
