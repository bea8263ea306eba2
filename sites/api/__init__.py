"""The core's endpoints in the headless API (Wagtail API v3 on Django Ninja): one schema and
one token scheme with Wagtail's own pages API. Every endpoint reads through the access policy;
what they share with the plugins' routers is in ``cms.api``."""

from cms.api.throttling import api_throttles
from cms.plugins import registry

from .branding import router as branding_router
from .documents import router as documents_router
from .industries_regions import industries_router, regions_router
from .me import router as me_router
from .starter_packs import router as starter_packs_router
from .taxonomy import router as taxonomy_router

CORE_ROUTERS = (
    ("/trust-documents/", documents_router),
    ("/taxonomy/", taxonomy_router),
    ("/starter-packs/", starter_packs_router),
    ("/industries/", industries_router),
    ("/regions/", regions_router),
    ("/me/", me_router),
    ("/branding/", branding_router),
)


def mount(api) -> None:
    """Join the core's routers and every installed plugin's to ``api``.

    Called once per process, from ``SiteConfig.ready()``, where Wagtail's own apps (images,
    documents, snippets…) join theirs: Django Ninja takes no router once an API has generated
    its URLs."""
    # Every operation of the API, Wagtail's and the plugins' included, unless it sets its own;
    # read when the routers are bound, as the URLs are generated.
    api.throttle = api_throttles()
    for prefix, router in (*CORE_ROUTERS, *registry.api_routers()):
        api.add_router(prefix, router)
