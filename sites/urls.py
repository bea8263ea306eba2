from django.conf.urls.i18n import i18n_patterns
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.api.v3.urls import api

from cms.plugins import registry
from sites.sitemaps import SITEMAPS
from sites.views import (
    access_requests,
    accounts,
    api_tokens,
    brand,
    documents,
    errors,
    health,
    password_reset,
    search,
    signup,
    starter_packs,
)

portal_patterns = [
    path("documents/<slug:slug>/", documents.document_detail, name="document"),
    path(
        "documents/<slug:slug>/request-access/",
        access_requests.request_access,
        name="request_access",
    ),
    path("download/<str:token>/", documents.download, name="download"),
    path("search/", search.search, name="search"),
    path("starter-packs/<id:page_id>/archive/", starter_packs.pack_archive, name="pack_archive"),
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    path("accounts/sign-up/", signup.sign_up, name="sign_up"),
    path("accounts/verify/<str:token>/", signup.verify_email, name="verify_email"),
    path(
        "accounts/password-reset/",
        password_reset.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        password_reset.PasswordResetSentView.as_view(),
        name="password_reset_sent",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        password_reset.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        password_reset.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/api-tokens/", api_tokens.api_tokens, name="api_tokens"),
    path(
        "accounts/api-tokens/<id:pk>/revoke/",
        api_tokens.revoke_api_token,
        name="api_token_revoke",
    ),
]

urlpatterns = [
    # Before Wagtail's own admin URLs, which it replaces (same name, same path).
    path("admin/login/", accounts.AdminSignInView.as_view(), name="wagtailadmin_login"),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's API v3, with the core's and the plugins' routers (joined in SiteConfig.ready).
    path("api/v3/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # The site's brand (Settings › Branding): its colours, logo and favicon.
    path("brand/style.css", brand.brand_css, name="brand_css"),
    path("brand/logo", brand.logo, name="brand_logo"),
    path("brand/favicon", brand.favicon, name="brand_favicon"),
    path("sitemap.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]

# Always mounted: URL patterns are fixed at import, so the views themselves answer 404 until
# TRUSTPORTAL_OIDC_ENABLED (settings alone switch OpenID Connect sign-in on, in tests too).
urlpatterns.append(path("oidc/", include("cms.accounts.urls")))

urlpatterns += i18n_patterns(
    path("", include((portal_patterns, "portal"), namespace="portal")),
    *registry.reader_urlpatterns(),
    path("", include(wagtail_urls)),
)

handler404 = errors.not_found
handler500 = errors.server_error
