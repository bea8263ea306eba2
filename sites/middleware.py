from django.middleware.locale import LocaleMiddleware


class PortalLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, except that a 404 outside the language-prefixed reader site
    (the API, the admin, downloads of static files) stays a 404: Wagtail's catch-all page route
    makes every prefixed path look valid, so Django would redirect it to /<language>/..."""

    UNPREFIXED = ("/api/", "/admin/", "/static/", "/media/", "/oidc/", "/i18n/", "/brand/")

    def process_response(self, request, response):
        if response.status_code == 404 and request.path_info.startswith(self.UNPREFIXED):
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
            return response
        return super().process_response(request, response)
