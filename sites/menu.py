"""The reader site's main menu: the core entries plus whatever plugins contribute."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from wagtail.models import Page

from cms.i18n import active_locale
from cms.models import DocumentIndexPage, IndustriesRegionsPage, PortalSettings
from cms.plugins import registry
from cms.plugins.base import MenuItem


def _page_urls(request) -> dict:
    """URLs of the core pages in the reader's language, in one query: the home page, the
    Trust Documents pages (with their section) and the Industries & Regions page."""
    locale = active_locale()
    types = ContentType.objects.get_for_models(DocumentIndexPage, IndustriesRegionsPage)
    index_type, industries_type = (types[DocumentIndexPage].pk, types[IndustriesRegionsPage].pk)
    sections = DocumentIndexPage.objects.filter(pk=OuterRef("pk")).values("section")
    pages = (
        Page.objects.live()
        .filter(locale=locale)
        .filter(Q(depth=2) | Q(content_type_id__in=[index_type, industries_type]))
        .annotate(menu_section=Subquery(sections))
        .order_by("path")
    )
    urls: dict = {"sections": {}}
    for page in pages:
        if page.depth == 2:
            urls.setdefault("home", page.get_url(request))
        if page.content_type_id == index_type:
            key = page.menu_section or "all"
            entry = (page.title, page.get_url(request))
            if key == "all":
                urls.setdefault("documents", entry)
            else:
                urls["sections"].setdefault(key, entry)
        elif page.content_type_id == industries_type:
            urls.setdefault("industries", (page.title, page.get_url(request)))
    urls.setdefault("home", "/")
    return urls


def is_portal_admin(user) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.groups.filter(name="Administrators").exists())
    )


def _trust_center_label(label: str) -> str:
    """The Trust Center entry's label: the one an administrator set, or, while it is the
    default, the default in the reader's language (the setting holds one language)."""
    if label == PortalSettings._meta.get_field("trust_center_label").default:
        return _("Trust Center")
    return label


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
            MenuItem(
                label=_trust_center_label(trust_center[0]),
                url=trust_center[1],
                order=50,
                icon="external",
            )
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
