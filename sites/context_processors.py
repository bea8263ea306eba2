from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from cms.models import PortalSettings
from cms.models.branding import branding_for
from cms.plugins import registry

from .menu import main_menu


def portal(request):
    """Menu, footer links and search query for every reader page, computed only when used."""

    def menu():
        portal_settings = PortalSettings.load(request_or_site=request)
        return main_menu(
            request, (portal_settings.trust_center_label, portal_settings.trust_center_url)
        )

    return {
        "oidc_enabled": settings.TRUSTPORTAL_OIDC_ENABLED,
        "main_menu": SimpleLazyObject(menu),
        # The site's brand (Settings › Branding); blank fields keep the portal's own look.
        "brand": SimpleLazyObject(lambda: branding_for(request)),
        "brand_footer_links": SimpleLazyObject(
            lambda: branding_for(request).footer_links_in(get_language())
        ),
        "footer_links": SimpleLazyObject(lambda: registry.footer_links(request)),
        "search_query": request.GET.get("q", "")[:200] if request.method == "GET" else "",
    }
