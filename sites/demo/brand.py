"""The demo's brand (Settings › Branding): a provider's name, colours, logo and footer links, so
the demo shows what a provider sets without code. The logo is drawn here rather than shipped as
a binary file."""

from __future__ import annotations

from io import BytesIO

from django.core.files.images import ImageFile
from PIL import Image as PillowImage
from PIL import ImageDraw
from wagtail.images import get_image_model
from wagtail.models import Site

from cms.models import BrandingSettings

LOGO_TITLE = "Example Cloud logo (demo)"
BRAND = {
    "portal_name": "Example Cloud Trust Portal",
    "primary_color": "#0f6e63",
    "header_background_color": "#123b3a",
    "header_text_color": "#ffffff",
}
#: Per language: site settings are not translated, so each language has its own links.
FOOTER_LINKS = {
    "en": [("Privacy statement", "privacy"), ("Terms of use", "terms"), ("Service status", "")],
    "de": [
        ("Datenschutzerklärung", "privacy"),
        ("Nutzungsbedingungen", "terms"),
        ("Dienststatus", ""),
    ],
    "es": [
        ("Declaración de privacidad", "privacy"),
        ("Condiciones de uso", "terms"),
        ("Estado del servicio", ""),
    ],
    "fr": [
        ("Déclaration de confidentialité", "privacy"),
        ("Conditions d'utilisation", "terms"),
        ("État des services", ""),
    ],
    "ja": [
        ("プライバシーに関する声明", "privacy"),
        ("利用規約", "terms"),
        ("サービスの稼働状況", ""),
    ],
}


def footer_link_url(language: str, page: str) -> str:
    """The provider's page in that language; its status page is the same for everyone."""
    return f"https://example.com/{language}/{page}" if page else "https://status.example.com/"


def logo_png(size: int = 160) -> bytes:
    """A shield with a tick, light on the demo's dark header."""
    image = PillowImage.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    s = size / 160
    shield = [(80, 8), (144, 32), (136, 100), (80, 152), (24, 100), (16, 32)]
    draw.polygon([(x * s, y * s) for x, y in shield], fill="#e3f4f1")
    tick = [(48, 82), (72, 106), (116, 56)]
    draw.line([(x * s, y * s) for x, y in tick], fill="#0f6e63", width=round(16 * s), joint="curve")
    output = BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def demo_logo():
    Image = get_image_model()
    logo = Image.objects.filter(title=LOGO_TITLE).first()
    if logo is None:
        logo = Image(title=LOGO_TITLE)
        logo.file = ImageFile(BytesIO(logo_png()), name="example-cloud-logo.png")
        logo.save()
    return logo


def seed_brand(log=print) -> None:
    """Brands the default site, unless an editor already did."""
    site = Site.objects.get(is_default_site=True)
    branding = BrandingSettings.for_site(site)
    if branding.portal_name:
        return
    for field, value in BRAND.items():
        setattr(branding, field, value)
    branding.logo = branding.favicon = demo_logo()
    branding.footer_links = [
        ("link", {"label": label, "url": footer_link_url(language, page), "language": language})
        for language, links in FOOTER_LINKS.items()
        for label, page in links
    ]
    branding.full_clean()
    branding.save()
    log(f"Brand: {branding.portal_name}")
