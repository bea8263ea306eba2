"""The core's endpoints in the headless API (Wagtail API v3 on Django Ninja): one schema and
one token scheme with Wagtail's own pages API. Every endpoint reads through the access policy;
what they share with the plugins' routers is in ``cms.api``."""

from .documents import router as documents_router
from .industries_regions import industries_router, regions_router
from .me import router as me_router
from .starter_packs import router as starter_packs_router
from .taxonomy import router as taxonomy_router


def mount(api) -> None:
    """Join the core routers to the API instance (before its URLs are generated)."""
    mounted = {prefix for prefix, _router in api._routers}
    for prefix, router in (
        ("/trust-documents/", documents_router),
        ("/taxonomy/", taxonomy_router),
        ("/starter-packs/", starter_packs_router),
        ("/industries/", industries_router),
        ("/regions/", regions_router),
        ("/me/", me_router),
    ):
        if prefix not in mounted:
            api.add_router(prefix, router)
