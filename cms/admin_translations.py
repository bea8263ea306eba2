"""wagtail-localize's admin views that publish translations, asking ``cms.review`` first.

wagtail-localize publishes a translation with the model's publish permission at most: the
translation editor's Publish, "Sync translated snippets" with "Publish immediately", and a
submission for translation, which publishes the translations of live content at once (and
updates and publishes again those of the objects it refers to: a version's series). A
translation is a series or version of its own, so an editor could put the German NDA series
live without the review its English source had. Here what the user may not publish
(``may_publish_translation``) is refused with a message and the user sent back, nothing
published; a submission saves such translations as drafts instead, for a Moderator to publish.

The translation editor replaces the snippet edit view from a ``before_edit_snippet`` hook; the
other two views have no hook, so ``translation_urls`` serves them in their place, at their
paths (``cms.wagtail_hooks`` registers both before wagtail-localize's own).

wagtail-localize offers "Translate" for a snippet only in the listing row's menu;
``OffersTranslationOnEditView`` puts it in the edit view's header menu too, as Wagtail does for
pages.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from wagtail.models import TranslatableMixin
from wagtail_localize.models import Translation, TranslationSource
from wagtail_localize.operations import TranslationCreator
from wagtail_localize.views.submit_translations import SubmitSnippetTranslationView
from wagtail_localize.views.update_translations import UpdateTranslationsView
from wagtail_localize.wagtail_hooks import (
    register_snippet_listing_buttons as translation_buttons_of_snippet,
)

from cms.review import may_publish_translation, translation_refusal_message


def refuse_publishing_translation_without_review(request, instance):
    """The translation editor's Publish (a POST of ``action=publish`` to the edit view of a
    translation): refused when the user may not put the translation live without review."""
    if request.method != "POST" or request.POST.get("action") != "publish":
        return None
    if not isinstance(instance, TranslatableMixin):
        return None
    translation = (
        Translation.objects.filter(
            source__object_id=instance.translation_key,
            target_locale_id=instance.locale_id,
            enabled=True,
        )
        .select_related("source", "target_locale")
        .first()
    )
    if translation is None:  # not a translation: the edit form, which asks on its own
        return None
    if may_publish_translation(request.user, translation):
        return None
    messages.error(request, translation_refusal_message(instance))
    return redirect(request.path)


class ReviewedUpdateTranslationsView(UpdateTranslationsView):
    """The admin's "Sync translated snippets": with "Publish immediately", refused as a whole
    when any of the translations needs a review (they share their source's level); without it,
    synced."""

    def form_valid(self, form):
        if form.cleaned_data["publish_translations"]:
            translations = self.object.translations.filter(enabled=True).select_related(
                "source", "target_locale"
            )
            if not all(may_publish_translation(self.request.user, t) for t in translations):
                source = self.object.get_source_instance()
                messages.error(self.request, translation_refusal_message(source))
                return redirect(self.request.get_full_path())
        return super().form_valid(form)


class DraftsWhereReviewIsNeeded(TranslationCreator):
    """wagtail-localize's submission, where a live object whose translations the user may not
    put live without review is translated as a draft; one already translated and live in a
    target locale is left as it was reviewed (updated from its source and published again, it
    would go live unreviewed; saved as a draft, it would go offline)."""

    def __init__(self, user, target_locales):
        super().__init__(user, target_locales)
        #: The live objects whose translations were not published, for the user to be told.
        self.held_back = []

    def create_translations(self, instance, include_related_objects=True):
        if getattr(instance, "live", False) and not self._may_publish_translations(instance):
            self.held_back.append(instance)
            live_translations = instance.get_translations().filter(
                locale__in=self.target_locales, live=True
            )
            if live_translations.exists():
                self.seen_objects.add(instance.translation_key)
                return
            # wagtail-localize publishes a translation when its source is live.
            instance = copy.copy(instance)
            instance.live = False
        super().create_translations(instance, include_related_objects)

    def _may_publish_translations(self, instance) -> bool:
        # Made here from the object as it is (not the draft copy); wagtail-localize finds it.
        source, _created = TranslationSource.get_or_create_from_instance(instance)
        return all(
            may_publish_translation(self.user, Translation(source=source, target_locale=locale))
            for locale in self.target_locales
        )


class ReviewedSubmitSnippetTranslationView(SubmitSnippetTranslationView):
    """The admin's "Translate" of a snippet, through ``DraftsWhereReviewIsNeeded``; otherwise
    what wagtail-localize's view does (its ``translate_object``, the message, the redirect)."""

    @transaction.atomic
    def form_valid(self, form):
        locales = form.cleaned_data["locales"]
        translator = DraftsWhereReviewIsNeeded(self.request.user, locales)
        translator.create_translations(self.object)
        self.components.save(translator, sources_and_translations=translator.mappings)

        translated = self.object.get_translation(locales[0]) if len(locales) == 1 else None
        if translated is not None:
            locale_names = locales[0].get_display_name()
        else:
            locale_names = _("{} locales").format(len(locales))
        messages.success(self.request, self.get_success_message(locale_names))
        if translator.held_back:
            messages.warning(self.request, translation_refusal_message(translator.held_back[0]))
        return redirect(self.get_success_url() or self.get_default_success_url(translated))


def translation_urls():
    """The admin URLs of wagtail-localize's views that publish and have no hook, served by the
    views above: registered ahead of wagtail-localize's, the same paths resolve to them (and
    ``reverse`` of wagtail-localize's names still gives those paths)."""
    return [
        path(
            "localize/submit/snippet/<slug:app_label>/<slug:model_name>/<str:pk>/",
            ReviewedSubmitSnippetTranslationView.as_view(),
        ),
        path(
            "localize/update/<int:translation_source_id>/",
            ReviewedUpdateTranslationsView.as_view(),
        ),
    ]


class OffersTranslationOnEditView:
    """A snippet edit view whose header menu ("…") has wagtail-localize's "Translate" (when a
    locale is left to translate into) and "Sync translated snippets" (when it has
    translations), for users with its ``submit_translation`` permission: the buttons of the
    listing row's menu, from wagtail-localize's own hook, so the same conditions and URLs."""

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if isinstance(self.object, TranslatableMixin):
            buttons.extend(
                translation_buttons_of_snippet(
                    self.object, self.request.user, next_url=self.request.get_full_path()
                )
            )
        return buttons
