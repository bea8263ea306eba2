"""Demo content for ``seed_demo``: six subprocessors and eight FAQ entries across the access
levels, published (so the subprocessors' history starts) and translated into every shipped
language through wagtail-localize, as an editor does it. Idempotent: looked up by name and
question before anything is created."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Locale
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource
from wagtail_localize.strings import StringValue

from .demo_content import FAQ, SUBPROCESSORS, TRANSLATIONS
from .models import FaqEntry, Subprocessor


def seed(log=print) -> None:
    locale = Locale.get_default()
    _let_editors_edit()
    created = []
    for fields in SUBPROCESSORS:
        if not Subprocessor.objects.filter(locale=locale, name=fields["name"]).exists():
            created.append(_publish(Subprocessor(locale=locale, **fields)))
    for order, (category, level, question, answer) in enumerate(FAQ, start=1):
        if not FaqEntry.objects.filter(locale=locale, question=question).exists():
            entry = FaqEntry(
                locale=locale,
                question=question,
                answer=f"<p>{answer}</p>",
                category=category,
                sort_order=order * 10,
                access_level=level,
            )
            created.append(_publish(entry))
    languages = [code for code, _name in settings.LANGUAGES if code in TRANSLATIONS]
    for instance in created:
        for language in languages:
            _translate(instance, language, TRANSLATIONS[language])
    if created:
        log(
            f"Trust center: {len(created)} subprocessors and FAQ entries, in {len(languages) + 1} languages"
        )


def _let_editors_edit() -> None:
    """The demo's editors write the subprocessors and the FAQ too (publishing included)."""
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="trust_center",
                codename__regex=r"^(add|change|delete|publish)_(subprocessor|faqentry)$",
            )
        )


def _publish(instance):
    instance.save()
    instance.save_revision().publish()
    return instance


@transaction.atomic
def _translate(instance, language_code: str, strings: dict[str, str]) -> None:
    """The translation of ``instance`` in ``language_code``, published: strings found in
    ``strings`` translated, the rest left in English (as ``sites/demo/translate.py`` does for
    the core's content, which a plugin may not import)."""
    target = Locale.objects.filter(language_code=language_code).first()
    if target is None:
        return
    source, _created = TranslationSource.get_or_create_from_instance(instance)
    translation, _created = Translation.objects.get_or_create(
        source=source, target_locale=target, defaults={"enabled": True}
    )
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        text = strings.get(segment.string.as_value().render_text())
        if text:
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=target,
                context=segment.context,
                defaults={
                    "data": StringValue.from_plaintext(text).data,
                    "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                },
            )
    translation.save_target(publish=True)
