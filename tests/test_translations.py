"""Languages: every reader page in every language, the globe switcher, translated document
metadata, and the editors' translation workflow through wagtail-localize (submit, translate a
string, publish, sync after the source changes)."""

import html
import re
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags
from wagtail.models import Locale, Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text
from wagtail_localize.models import (
    LocaleSynchronization,
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)

from cms.access import policy
from cms.models import DocumentIndexPage, TrustDocument
from sites.demo import content
from tests import factories

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
OTHER_LANGUAGES = [code for code in LANGUAGE_CODES if code != settings.LANGUAGE_CODE]

SWITCHER = re.compile(
    r'<details[^>]*class="[^"]*language-switcher[^"]*"[^>]*>\s*<summary>(.*?)</summary>(.*?)</details>',
    re.S,
)
LINK = re.compile(r"<a\b([^>]*)>")
ATTRIBUTE = re.compile(r'([\w-]+)(?:="([^"]*)")?')
H1 = re.compile(r"<h1>(.*?)</h1>", re.S)
KICKER = re.compile(r'<p class="kicker">(.*?)</p>', re.S)
SUMMARY = re.compile(r'<p class="summary">(.*?)</p>', re.S)


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def first(pattern, text) -> str:
    match = pattern.search(text)
    assert match, f"{pattern.pattern} not found"
    return html.unescape(match.group(1)).strip()


def switcher_links(response) -> dict[str, dict]:
    """{language code: {"url": ..., "current": bool}} from the globe language switcher."""
    assert response.status_code == 200, response.status_code
    block = SWITCHER.search(response.content.decode())
    assert block, "no language switcher on the page"
    summary, body = block.groups()
    assert "<svg" in summary or "\N{GLOBE WITH MERIDIANS}" in summary, "no globe on the switcher"
    links = {}
    for attributes in LINK.findall(body):
        attrs = {name: html.unescape(value or "") for name, value in ATTRIBUTE.findall(attributes)}
        links[attrs["hreflang"]] = {"url": attrs["href"], "current": "aria-current" in attrs}
    return links


def translations_of(page) -> dict[str, Page]:
    """The live page in each locale sharing ``page``'s translation key (translation or alias)."""
    return {
        p.locale.language_code: p
        for p in Page.objects.filter(translation_key=page.translation_key)
        .live()
        .select_related("locale")
    }


def demo_page(url_path: str) -> Page:
    return Page.objects.get(locale=Locale.get_default(), url_path=url_path)


@pytest.fixture
def admin_client(demo_users):
    client = Client()
    client.force_login(demo_users["admin"])
    return client


# Locales and pages ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_all_five_locales_exist_and_sync_from_english():
    assert LANGUAGE_CODES == ["en", "de", "fr", "es", "ja"]
    assert sorted(Locale.objects.values_list("language_code", flat=True)) == sorted(LANGUAGE_CODES)
    assert Locale.get_default().language_code == "en"
    synced = {
        sync.locale.language_code: sync.sync_from.language_code
        for sync in LocaleSynchronization.objects.select_related("locale", "sync_from")
    }
    assert synced == {code: "en" for code in OTHER_LANGUAGES}


@pytest.mark.django_db
def test_every_reader_page_exists_and_answers_in_every_language():
    client = Client()
    pages = list(Page.objects.filter(locale=Locale.get_default(), depth__gt=1).live())
    assert len(pages) > 20  # the demo's home, sections, industries, regions, starter packs
    for page in pages:
        in_locale = translations_of(page)
        assert set(in_locale) == set(LANGUAGE_CODES), page.url_path
        # The page API agrees with the translation key lookup.
        assert {p.locale.language_code for p in page.get_translations().live()} == set(
            OTHER_LANGUAGES
        )
        for code, translated in in_locale.items():
            url = translated.get_url()
            assert url.startswith(f"/{code}/"), url
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            assert f'<html lang="{code}">' in response.content.decode(), url


@pytest.mark.django_db
def test_document_pages_answer_in_every_language():
    """A document of each category, and every translated one, answers in every language."""
    client = Client()
    documents = policy.visible_documents(AnonymousUser()).filter(locale=Locale.get_default())
    by_category = {}
    for slug, category_id in documents.order_by("title").values_list("slug", "category_id"):
        by_category.setdefault(category_id, slug)
    # The translated ones an anonymous visitor may open (not an unlisted restricted one).
    visible = set(documents.values_list("slug", flat=True))
    slugs = set(by_category.values()) | (set(content.DOCUMENT_TRANSLATIONS) & visible)
    assert len(slugs) > 5
    for slug in slugs:
        for code in LANGUAGE_CODES:
            url = f"/{code}/documents/{slug}/"
            assert client.get(url).status_code == 200, url


# The globe language switcher -------------------------------------------------------------------


def expected_page_links(url_path):
    return {code: p.get_url() for code, p in translations_of(demo_page(url_path)).items()}


SWITCHER_PAGES = {
    "home": ("/en/", lambda: expected_page_links("/home/")),
    "trust documents": (
        "/en/trust-documents/",
        lambda: expected_page_links("/home/trust-documents/"),
    ),
    "section": (
        "/en/trust-documents/audit-reports/",
        lambda: expected_page_links("/home/trust-documents/audit-reports/"),
    ),
    "industry page": (
        "/en/industries-regions/financial-services/",
        lambda: expected_page_links("/home/industries-regions/financial-services/"),
    ),
    "document": (
        "/en/documents/security-white-paper/",
        lambda: {code: f"/{code}/documents/security-white-paper/" for code in LANGUAGE_CODES},
    ),
    "search": (
        "/en/search/?q=soc",
        lambda: {code: f"/{code}/search/?q=soc" for code in LANGUAGE_CODES},
    ),
    "feedback": ("/en/feedback/", lambda: {code: f"/{code}/feedback/" for code in LANGUAGE_CODES}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", SWITCHER_PAGES)
def test_language_switcher_links_to_the_same_content_in_every_language(name):
    url, expected = SWITCHER_PAGES[name]
    expected = expected()
    client = Client()
    links = switcher_links(client.get(url))
    assert list(links) == LANGUAGE_CODES
    assert {code: link["url"] for code, link in links.items()} == expected
    assert [code for code, link in links.items() if link["current"]] == ["en"]
    # Every link leads to that page in that language, whose switcher marks that language current.
    for code, link in links.items():
        response = client.get(link["url"])
        assert f'<html lang="{code}">' in response.content.decode(), link["url"]
        back = switcher_links(response)
        assert [c for c, lnk in back.items() if lnk["current"]] == [code]
        assert back["en"]["url"] == url


@pytest.mark.django_db
def test_language_switcher_from_a_translated_page():
    links = switcher_links(Client().get("/de/trust-documents/"))
    assert links["en"]["url"] == "/en/trust-documents/"
    assert links["fr"]["url"] == "/fr/trust-documents/"
    assert links["ja"]["url"] == "/ja/trust-documents/"
    assert links["de"]["current"]


# Translated document metadata ------------------------------------------------------------------


def german_category_of(slug):
    document = TrustDocument.objects.get(slug=slug, locale=Locale.get_default())
    return content.CATEGORY_TRANSLATIONS["de"][document.category.name], document


@pytest.mark.django_db
def test_document_page_shows_translated_title_summary_and_category():
    german_title, german_summary = content.DOCUMENT_TRANSLATIONS["security-white-paper"]["de"]
    german_category, document = german_category_of("security-white-paper")
    page = text_of(Client().get("/de/documents/security-white-paper/"))
    assert first(H1, page) == german_title
    assert first(SUMMARY, page) == german_summary
    assert first(KICKER, page) == german_category
    assert document.title not in page

    french_title, _summary = content.DOCUMENT_TRANSLATIONS["security-white-paper"]["fr"]
    french_category = content.CATEGORY_TRANSLATIONS["fr"][document.category.name]
    page = text_of(Client().get("/fr/documents/security-white-paper/"))
    assert first(H1, page) == french_title
    assert first(KICKER, page) == french_category


@pytest.mark.django_db
def test_listing_shows_translated_titles():
    german_title, _summary = content.DOCUMENT_TRANSLATIONS["security-white-paper"]["de"]
    document = TrustDocument.objects.get(slug="security-white-paper", locale=Locale.get_default())
    filtered = f"trust-documents/?category={document.category.slug}"
    page = text_of(Client().get(f"/de/{filtered}"))
    assert german_title in page
    assert document.title not in page
    english = text_of(Client().get(f"/en/{filtered}"))
    assert document.title in english and german_title not in english
    # Searching in German finds it by its (source) title and shows the German one.
    response = Client().get("/de/search/", {"q": "security white paper"})
    assert 'href="/de/documents/security-white-paper/"' in response.content.decode()
    # Results mark the matched words (<mark>paper</mark>), so compare the text without markup.
    assert german_title in strip_tags(text_of(response))


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Sicherheitsüberblick", "Whitepaper Sicherheitsüberblick"])
def test_search_finds_documents_by_their_translated_title(query):
    response = Client().get("/de/search/", {"q": query})
    assert response.status_code == 200
    assert 'href="/de/documents/security-white-paper/"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["ja", "es"])
def test_language_without_translation_falls_back_to_english(code):
    # The demo translates all its content: an editor's new document, not yet translated.
    category = factories.category(section="data-protection", name="Untranslated category")
    document = factories.document("public", title="Untranslated white paper", category_obj=category)
    assert not TrustDocument.objects.filter(
        translation_key=document.translation_key, locale__language_code=code
    ).exists()
    page = text_of(Client().get(f"/{code}/documents/{document.slug}/"))
    assert first(H1, page) == document.title
    assert first(SUMMARY, page) == document.summary
    assert first(KICKER, page) == document.category.name
    listing = text_of(Client().get(f"/{code}/trust-documents/?category={document.category.slug}"))
    assert document.title in listing


def shown_page_titles(code, titles):
    """{English title: title shown on the page's URL in ``code``} for the given source titles."""
    shown = {}
    locale = Locale.objects.get(language_code=code)
    for page in Page.objects.filter(locale=Locale.get_default(), title__in=titles):
        translated = page.get_translation(locale)
        shown[page.title] = first(H1, text_of(Client().get(translated.get_url())))
    assert set(shown) == set(titles)
    return shown


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["de", "fr"])
def test_seeded_page_titles_are_translated(code):
    # Includes "Industries & Regions": wagtail-localize keeps source strings HTML-escaped
    # ("Industries &amp; Regions"), which the demo's translate() must match.
    titles = content.PAGE_TRANSLATIONS[code]
    assert "Industries & Regions" in titles
    assert shown_page_titles(code, titles) == titles


# The editors' translation workflow (wagtail-localize) -----------------------------------------


def string_segment(source, path) -> StringSegment:
    return StringSegment.objects.select_related("string", "context").get(
        source=source, context__path=path
    )


def translate_string(client, translation, source, path, text):
    """Translate one source string the way the editor's translation UI does (its JSON API)."""
    segment = string_segment(source, path)
    response = client.put(
        reverse(
            "wagtail_localize:edit_string_translation",
            kwargs={"translation_id": translation.pk, "string_segment_id": segment.pk},
        ),
        data=urlencode({"value": text}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (200, 201), response.content
    string_translation = StringTranslation.objects.get(
        translation_of=segment.string, locale=translation.target_locale, context=segment.context
    )
    assert string_translation.data == text
    return string_translation


def reader_document(code, slug):
    page = text_of(Client().get(f"/{code}/documents/{slug}/"))
    return {
        "title": first(H1, page),
        "summary": first(SUMMARY, page),
        "category": first(KICKER, page),
    }


@pytest.mark.django_db
def test_document_translation_workflow(admin_client):
    de, fr = Locale.objects.get(language_code="de"), Locale.objects.get(language_code="fr")
    category = factories.category(section="data-protection", name="Workflow category")
    document = factories.document("public", title="Workflow document", category_obj=category)
    slug = document.slug

    # 1. Submit for translation into German and French through the admin.
    url = reverse(
        "wagtail_localize:submit_snippet_translation",
        kwargs={"app_label": "cms", "model_name": "trustdocument", "pk": document.pk},
    )
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"locales": [de.pk, fr.pk]})
    assert response.status_code == 302, response.content
    german = document.get_translation(de)
    assert german.live and german.title == "Workflow document"  # untranslated yet: the source text
    assert document.get_translation(fr).live
    # The category it is filed under was submitted along with it.
    assert category.get_translation(de).name == "Workflow category"
    source = TranslationSource.objects.get_for_instance(document)
    translation = Translation.objects.get(source=source, target_locale=de)
    assert translation.enabled
    assert reader_document("de", slug)["title"] == "Workflow document"

    # 2. Translate title and summary, publish, and readers see German.
    translate_string(admin_client, translation, source, "title", "Arbeitsablauf-Dokument")
    translate_string(admin_client, translation, source, "summary", "Deutsche Zusammenfassung")
    category_source = TranslationSource.objects.get_for_instance(category)
    category_translation = Translation.objects.get(source=category_source, target_locale=de)
    translate_string(
        admin_client, category_translation, category_source, "name", "Ablauf-Kategorie"
    )
    category_translation.save_target(publish=True)
    translation.save_target(publish=True)

    assert reader_document("de", slug) == {
        "title": "Arbeitsablauf-Dokument",
        "summary": "Deutsche Zusammenfassung",
        "category": "Ablauf-Kategorie",
    }
    listing = text_of(Client().get(f"/de/trust-documents/?category={category.slug}"))
    assert "Arbeitsablauf-Dokument" in listing and "Workflow document" not in listing
    assert reader_document("fr", slug)["title"] == "Workflow document"
    assert reader_document("ja", slug)["title"] == "Workflow document"
    assert reader_document("en", slug)["title"] == "Workflow document"

    # 3. Sync on change: the English title changes and is published.
    document.refresh_from_db()
    document.title = "Workflow document, second edition"
    document.save_revision().publish()
    assert reader_document("en", slug)["title"] == "Workflow document, second edition"
    # Until the translations are synced they keep their last state.
    assert reader_document("fr", slug)["title"] == "Workflow document"

    # The admin's "Sync translated snippets" action, with "Publish immediately".
    sync_url = reverse(
        "wagtail_localize:update_translations", kwargs={"translation_source_id": source.pk}
    )
    assert admin_client.get(sync_url).status_code == 200
    response = admin_client.post(sync_url, {"publish_translations": "on"})
    assert response.status_code == 302, response.content

    # The changed, untranslated title follows the source; the translated summary stays German.
    assert reader_document("de", slug) == {
        "title": "Workflow document, second edition",
        "summary": "Deutsche Zusammenfassung",
        "category": "Ablauf-Kategorie",
    }
    assert reader_document("fr", slug)["title"] == "Workflow document, second edition"
    assert reader_document("fr", slug)["summary"] == document.summary

    # Translating the new title and publishing again brings German back in full.
    translate_string(
        admin_client, translation, source, "title", "Arbeitsablauf-Dokument, 2. Auflage"
    )
    translation.save_target(publish=True)
    assert reader_document("de", slug)["title"] == "Arbeitsablauf-Dokument, 2. Auflage"
    assert reader_document("de", slug)["summary"] == "Deutsche Zusammenfassung"


def reader_page(url):
    page = text_of(Client().get(url))
    intro = re.search(r'<div class="intro">(.*?)</div>', page, re.S)
    intro_text = re.sub(r"<[^>]+>", "", intro.group(1)).strip() if intro else ""
    return {"title": first(H1, page), "intro": intro_text}


@pytest.mark.django_db
def test_page_translation_workflow(admin_client):
    de = Locale.objects.get(language_code="de")
    parent = demo_page("/home/trust-documents/")
    slug = factories.unique("workflow-page")
    # The editor adds the page in the admin and publishes it ...
    response = admin_client.post(
        reverse("wagtailadmin_pages:add", args=("cms", "documentindexpage", parent.pk)),
        nested_form_data(
            {
                "title": "Workflow page",
                "slug": slug,
                "section": "data-protection",
                "intro": rich_text("<p>English introduction.</p>"),
                "comments": inline_formset([]),
                "action-publish": "action-publish",
            }
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    page = DocumentIndexPage.objects.get(locale=parent.locale, slug=slug)
    assert page.live and page.get_parent().pk == parent.pk
    # ... and the reader tree of every language has it at once, as an alias.
    for code, alias in translations_of(page).items():
        assert code == "en" or alias.alias_of_id == page.pk
    assert set(translations_of(page)) == set(LANGUAGE_CODES)
    for code in OTHER_LANGUAGES:
        assert reader_page(f"/{code}/trust-documents/{slug}/")["title"] == "Workflow page"

    # 1. Submit for translation into German through the admin: the alias becomes a translation.
    url = reverse("wagtail_localize:submit_page_translation", kwargs={"page_id": page.pk})
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"locales": [de.pk]})
    assert response.status_code == 302, response.content
    german = page.get_translation(de)
    assert german.alias_of_id is None and german.live

    # 2. Translate the title, the introduction and the slug; publish.
    source = TranslationSource.objects.get_for_instance(page)
    translation = Translation.objects.get(source=source, target_locale=de)
    for path, text in (
        ("title", "Ablaufseite"),
        ("slug", f"{slug}-de"),
    ):
        segment = string_segment(source, path)
        StringTranslation.objects.create(
            translation_of=segment.string,
            locale=de,
            context=segment.context,
            data=text,
            translation_type=StringTranslation.TRANSLATION_TYPE_MANUAL,
        )
    intro = StringSegment.objects.select_related("string").get(
        source=source, context__path__startswith="intro"
    )
    assert intro.string.data == "English introduction."
    StringTranslation.objects.create(
        translation_of=intro.string, locale=de, context=intro.context, data="Deutsche Einleitung."
    )
    translation.save_target(publish=True)

    german_url = f"/de/trust-documents/{slug}-de/"
    assert page.get_translation(de).get_url() == german_url
    assert reader_page(german_url) == {"title": "Ablaufseite", "intro": "Deutsche Einleitung."}
    # The switcher goes to the translation's own URL, not the English one with another prefix.
    links = switcher_links(Client().get(f"/en/trust-documents/{slug}/"))
    assert links["de"]["url"] == german_url
    assert links["ja"]["url"] == f"/ja/trust-documents/{slug}/"
    assert switcher_links(Client().get(german_url))["en"]["url"] == f"/en/trust-documents/{slug}/"
    # The parent's sub-navigation in German names it in German.
    assert "Ablaufseite" in text_of(Client().get("/de/trust-documents/"))

    # 3. Sync on change: the English title changes and is published.
    page = DocumentIndexPage.objects.get(pk=page.pk)
    page.title = "Workflow page, revised"
    page.save_revision().publish()
    # Aliases follow the source at once; the German translation waits for the sync.
    assert reader_page(f"/ja/trust-documents/{slug}/")["title"] == "Workflow page, revised"
    assert reader_page(german_url)["title"] == "Ablaufseite"

    # (The API behind the admin's "Sync translated pages" action.)
    source, created = TranslationSource.update_or_create_from_instance(page)
    assert not created
    Translation.objects.get(source=source, target_locale=de).save_target(publish=True)

    # The untranslated new title follows the source; the translated introduction and slug stay.
    assert reader_page(german_url) == {
        "title": "Workflow page, revised",
        "intro": "Deutsche Einleitung.",
    }
    assert reader_page(f"/en/trust-documents/{slug}/") == {
        "title": "Workflow page, revised",
        "intro": "English introduction.",
    }


@pytest.mark.django_db
def test_a_process_rereads_locales_another_process_changed(monkeypatch):
    """Each process keeps its locales for LOCALE_CACHE_SECONDS: a change made by another
    process (which sends this one no signal) is seen after that, never later."""
    from cms import i18n

    clock = [1000.0]
    monkeypatch.setattr(i18n, "_clock", lambda: clock[0])
    before = i18n.locale_for("fr")
    # Elsewhere, the French locale is replaced: written without signals, as this process sees it.
    Locale.objects.filter(pk=before.pk).update(language_code="fr-retired")
    (replacement,) = Locale.objects.bulk_create([Locale(language_code="fr")])
    clock[0] += i18n.LOCALE_CACHE_SECONDS - 1
    assert i18n.locale_for("fr").pk == before.pk  # its own copy, for a while
    clock[0] += 1
    assert i18n.locale_for("fr").pk == replacement.pk
