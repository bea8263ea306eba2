"""Helpers shared by the test modules: clients signed in as a user, users, fresh copies of data a
module built once, the reader routes, and content and admin steps several modules repeat.

Test modules import what they share from here (or get it as a fixture from ``tests/conftest.py``),
never from one another. Content builders proper are in ``tests/factories.py``; the notification
tests' subscribers and waits in ``tests/notification_helpers.py``; test servers in
``tests/smtp_server.py`` and ``tests/webhook_receiver.py``; the surface matrix's world in
``tests/surface_world.py``; the admin's screens, as its registries list them, in
``tests/admin_screens.py``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Model
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import translation
from wagtail.models import APIToken, Locale
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

from cms.delivery.links import signed_download_url
from cms.models import IndustryPage, StarterPackItem, StarterPackPage
from tests import factories

ROOT = Path(__file__).resolve().parents[1]

#: The password of the demo accounts ``seed_demo`` makes for the test database.
DEMO_PASSWORD = "demo-password-for-tests"


# --- users and clients -------------------------------------------------------------------------


def make_user(username, groups=(), **extra):
    user = get_user_model().objects.create_user(
        username=username, password="pw-" + username, **extra
    )
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


def client_for(user) -> Client:
    """A browser signed in as ``user``; ``None``: an anonymous one."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def bearer(user) -> dict:
    """Request headers carrying a new API token of ``user``."""
    _token, plaintext = APIToken.create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


# --- data a module builds once -----------------------------------------------------------------


def refetch(objects: dict) -> dict:
    """Fresh instances of objects a module built once (``module_db``), for one test: what a test
    caches on an instance (a user's organization, say) is not seen by the next test. Values
    that are not model instances (``None`` for the anonymous user) are kept as they are."""
    return {
        name: type(value)._base_manager.get(pk=value.pk) if isinstance(value, Model) else value
        for name, value in objects.items()
    }


# --- routes ------------------------------------------------------------------------------------


def reader_route_names() -> set[str]:
    """Names (``namespace:name``) of every route of the reader site: the URL configuration
    minus the admin, the API and django-rq."""
    names = set()

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                if str(pattern.pattern).startswith(("admin/", "api/", "django-rq")):
                    continue
                walk(
                    pattern.url_patterns,
                    f"{namespace}:{inner}" if namespace and inner else inner or namespace,
                )
            elif pattern.name and not str(pattern.pattern).startswith("admin/"):
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns)
    return names


# --- content -----------------------------------------------------------------------------------


def industry_page(slug: str) -> IndustryPage:
    return IndustryPage.objects.get(slug=slug, locale=Locale.get_default())


def make_pack(industry: IndustryPage, documents, slug=None, kind="audit") -> StarterPackPage:
    """A published pack holding ``documents`` in that order, as an editor builds it."""
    slug = slug or factories.unique("test-pack")
    pack = StarterPackPage(title=f"Pack {slug}", slug=slug, kind=kind, intro="<p>Read these.</p>")
    industry.add_child(instance=pack)
    for position, document in enumerate(documents):
        StarterPackItem.objects.create(page=pack, sort_order=position, document=document)
    pack.save_revision().publish()
    return pack


#: An update note and its German translation.
NOTE = "The bridge letter now covers the fourth quarter."
GERMAN_NOTE = "Der Überbrückungsbrief deckt nun das vierte Quartal ab."


def translate_to_german(admin_client, document, strings: dict, capture) -> None:
    """What a translator does: submit the document for German in the admin, translate these
    strings, publish the translation (wagtail-localize publishes it once the transaction
    commits, hence ``capture``)."""
    german = Locale.objects.get(language_code="de")
    url = reverse(
        "wagtail_localize:submit_snippet_translation",
        kwargs={"app_label": "cms", "model_name": "trustdocument", "pk": document.pk},
    )
    assert admin_client.post(url, {"locales": [german.pk]}).status_code == 302
    source = TranslationSource.objects.get_for_instance(document)
    for path, text in strings.items():
        segment = StringSegment.objects.get(source=source, context__path=path)
        StringTranslation.objects.create(
            translation_of=segment.string, locale=german, context=segment.context, data=text
        )
    with capture(execute=True):
        Translation.objects.get(source=source, target_locale=german).save_target(publish=True)


# --- the Wagtail admin's forms -----------------------------------------------------------------


def document_form_data(slug: str, category, access_level: str, **extra) -> dict:
    """The admin form of a new document series."""
    return {
        "title": f"Series {slug}",
        "slug": slug,
        "summary": f"Summary of {slug}",
        "category": str(category.pk),
        "audit_period_start": "",
        "audit_period_end": "",
        "language": "en",
        "access_level": access_level,
        **extra,
    }


def version_form_data(document, upload, label: str = "2026", **extra) -> dict:
    """The admin form of a new version of ``document`` with one English file."""
    return {
        "document": str(document.pk),
        "version_label": label,
        "published_on": "2026-03-01",
        "change_description": f"What changed in {label}",
        "files-TOTAL_FORMS": "1",
        "files-INITIAL_FORMS": "0",
        "files-MIN_NUM_FORMS": "1",
        "files-MAX_NUM_FORMS": "1000",
        "files-0-id": "",
        "files-0-ORDER": "1",
        "files-0-language": "en",
        "files-0-file": upload,
        **extra,
    }


def form_errors(response) -> str:
    """Readable form errors of a redisplayed admin form, for assertion messages."""
    context = getattr(response, "context", None)
    if not context or "form" not in context:
        return f"status {response.status_code}"
    form = context["form"]
    child_errors = {name: fs.errors for name, fs in getattr(form, "formsets", {}).items()}
    return f"form errors: {form.errors.as_data()} formset errors: {child_errors}"


# --- other processes and clocks ---------------------------------------------------------------


def run_python(script: str, env: dict, *args: str, timeout: int = 120) -> dict:
    """Run ``script`` in a new Python process of the portal (from the checkout, with ``env``)
    and return the JSON it printed last; fail with its stderr if it failed."""
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def expired_download_link(version, monkeypatch, minutes_ago: int) -> str:
    """A download link for ``version`` signed ``minutes_ago`` minutes ago (anonymous)."""
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - minutes_ago * 60)
    with translation.override("en"):  # an English page's link, whatever language is active
        url = signed_download_url(version.pk, "en", None)
    monkeypatch.setattr(time, "time", real_time)
    return url


# --- rows of document listings (search results, Trust Documents, home, region, pack pages) -----


def row_of(html: str, document) -> str:
    """The row of ``document`` (rows are ``<li class="document-card" …>``)."""
    start = html.index(f'/documents/{document.slug}/"')
    begin = html.rindex('<li class="document-card"', 0, start)
    following = html.find('<li class="document-card"', start)
    return html[begin : following if following != -1 else len(html)]


def row_action(row: str) -> str:
    """The text of the row's download line ("" when it has none)."""
    found = re.search(r'<p class="row-download">(.*?)</p>', row, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", found[1]).strip() if found else ""


def shown_count(html: str, name: str, slug: str, label: str) -> int | None:
    """The count the filter ``name`` shows beside its checkbox for ``slug`` labelled ``label``
    (``None`` when there is no such checkbox)."""
    found = re.search(
        rf'<input type="checkbox" name="{name}" value="{re.escape(slug)}"[^>]*> '
        rf'<span class="option-label">{re.escape(label)}</span> '
        r'<span class="facet-count">\((\d+)\)</span>',
        html,
    )
    return int(found[1]) if found else None
