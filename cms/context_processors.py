from django.utils.functional import SimpleLazyObject

from cms.plugins import registry


def portal(request):
    """Menu, footer links and search query for every reader page, computed only when used."""

    def menu():
        from cms.menu import main_menu
        from cms.models import PortalSettings

        portal_settings = PortalSettings.load(request_or_site=request)
        return main_menu(
            request, (portal_settings.trust_center_label, portal_settings.trust_center_url)
        )

    from django.conf import settings

    return {
        "oidc_enabled": settings.TRUSTPORTAL_OIDC_ENABLED,
        "main_menu": SimpleLazyObject(menu),
        "footer_links": SimpleLazyObject(lambda: registry.footer_links(request)),
        "search_query": request.GET.get("q", "")[:200] if request.method == "GET" else "",
    }
