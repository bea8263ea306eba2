"""Translating demo content the way an editor does: through wagtail-localize's translation
sources, so the translations can later be synced and edited in the admin."""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from wagtail.models import Locale, Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource
from wagtail_localize.strings import StringValue

from cms.models import (
    Category,
    DocumentVersion,
    Industry,
    Region,
    Service,
    Standard,
    TrustDocument,
)

from . import content

TERM_MODELS = (Service, Category, Standard, Region, Industry)


@transaction.atomic
def translate(instance, language_code: str, strings: dict[str, str]):
    """Create or update ``instance``'s translation in ``language_code``; source strings found in
    ``strings`` get the given translation, the rest stay in the source language."""
    locale = Locale.objects.get(language_code=language_code)
    source, _created = TranslationSource.get_or_create_from_instance(instance)
    translation, _created = Translation.objects.get_or_create(
        source=source, target_locale=locale, defaults={"enabled": True}
    )
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        # wagtail-localize stores strings as HTML ("Industries &amp; Regions"): compare and
        # store through its own conversions.
        text = strings.get(segment.string.as_value().render_text())
        if text:
            text = StringValue.from_plaintext(text).data
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=locale,
                context=segment.context,
                defaults={
                    "data": text,
                    "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                },
            )
    translation.save_target(publish=True)
    return instance.get_translation(locale)


def translate_demo(locale: Locale, log=print) -> int:
    """Translate the demo's terms, documents, versions, pages and NDA (those in ``locale``, the
    default one) into every shipped language. Returns how many translations were made.

    Order matters: a version's translation points to its document's, a page's to its parent's.
    Objects with no demo text to translate (a standard's proper name) are left to show the source.
    """
    terms = [
        term
        for model in TERM_MODELS
        for term in model.objects.filter(locale=locale).order_by("pk")
        if term.name in content.TERMS
    ]
    documents = list(TrustDocument.objects.filter(locale=locale).order_by("pk"))
    versions = [
        version
        for version in DocumentVersion.objects.filter(locale=locale).order_by("pk")
        if version.change_description in content.CHANGE_NOTES
    ]
    pages = list(Page.objects.filter(locale=locale, depth__gt=1).order_by("path").specific())
    count = 0
    for language in content.LANGUAGES:
        strings = content.catalogue(language)
        for instance in [*terms, *pages, *_demo_ndas(locale)]:
            translate(instance, language, strings)
            count += 1
        for document in documents:
            texts = content.document_texts(document.slug, language)
            if texts:
                title, summary = texts
                translate(document, language, {document.title: title, document.summary: summary})
                count += 1
        for version in versions:
            translate(version, language, strings)
            count += 1
    log(f"Translations: {count} objects translated")
    return count


def _demo_ndas(locale: Locale) -> list:
    """The NDA plugin's demo agreement, when the plugin is installed (the demo seeds it)."""
    if not apps.is_installed("plugins.nda"):
        return []
    NdaVersion = apps.get_model("nda", "NdaVersion")
    return list(NdaVersion.objects.filter(locale=locale, title__in=content.NDA).order_by("pk"))
