"""A plugin used only by the tests: it implements every extension point, so the contract test
can prove each one reaches the portal. No setting installs it: a test that needs it asks for the
``sample_plugin`` fixture (``cms.plugins.testing.install_temporarily``), hence no models."""

from django.db.models import Q
from django.http import HttpResponse
from django.urls import path
from ninja import Router

from cms import events
from cms.plugins.access import AccessRule
from cms.plugins.base import DocumentAction, FooterLink, ListingAction, MenuItem, PluginConfig
from cms.plugins.search import SearchHit, SearchProvider

NDA_GROUP = "sample: NDA accepted"
SAMPLE_ADMINS_GROUP = "sample: administrators"
EXTRA_ENTITLED_GROUP = "sample: entitled to everything"
SUBSCRIBERS_GROUP = "sample: subscribed to every document"
RECEIVED_EVENTS: list = []
MAINTENANCE_RUNS: list = []


class SampleAccessRule(AccessRule):
    def nda_satisfied(self, user):
        return user.groups.filter(name=NDA_GROUP).exists()

    def accepted_nda_label(self, user):
        return "sample NDA" if self.nda_satisfied(user) else None

    def restricted_visible_q(self, user):
        if user.groups.filter(name=EXTRA_ENTITLED_GROUP).exists():
            return Q(access_level="restricted")
        return None

    def restricted_visible_pairs(self, users, document_ids):
        from django.contrib.auth import get_user_model

        entitled = get_user_model().objects.filter(
            pk__in=[user.pk for user in users], groups__name=EXTRA_ENTITLED_GROUP
        )
        return {
            (pk, document_id)
            for pk in entitled.values_list("pk", flat=True)
            for document_id in document_ids
        }


class SampleSearchProvider(SearchProvider):
    id = "sample"
    label = "Sample results"

    def search(self, request, query, limit=20):
        return [SearchHit(title=f"Sample hit for {query}", url="/sample/")][:limit]


router = Router(tags=["sample"])


@router.get("/ping", response=dict, operation_id="sample_ping")
def ping(request):
    return {"pong": True}


def sample_page(request):
    return HttpResponse("sample plugin page")


class SamplePluginConfig(PluginConfig):
    name = "tests.sample_plugin"
    label = "sample_plugin"
    plugin_id = "sample"
    default = True
    default_settings = {"GREETING": "hello"}

    def reader_urls(self):
        return [path("", sample_page, name="index")]

    def menu_items(self, request):
        return [MenuItem(label="Sample", url="/sample/", order=70)]

    def admin_menu_items(self, request):
        user = request.user
        if user.is_authenticated and user.groups.filter(name=SAMPLE_ADMINS_GROUP).exists():
            return [MenuItem(label="Sample settings", url="/sample/settings/")]
        return []

    def footer_links(self, request):
        return [FooterLink(label="Sample footer", url="/sample/", order=20)]

    def document_actions(self, request, document):
        return [DocumentAction(label=f"Sample action on {document.slug}", url="/sample/")]

    def listing_actions(self, request):
        return [ListingAction(label="Sample bulk action", url="/sample/", all_label="Sample all")]

    def maintenance_tasks(self):
        return [lambda: MAINTENANCE_RUNS.append("swept")]

    def api_router(self):
        return router

    def access_rules(self):
        return [SampleAccessRule()]

    def event_handlers(self):
        return {event_type: RECEIVED_EVENTS.append for event_type in events.EVENT_TYPES}

    def search_providers(self):
        return [SampleSearchProvider()]

    def private_models(self):
        # Stands for a model of the plugin's own that no visitor is shown.
        return ["wagtailcore.Collection"]

    def document_subscribers(self, document_id):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(groups__name=SUBSCRIBERS_GROUP).values("pk")
