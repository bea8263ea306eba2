"""The reader site's pages. Listings never filter in templates: pages get them from the
registered ``cms.listings.PageListings`` (the search service), which asks the access policy."""

from __future__ import annotations

from functools import cache

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, get_page_models
from wagtail.search import index
from wagtail.url_routing import RouteResult
from wagtail_localize.fields import SynchronizedField

from cms.listings import page_listings

from .taxonomy import Section


@cache
def _page_types_with_own_routing() -> tuple[type, ...]:
    """Page types (of any installed app) that override Wagtail's routing."""
    return tuple(
        model
        for model in get_page_models()
        if model is not HomePage and model.route is not Page.route
    )


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        """The page a path names, in one lookup by ``url_path`` (its ancestors' slugs, which
        Wagtail keeps up to date) instead of Wagtail's two queries per path segment. Wagtail's
        walk decides when a page type routes on its own (it may answer paths that name no
        page): then every segment must be asked."""
        if not path_components or _page_types_with_own_routing():
            return super().route(request, path_components)
        url_path = self.url_path + "/".join(path_components) + "/"
        # By the last segment's slug: slugs are indexed, URL paths are not (and a URL path names
        # one page, so no order is needed to pick it).
        found = Page.objects.filter(
            slug=path_components[-1], url_path=url_path, path__startswith=self.path
        ).order_by()[:1]
        page = next(iter(found), None)
        if page is None or not page.live:
            raise Http404
        return RouteResult(page.specific)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["recent_documents"] = page_listings().recent_documents(request, limit=6)
        return context


class DocumentIndexPage(Page):
    """Trust Documents, or one of its sections (Audit Reports, Data Protection, Blueprints)."""

    section = models.CharField(
        _("section"),
        max_length=32,
        choices=Section.choices,
        blank=True,
        help_text=_("Leave empty for all trust documents."),
    )
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("section"), FieldPanel("intro")]
    parent_page_types = ["cms.HomePage", "cms.DocumentIndexPage"]
    subpage_types = ["cms.DocumentIndexPage"]
    override_translatable_fields = [SynchronizedField("section", overridable=False)]

    class Meta:
        verbose_name = _("trust documents page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(page_listings().document_listing(request, section=self.section or None))
        return context


class IndustriesRegionsPage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.IndustryPage", "cms.RegionPage"]

    class Meta:
        verbose_name = _("industries & regions page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        children = self.get_children().live().specific().order_by("title")
        context["industries"] = [p for p in children if isinstance(p, IndustryPage)]
        context["regions"] = [p for p in children if isinstance(p, RegionPage)]
        return context


class FaqBlock(blocks.StructBlock):
    question = blocks.CharBlock()
    answer = blocks.RichTextBlock()

    class Meta:
        icon = "help"
        template = "portal/blocks/faq.html"


class OfferingBlock(blocks.StructBlock):
    name = blocks.CharBlock()
    description = blocks.TextBlock()

    class Meta:
        icon = "tick"
        template = "portal/blocks/offering.html"


class SuccessStoryBlock(blocks.StructBlock):
    customer = blocks.CharBlock()
    story = blocks.RichTextBlock()

    class Meta:
        icon = "openquote"
        template = "portal/blocks/success_story.html"


class IndustryPage(Page):
    """An industry's landing page: offerings, FAQs, success stories and its starter packs."""

    industry = models.ForeignKey("cms.Industry", on_delete=models.PROTECT, related_name="+")
    intro = RichTextField(_("introduction"), blank=True)
    body = StreamField(
        [
            (
                "heading",
                blocks.CharBlock(form_classname="title", template="portal/blocks/heading.html"),
            ),
            ("paragraph", blocks.RichTextBlock()),
            ("offering", OfferingBlock()),
            ("faq", FaqBlock()),
            ("success_story", SuccessStoryBlock()),
        ],
        blank=True,
    )

    content_panels = Page.content_panels + [
        FieldPanel("industry"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.IndustriesRegionsPage"]
    subpage_types = ["cms.StarterPackPage"]
    override_translatable_fields = [SynchronizedField("industry", overridable=False)]

    class Meta:
        verbose_name = _("industry page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["starter_packs"] = self.get_children().live().specific().type(StarterPackPage)
        return context

    @property
    def has_offerings(self) -> bool:
        """Whether editors listed offerings; without, the page points readers to the industry's
        data protection documents instead of standing empty."""
        return any(block.block_type == "offering" for block in self.body)


class RegionPage(Page):
    """A country or region, with the legal opinions on the services' compliance with its law."""

    region = models.ForeignKey("cms.Region", on_delete=models.PROTECT, related_name="+")
    intro = RichTextField(_("introduction"), blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("region"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.IndustriesRegionsPage"]
    subpage_types = []
    override_translatable_fields = [SynchronizedField("region", overridable=False)]

    class Meta:
        verbose_name = _("region page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["documents"] = page_listings().region_documents(request, self.region)
        return context


class StarterPackKind(models.TextChoices):
    EVALUATION = "evaluation", _("Evaluation")
    ASSESSMENT = "assessment", _("Assessment")
    AUDIT = "audit", _("Audit")


class StarterPackPage(Page):
    """A curated, ordered set of documents for one stage of an industry's journey."""

    kind = models.CharField(_("kind"), max_length=16, choices=StarterPackKind.choices)
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("kind"),
        FieldPanel("intro"),
        InlinePanel("items", heading=_("Documents"), label=_("Document")),
    ]
    parent_page_types = ["cms.IndustryPage"]
    subpage_types = []
    override_translatable_fields = [SynchronizedField("kind", overridable=False)]

    class Meta:
        verbose_name = _("starter pack")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["documents"] = page_listings().starter_pack_documents(request, self)
        return context


class StarterPackItem(Orderable):
    page = ParentalKey(StarterPackPage, on_delete=models.CASCADE, related_name="items")
    document = models.ForeignKey("cms.TrustDocument", on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("note"), max_length=255, blank=True)

    panels = [FieldPanel("document"), FieldPanel("note")]
    # Packs point at the source-language document; readers see its translation where one exists.
    override_translatable_fields = [SynchronizedField("document", overridable=False)]
