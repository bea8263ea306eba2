"""The admin's create and edit views of documents and versions, each save one transaction.

Wagtail's snippet views save the object and its new revision in one transaction, then run the
action the editor chose (publish, submit to a workflow, which may publish at once) in others.
When the action failed (a lock wait that timed out on SQLite, say), the new version stayed
behind as a draft nobody asked for, with its files. Here the save and its action commit
together or not at all: the editor gets the error, and the admin shows what was there before.
"""

from django.db import transaction
from wagtail.snippets.views.snippets import CreateView, EditView


class SavedInOneTransaction:
    def form_valid(self, form):
        with transaction.atomic():
            return super().form_valid(form)


class CreateInOneTransaction(SavedInOneTransaction, CreateView):
    pass


class EditInOneTransaction(SavedInOneTransaction, EditView):
    pass
