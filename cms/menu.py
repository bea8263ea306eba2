"""The reader site's main menu: the core entries plus whatever plugins contribute."""

from __future__ import annotations

from django.utils.translation import gettext as _
from wagtail.models import Page

from cms.i18n import active_locale
from cms.plugins import registry
from cms.plugins.base import MenuItem


def _page_urls(request) -> dict:
    """URLs of the core pages in the reader's language (two queries per request)."""
    from cms.models import DocumentIndexPage, IndustriesRegionsPage

    locale = active_locale()
    urls: dict = {"sections": {}}
    for page in DocumentIndexPage.objects.live().filter(locale=locale).order_by("path"):
        key = page.section or "all"
        if key == "all":
            urls.setdefault("documents", (page.title, page.get_url(request)))
        else:
            urls["sections"].setdefault(key, (page.title, page.get_url(request)))
    industries = IndustriesRegionsPage.objects.live().filter(locale=locale).first()
    if industries:
        urls["industries"] = (industries.title, industries.get_url(request))
    home = Page.objects.filter(depth=2, locale=locale).live().first()
    urls["home"] = home.get_url(request) if home else "/"
    return urls


def is_portal_admin(user) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.groups.filter(name="Administrators").exists())
    )


def main_menu(request, trust_center: tuple[str, str] | None = None) -> list[MenuItem]:
    urls = _page_urls(request)
    items = [MenuItem(label=_("Home"), url=urls["home"], order=10)]
    if "documents" in urls:
        title, url = urls["documents"]
        children = tuple(
            MenuItem(label=label, url=section_url)
            for label, section_url in (
                urls["sections"][key]
                for key in ("audit-reports", "data-protection", "blueprints")
                if key in urls["sections"]
            )
        )
        items.append(MenuItem(label=title, url=url, order=30, children=children))
    if "industries" in urls:
        title, url = urls["industries"]
        items.append(MenuItem(label=title, url=url, order=40))
    if trust_center and trust_center[1]:
        items.append(
            MenuItem(label=trust_center[0], url=trust_center[1], order=50, icon="external")
        )
    items.extend(registry.menu_items(request))
    admin_entries = list(registry.admin_menu_items(request))
    if is_portal_admin(request.user):
        admin_entries.insert(0, MenuItem(label=_("Admin"), url="/admin/"))
    if admin_entries:
        # More › Admin: the portal's admin for its administrators, plus what plugins add for
        # the users who administer them (e.g. an organization's Compliance Manager settings).
        items.append(
            MenuItem(
                label=_("More"), url=admin_entries[0].url, order=90, children=tuple(admin_entries)
            )
        )
    return sorted(items, key=lambda item: item.order)
