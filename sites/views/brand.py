"""What a site's brand (``cms.models.BrandingSettings``) adds to every page: its colours as a
stylesheet, its logo and favicon.

A stylesheet, because the reader site's Content-Security-Policy allows no inline style. The
images are served from here rather than linked under ``/media/``, because a portal run without
a web server in front (the demo, a single container) serves no media, and because the page then
loads nothing from another origin. Each is keyed by the settings' ``version``, which the pages'
links carry: browsers revalidate with the ETag and get a 304 until an editor changes the brand.
"""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, Http404, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_safe

from cms.models import BrandingSettings
from cms.models.branding import branding_for

LOGO_FILTER = "height-80"  # 40 CSS pixels high on screens of double density
FAVICON_FILTER = "fill-64x64|format-png"
CACHE_SECONDS = 3600


def _etag(request, *args, **kwargs) -> str:
    return branding_for(request).version


def stylesheet(branding: BrandingSettings) -> str:
    # Only colours the model validated (#rrggbb) are written: nothing else reaches the CSS.
    return (
        ":root {"
        f" --brand: {branding.color('primary_color')};"
        f" --brand-dark: {branding.color('header_background_color')};"
        f" --header-ink: {branding.color('header_text_color')};"
        " }\n"
        ".site-header, .site-header a, .site-header summary, .site-header .link"
        " { color: var(--header-ink); }\n"
    )


@require_safe
@cache_control(public=True, max_age=CACHE_SECONDS)
@condition(etag_func=_etag)
def brand_css(request):
    return HttpResponse(stylesheet(branding_for(request)), content_type="text/css; charset=utf-8")


def _image_response(image, filter_spec: str) -> FileResponse:
    if image is None:
        raise Http404
    rendition = image.get_rendition(filter_spec)
    content_type = mimetypes.guess_type(rendition.file.name)[0] or "application/octet-stream"
    if not content_type.startswith("image/") or content_type == "image/svg+xml":
        raise Http404  # only raster images, which run nothing
    return FileResponse(rendition.file.open("rb"), content_type=content_type)


@require_safe
@cache_control(public=True, max_age=CACHE_SECONDS)
@condition(etag_func=_etag)
def logo(request):
    return _image_response(branding_for(request).logo, LOGO_FILTER)


@require_safe
@cache_control(public=True, max_age=CACHE_SECONDS)
@condition(etag_func=_etag)
def favicon(request):
    return _image_response(branding_for(request).favicon, FAVICON_FILTER)
