"""Translating demo content the way an editor does: through wagtail-localize's translation
sources, so the translations can later be synced and edited in the admin."""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Locale
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource
from wagtail_localize.strings import StringValue


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
