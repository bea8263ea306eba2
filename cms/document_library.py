"""Wagtail's document library is closed (imported by ``cms.wagtail_hooks``).

Trust documents live in their own protected storage. The library serves its files to anyone
with the link, so its serving view is not mounted, and a document put in it has no URL: the
library's listing and edit form, and any rich text linking the document, answered 500 (found by
the admin crawl, issue 17). Nobody may use it, superusers included: its admin screens refuse
(Wagtail asks this policy, and hides the menu item and dashboard count too), and rich text
offers no document links.
"""

from django.contrib.auth import get_user_model
from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.models import Collection
from wagtail.permission_policies import BasePermissionPolicy
from wagtail.permissions import register_permission_policy


class ClosedLibraryPolicy(BasePermissionPolicy):
    """Grants no action on any document to anyone. The library's views also ask which
    collections a user may add to, a question of collection-based policies."""

    def user_has_permission(self, user, action):
        return False

    def user_has_any_permission(self, user, actions):
        return False

    def users_with_any_permission(self, actions):
        return get_user_model().objects.none()

    def collections_user_has_any_permission_for(self, user, actions):
        return Collection.objects.none()

    def collections_user_has_permission_for(self, user, action):
        return Collection.objects.none()


# Exact: it wins over the one wagtail.documents registers for the class and its subclasses in
# its AppConfig.ready(), which may run before or after this module is imported.
Document = get_document_model()
register_permission_policy(Document, ClosedLibraryPolicy(Document), exact_class=True)


@hooks.register("register_rich_text_features", order=1)
def offer_no_document_links(features):
    """wagtail.documents adds its document link to every rich text toolbar (order 0)."""
    if "document-link" in features.default_features:
        features.default_features.remove("document-link")
