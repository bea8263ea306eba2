"""A site's brand, set by editors in Settings › Branding: its name, logo, favicon, colours and
footer links. Every field may stay empty: the portal's own look is the default.

Colours are checked as they are saved, so that no editor can make the reader site unreadable:
each pair a reader sees (text on the header, white text on buttons, links on the white page)
must reach the WCAG AA contrast ratio for normal text, 4.5:1. Footer links accept only web
addresses and paths of this site: a ``javascript:`` link would run in readers' sessions.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField

#: WCAG 2.x success criterion 1.4.3 (AA), normal text.
MINIMUM_CONTRAST = 4.5

#: The portal's own colours (sites/static/portal/portal.css), what a blank field means.
DEFAULT_COLORS = {
    "primary_color": "#0b4f8a",
    "header_background_color": "#083a66",
    "header_text_color": "#ffffff",
}
#: The page behind links, and the text on buttons.
PAGE_BACKGROUND = "#ffffff"

hex_color = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # and six hexadecimal digits, e.g. #0b4f8a.")
)


def relative_luminance(color: str) -> float:
    """WCAG's relative luminance of a ``#rrggbb`` colour, 0 (black) to 1 (white)."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(color[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG's contrast ratio of two ``#rrggbb`` colours, 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f\\]")


def validate_link(value: str) -> None:
    """An http(s) address or a path on this site (``/en/…``); nothing a browser would run or
    hand to another program (``javascript:``, ``data:``, ``mailto:``…)."""
    # Browsers drop tabs and newlines inside a scheme ("java\tscript:") and leading spaces:
    # refuse every blank and control character rather than guess how one reads them.
    refused = ValidationError(
        _("Enter an address starting with https:// or http://, or a path starting with /."),
        code="unsafe_link",
    )
    if not value or _CONTROL_OR_SPACE.search(value):
        raise refused
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc:
        return
    # A path of this site; "//host/…" would be another site's address without its scheme.
    if not parts.scheme and not parts.netloc and value.startswith("/") and value[1:2] != "/":
        return
    raise refused


def language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


class FooterLinkBlock(blocks.StructBlock):
    """A footer link, for readers of one language or of all: site settings are not translated,
    so a link in several languages is one link per language."""

    label = blocks.CharBlock(label=_("Link text"), max_length=60)
    url = blocks.CharBlock(
        label=_("Address"),
        max_length=500,
        validators=[validate_link],
        help_text=_("https://… or a path of this site such as /en/search/"),
    )
    language = blocks.ChoiceBlock(
        choices=language_choices,
        required=False,
        label=_("Language"),
        help_text=_("Shown to readers of this language only; empty: to every reader."),
    )

    class Meta:
        icon = "link"
        label = _("Footer link")


@register_setting(icon="image")
class BrandingSettings(BaseSiteSetting):
    """One site's brand. Templates read it as ``settings.cms.BrandingSettings``; its colours
    reach pages as a stylesheet (``/brand/style.css``), as the reader site's
    Content-Security-Policy allows no inline style."""

    portal_name = models.CharField(
        _("portal name"),
        max_length=80,
        blank=True,
        help_text=_("Shown in the header and the browser's title bar. Empty: “Trust Portal”."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown in the header beside the portal's name, 40 pixels high."),
    )
    favicon = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("favicon"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The icon of the browser's tab; a square image, 32 pixels at least."),
    )
    primary_color = models.CharField(
        _("primary colour"),
        max_length=7,
        blank=True,
        validators=[hex_color],
        help_text=_("Links and buttons, e.g. #0b4f8a. White text is written on it."),
    )
    header_background_color = models.CharField(
        _("header background colour"), max_length=7, blank=True, validators=[hex_color]
    )
    header_text_color = models.CharField(
        _("header text colour"), max_length=7, blank=True, validators=[hex_color]
    )
    footer_links = StreamField(
        [("link", FooterLinkBlock())], blank=True, verbose_name=_("footer links")
    )
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    panels = [
        FieldPanel("portal_name"),
        MultiFieldPanel(
            [FieldPanel("logo"), FieldPanel("favicon")],
            heading=_("Images"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("primary_color"),
                FieldPanel("header_background_color"),
                FieldPanel("header_text_color"),
            ],
            heading=_("Colours"),
            help_text=_(
                "Leave empty for the portal's own colours. Each pair readers see must reach a "
                "contrast ratio of 4.5:1 (WCAG AA)."
            ),
        ),
        FieldPanel("footer_links"),
        HelpPanel(
            content=_(
                "The Trust Center link of the main menu is set in Settings › Portal settings."
            )
        ),
    ]

    select_related = ["logo", "favicon"]

    class Meta:
        verbose_name = _("branding")

    def color(self, field: str) -> str:
        """The colour readers see for ``field``: the editor's, or the portal's own."""
        return (getattr(self, field) or DEFAULT_COLORS[field]).lower()

    def footer_links_in(self, language: str) -> list[dict]:
        """The footer links for readers of ``language``, in the editor's order."""
        return [
            {"label": block.value["label"], "url": block.value["url"]}
            for block in self.footer_links
            if block.value.get("language") in ("", None, language)
        ]

    @property
    def has_colors(self) -> bool:
        return any(getattr(self, field) for field in DEFAULT_COLORS)

    def clean(self):
        super().clean()
        # Contrast is symmetric: the primary colour against white is both links on the page and
        # white text on buttons.
        pairs = (
            (("header_text_color", "header_background_color"), _("the header's text")),
            (("primary_color",), _("links and buttons against white")),
        )
        errors = {}
        for fields, what in pairs:
            chosen = [name for name in fields if getattr(self, name)]
            if not chosen or any(not hex_color.regex.match(self.color(name)) for name in fields):
                continue  # the portal's own colours, or a malformed one its validator names
            first = self.color(fields[0])
            second = self.color(fields[1]) if len(fields) > 1 else PAGE_BACKGROUND
            ratio = contrast_ratio(first, second)
            if ratio >= MINIMUM_CONTRAST:
                continue
            errors[chosen[0]] = ValidationError(
                _(
                    "Too little contrast for %(what)s: %(ratio)s:1 (%(first)s on %(second)s); "
                    "at least %(minimum)s:1 is needed."
                ),
                code="contrast",
                params={
                    "what": what,
                    # Rounded down: 4.49 must not read as an acceptable 4.5.
                    "ratio": f"{int(ratio * 100) / 100:.2f}",
                    "first": first,
                    "second": second,
                    "minimum": MINIMUM_CONTRAST,
                },
            )
        if errors:
            raise ValidationError(errors)

    @property
    def version(self) -> str:
        """Changes whenever what ``/brand/…`` serves changes: the query string of their links,
        so that browsers may keep them as long as they are linked."""
        parts = [
            str(self.updated_at.timestamp() if self.updated_at else ""),
            self.logo.file.name if self.logo else "",
            self.favicon.file.name if self.favicon else "",
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def branding_for(request) -> BrandingSettings:
    """The brand of the request's site (looked up once per request); the portal's own look
    where no site matches the request's host."""
    try:
        return BrandingSettings.for_request(request)
    except BrandingSettings.DoesNotExist:
        return BrandingSettings()
