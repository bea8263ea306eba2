"""No English left: every reader page of the demo, in every shipped language, as an anonymous
visitor and as a signed-in member who accepted the NDA, shows none of the English texts its
English pages show (menu entries, page titles and bodies, categories and other terms, document
titles, summaries and change notes, starter packs, the NDA, buttons and labels).

The known list is built from the English walk itself: every visible text there is English, save
the proper names and other language-neutral texts in ``ALLOWED`` (each with its reason).
"""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from wagtail.models import Locale, Page

from cms.access import policy
from sites.demo import content
from tests.conftest import accept_current_nda

LANGUAGES = list(content.LANGUAGES)

# Texts the English pages show that are the same in every language, and why.
ALLOWED = {
    # Proper names of standards, frameworks and their levels, and of products.
    "SOC 1": "name of a standard",
    "SOC 2": "name of a standard",
    "SOC 3": "name of a standard",
    "ISO/IEC 27001": "name of a standard",
    "ISO/IEC 27017": "name of a standard",
    "ISO/IEC 27018": "name of a standard",
    "ISO 22301": "name of a standard",
    "NIST SP 800-53": "name of a standard",
    "NIST Cybersecurity Framework": "official name, kept in English in German publications",
    "FedRAMP": "name of a programme",
    "PCI DSS": "name of a standard",
    "HIPAA": "name of a law",
    "GDPR": "the regulation's English abbreviation, also used in Japanese",
    "C5": "name of a standard",
    "ENS": "name of a standard",
    "DORA": "name of a regulation",
    # The language switcher names each language in that language.
    "English": "the language switcher's own name for English",
    "Deutsch": "language switcher",
    "Español": "language switcher",
    "Français": "language switcher",
    # The demo's organizations and people.
    "Example Bank": "the demo customer's name",
    "Example Cloud Trust Portal": "the demo provider's brand name (Settings › Branding)",
    "Trust Portal": "the product's name, in the default brand",
}
# Texts shaped like these are not English words: e-mail addresses, version labels, dates and
# numbers, people's names in the account menu.
ALLOWED_PATTERNS = [
    (re.compile(r"^[\w.+-]+@[\w.-]+$"), "an e-mail address"),
    (re.compile(r"^(v?[\d.]+|Q\d|\d{4}(-Q\d)?)( (v?[\d.]+|Q\d|\d{4}(-Q\d)?))*$"), "a version"),
    (re.compile(r"^[^A-Za-z]*([A-Za-z]{1,2}[^A-Za-z]*)?$"), "no English word in it"),
    (re.compile(r"^(Ada Admin|Rita Reader|Eli Editor|Carl Contributor|Pat Personal)$"), "a name"),
]


# Words a language writes as English does, and where they come from.
SAME_IN = {
    "de": {
        "Audit": "German word",
        "Version": "German word",
        "Feedback": "German loanword",
        "Region": "German word",
        "Standard": "German word",
        "Standards": "German word",
        "Trust Center": "the term German trust centers use",
    },
    "es": {
        "Australia": "the country's Spanish name",
        "Compliance Manager": "product name, kept in Spanish UI texts",
    },
    "fr": {
        "Audit": "French word",
        "Canada": "the country's French name",
        "Compliance Manager": "product name, kept in French UI texts",
        "Documents": "French word",
        "Pages": "French word",
        "Public": "French word",
        "Recertification.": "French word",
        "Sections": "French word",
        "Version": "French word",
    },
    "ja": {},
}
SAME_IN_PATTERNS = {"fr": [re.compile(r"^\d+ documents$")]}


def allowed(text: str) -> bool:
    """Allowed in every language: a proper name, a list of them ("ISO/IEC 27001, SOC 2"), or a
    text with no English word."""
    if text in ALLOWED or any(pattern.search(text) for pattern, _why in ALLOWED_PATTERNS):
        return True
    parts = re.split(r", | · ", text)
    return len(parts) > 1 and all(allowed(part) for part in parts)


def same_in(code: str, text: str) -> bool:
    """``text`` reads the same in ``code`` (alone, or as a part of a "title · site" line)."""
    parts = re.split(r" · ", text)
    return all(
        part in SAME_IN[code]
        or allowed(part)
        or any(pattern.search(part) for pattern in SAME_IN_PATTERNS.get(code, []))
        for part in parts
    )


class VisibleText(HTMLParser):
    """The texts a reader sees or hears on a page: text nodes and the labels in attributes,
    without scripts, styles and the language switcher (which names each language in its own)."""

    SKIPPED = {"script", "style", "template", "noscript"}
    LABELS = ("aria-label", "placeholder", "title", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.skipping: list[str] = []  # the open tags of a skipped element, outermost first

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.skipping:
            if tag == self.skipping[0]:
                self.skipping.append(tag)
            return
        if tag in self.SKIPPED or "language-switcher" in (attributes.get("class") or ""):
            self.skipping.append(tag)
            return
        for name in self.LABELS:
            self.add(attributes.get(name))
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            self.add(attributes.get("value"))

    def handle_endtag(self, tag):
        if self.skipping and tag == self.skipping[0]:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.add(data)

    def add(self, text):
        text = " ".join((text or "").split())
        if text:
            self.texts.append(text)


def visible_texts(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.texts


def reader_urls(viewer) -> list[str]:
    """The English reader pages to walk: every page of the page tree (home, Trust Documents and
    its sections, Industries & Regions, industries, regions, starter packs), the document pages
    (all the viewer may see; for an anonymous visitor, one per category), the search page with
    and without a query, and the sign-in page or the NDA."""
    default = Locale.get_default()
    urls = [
        page.url
        for page in Page.objects.filter(locale=default, depth__gt=1).live().order_by("path")
    ]
    documents = policy.visible_documents(viewer).filter(locale=default).order_by("category", "slug")
    slugs = {}
    for slug, category in documents.values_list("slug", "category"):
        slugs.setdefault(slug if viewer.is_authenticated else category, slug)
    urls += [f"/en/documents/{slug}/" for slug in slugs.values()]
    urls += ["/en/search/", "/en/search/?q=report"]
    urls += ["/en/nda/accept/"] if viewer.is_authenticated else ["/en/accounts/login/"]
    return urls


def in_language(url: str, code: str) -> str:
    assert url.startswith("/en/"), url
    return f"/{code}/{url[4:]}"


@pytest.fixture(scope="module")
def walks(module_db, django_db_blocker):
    """{(viewer, language): {url: visible texts}} for both viewers and every language."""
    with django_db_blocker.unblock():
        member = get_user_model().objects.get(username="reader")
        accept_current_nda(member)
        signed_in = Client()
        signed_in.force_login(member)
        found = {}
        for name, client, viewer in (
            ("anonymous", Client(), AnonymousUser()),
            ("member", signed_in, member),
        ):
            urls = reader_urls(viewer)
            for code in ["en", *LANGUAGES]:
                pages = {}
                for url in urls:
                    url = in_language(url, code)
                    response = client.get(url)
                    assert response.status_code == 200, (name, url, response.status_code)
                    pages[url] = visible_texts(response.content.decode())
                found[(name, code)] = pages
        return found


def known_english(walks) -> dict[str, set[str]]:
    """{English text: the English pages showing it}: every text the English walk shows, save
    the allowed ones."""
    known = defaultdict(set)
    for (_viewer, code), pages in walks.items():
        if code == "en":
            for url, texts in pages.items():
                for text in texts:
                    if not allowed(text):
                        known[text].add(url)
    return known


def test_the_english_walk_covers_the_demo(walks):
    """The walk reaches what the issue names: the menu entries, every page title, category
    names, document titles, summaries and change notes."""
    known = known_english(walks)
    member_pages = walks[("member", "en")]
    anonymous_pages = walks[("anonymous", "en")]
    assert len(member_pages) > 60 and len(anonymous_pages) > 30
    expected = {
        "Trust Documents",
        "Industries & Regions",
        "Trust Center",
        "Audit reports",
        "Evaluation starter pack",
        "Non-disclosure agreement",
    }
    shown = {spec["slug"] for spec in content.DOCUMENTS} - {"red-team-report"}  # unlisted
    for spec in content.DOCUMENTS:
        if spec["slug"] in shown:
            expected |= {spec["title"], spec["summary"]}
            expected |= {change for _label, _date, change in spec["versions"]}
    missing = expected - set(known)
    assert not missing, sorted(missing)


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("viewer", ["anonymous", "member"])
def test_no_english_left(walks, viewer, code):
    known = known_english(walks)
    # Long English texts are also found inside other texts (a sentence in a paragraph).
    long_known = [text for text in known if len(text) >= 40]
    left = defaultdict(set)
    for url, texts in walks[(viewer, code)].items():
        for text in texts:
            if text in known:
                if not same_in(code, text):
                    left[text].add(url)
            else:
                for english in long_known:
                    if english in text:
                        left[english].add(url)
    report = "\n".join(
        f"{text!r} on {len(urls)} page(s), e.g. {sorted(urls)[0]}"
        for text, urls in sorted(left.items())
    )
    assert not left, f"{len(left)} English texts left in {code}:\n{report}"
