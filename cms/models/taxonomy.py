"""The taxonomy documents are filed under: editable snippets, translatable with wagtail-localize."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import TranslatableMixin
from wagtail.search import index


class TaxonomyTerm(TranslatableMixin, index.Indexed, models.Model):
    name = models.CharField(_("name"), max_length=120)
    # The slug is the stable, language-independent key used in filters and URLs.
    slug = models.SlugField(_("slug"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=100)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        # The admin's choosers search terms of one language: without it, a 500.
        index.FilterField("locale_id"),
    ]

    class Meta(TranslatableMixin.Meta):
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Service(TaxonomyTerm):
    """A cloud service or product the documents are about."""

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("cloud service")
        verbose_name_plural = _("cloud services")
        unique_together = [("translation_key", "locale"), ("slug", "locale")]


class Section(models.TextChoices):
    """The three sections of Trust Documents in the main menu."""

    AUDIT_REPORTS = "audit-reports", _("Audit Reports")
    DATA_PROTECTION = "data-protection", _("Data Protection")
    BLUEPRINTS = "blueprints", _("Blueprints")


class Category(TaxonomyTerm):
    """A kind of document (e.g. white paper, pen-test summary) within a section."""

    section = models.CharField(_("section"), max_length=32, choices=Section.choices)

    panels = TaxonomyTerm.panels + [FieldPanel("section")]

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        unique_together = [("translation_key", "locale"), ("slug", "locale")]


class Region(TaxonomyTerm):
    """A region or country (countries carry their ISO 3166 code)."""

    country_code = models.CharField(
        _("country code"),
        max_length=2,
        blank=True,
        help_text=_("ISO 3166-1 alpha-2, for countries."),
    )

    panels = TaxonomyTerm.panels + [FieldPanel("country_code")]

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        unique_together = [("translation_key", "locale"), ("slug", "locale")]


class Industry(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        unique_together = [("translation_key", "locale"), ("slug", "locale")]


class Standard(TaxonomyTerm):
    """A standard or regulation (ISO 27001, SOC 2, FedRAMP, GDPR, ...)."""

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        unique_together = [("translation_key", "locale"), ("slug", "locale")]
