"""The site's brand in the API (read-only): what a custom front end needs to look like the
reader site. Editors set it in Settings › Branding; blank fields answer the portal's own look,
as the reader site shows it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import get_language, gettext
from ninja import Router, Schema

from cms.api.common import READER_AUTH, activate_locale, reject_unknown_parameters
from cms.models import PortalSettings
from cms.models.branding import DEFAULT_COLORS, branding_for

router = Router(tags=["site"], auth=READER_AUTH)


class LinkSchema(Schema):
    label: str
    url: str


class ColorsSchema(Schema):
    primary: str
    header_background: str
    header_text: str


class BrandingSchema(Schema):
    portal_name: str
    logo_url: str | None
    favicon_url: str | None
    colors: ColorsSchema
    footer_links: list[LinkSchema]
    trust_center: LinkSchema | None


@router.get(
    "/",
    response=BrandingSchema,
    operation_id="branding",
    summary="The site's name, logo, colours and links",
)
def branding(request):
    """Colours are ``#rrggbb``; image URLs are absolute and change when the brand does; the
    footer links are those for readers of the language asked for (``?locale=``)."""
    reject_unknown_parameters(request, {"locale"})
    activate_locale(request)
    brand = branding_for(request)

    def image_url(name: str, image) -> str | None:
        if image is None:
            return None
        return request.build_absolute_uri(f"{reverse(name)}?v={brand.version}")

    portal_settings = PortalSettings.load(request_or_site=request)
    trust_center = (
        LinkSchema(label=portal_settings.trust_center_label, url=portal_settings.trust_center_url)
        if portal_settings.trust_center_url
        else None
    )
    return BrandingSchema(
        portal_name=brand.portal_name or gettext("Trust Portal"),
        logo_url=image_url("brand_logo", brand.logo),
        favicon_url=image_url("brand_favicon", brand.favicon),
        colors=ColorsSchema(
            **{field.removesuffix("_color"): brand.color(field) for field in DEFAULT_COLORS}
        ),
        footer_links=[LinkSchema(**link) for link in brand.footer_links_in(get_language())],
        trust_center=trust_center,
    )
