"""The admin's create and edit views of documents and versions, each save one transaction.

Wagtail's snippet views save the object and its new revision in one transaction, then run the
action the editor chose (publish, submit to a workflow, which may publish at once) in others.
When the action failed (a lock wait that timed out on SQLite, say), the new version stayed
behind as a draft nobody asked for, with its files. Here the save and its action commit
together or not at all: the editor gets the error, and the admin shows what was there before.

A unique rule the form cannot check is answered as a form error, not a 500: a series' slug is
unique per language, and the language is not a field of the form; and a double-clicked Create
makes the second click's series collide with the first's.

Publishing (also "Save and schedule", and a revert's Publish) is refused with a form error,
nothing saved, when the user may not put what the form holds live without a review
(``cms.review``): an editor's NDA or restricted series or version.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from wagtail.snippets.views.snippets import CreateView, EditView

from cms.review import refusal_message


class SavedInOneTransaction:
    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except IntegrityError:
            if self._slug_taken(form):
                message = _(
                    "Another %(model)s in this language has this slug: choose another one."
                ) % {"model": self.model._meta.verbose_name}
                form.add_error("slug", message)
            else:
                message = _("This could not be saved: it conflicts with another one.")
                form.add_error(None, message)
            # What Wagtail's own refusals set, for its error message and JSON answers.
            self.produced_error_code = "invalid"
            self.produced_error_message = message
            self._forget_rolled_back_save(form.instance)
            return self.form_invalid(form)

    def _slug_taken(self, form) -> bool:
        # Asked after the database refused the row (never instead of it): which rule was it?
        instance = form.instance
        slug = form.cleaned_data.get("slug")
        if not slug or not hasattr(instance, "locale_id"):
            return False
        others = self.model._default_manager.filter(slug=slug, locale_id=instance.locale_id)
        if getattr(self, "object", None) is not None and self.object.pk:
            others = others.exclude(pk=self.object.pk)
        return others.exists()

    def _forget_rolled_back_save(self, instance) -> None:
        """A create whose transaction rolled back left its primary key on the instance; the
        form shown again must not pass for an existing object."""
        if isinstance(self, CreateView):
            instance.pk = None
            instance._state.adding = True


class CreateInOneTransaction(SavedInOneTransaction, CreateView):
    pass


class EditInOneTransaction(SavedInOneTransaction, EditView):
    pass


class PublishesOnlyWhatMayGoLive:
    """Asks the model's permission policy whether the user may publish the object as the form
    would make it (not as it was loaded: the access level, or the series of a version, may be
    what changed), before anything is saved. Wagtail itself asks only the model-level
    permission, then saves and publishes."""

    def is_valid(self, form):
        if not super().is_valid(form):
            return False
        if self.action != "publish" or self.permission_policy.user_has_permission_for_instance(
            self.request.user, "publish", form.instance
        ):
            return True
        message = refusal_message(form.instance)
        form.add_error(None, message)
        self.produced_error_code = "publish_needs_review"
        self.produced_error_message = message
        return False
