"""Content-Security-Policy on every response: strict on the reader site and the API, Wagtail's
allowances on the admin only (what a browser makes of them: tests/browser/test_csp.py)."""

from html.parser import HTMLParser

import pytest
from csp.constants import HEADER
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, reverse
from wagtail.models import Page

from cms.models import TrustDocument
from search.cards import source_documents
from sites import csp
from sites.csp import PortalCSPMiddleware
from tests.helpers import client_for, reader_route_names

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    policy = {}
    for directive in filter(None, (part.strip() for part in header.split(";"))):
        name, *sources = directive.split()
        assert name not in policy, f"{name} twice in {header!r}"
        policy[name] = sources
    return policy


class InlineCode(HTMLParser):
    """What a strict policy blocks in a page: inline scripts without the request's nonce, event
    handler attributes, javascript: URLs, inline styles."""

    def __init__(self, nonce: str | None):
        super().__init__()
        self.nonce = nonce
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")
        if "style" in attrs:
            self.found.append(f"<{tag} style={attrs['style']!r}>")
        executable = attrs.get("type", "text/javascript") in ("text/javascript", "module")
        if tag == "script" and executable and "src" not in attrs or tag == "style":
            if self.nonce is None or attrs.get("nonce") != self.nonce:
                self.found.append(f"<{tag}> without the nonce")


def assert_reader_policy(response, url):
    policy = directives(response)
    assert policy["default-src"] == ["'self'"], url
    script = policy["script-src"]
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, url
    assert policy["object-src"] == ["'none'"], url
    assert policy["base-uri"] == ["'self'"], url
    assert policy["frame-ancestors"] == ["'none'"], url
    assert policy["form-action"] == ["'self'"], url
    if response["Content-Type"].startswith("text/html"):
        nonces = [s[len("'nonce-") : -1] for s in script if s.startswith("'nonce-")]
        parser = InlineCode(nonces[0] if nonces else None)
        parser.feed(response.content.decode())
        assert parser.found == [], url


def test_every_reader_page_carries_the_strict_policy():
    urls = [page.get_url() for page in Page.objects.live().filter(depth__gt=1).specific()]
    urls += [doc.get_url() for doc in source_documents(None)[:20]]
    urls += ["/en/search/?q=soc", "/de/search/?q=", "/en/accounts/login/", "/en/no-such-page/"]
    urls += ["/sitemap.xml", "/healthz"]
    client = Client()
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert_reader_policy(response, url)


def test_every_reader_route_a_signed_in_reader_opens_carries_the_strict_policy(demo_users):
    client = client_for(demo_users["reader"])
    opened = 0
    for name in sorted(reader_route_names()):
        try:
            url = reverse(name)
        except NoReverseMatch:  # routes with arguments are covered page by page above
            continue
        response = client.get(url)
        assert_reader_policy(response, url)
        opened += 1
    assert opened >= 10


def test_the_api_allows_nothing_to_load(demo_users):
    client = Client()
    schema = client.get("/api/v3/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    urls = [path for path, ops in paths.items() if "get" in ops and "{" not in path]
    urls += ["/api/v3/trust-documents/soc-3/", "/api/v3/trust-documents/no-such/", "/api/v3/nope/"]
    assert len(urls) > 15
    responses = [(url, client.get(url)) for url in urls]
    responses.append(("POST me", client.post("/api/v3/me/")))  # a 405
    staff = client_for(demo_users["admin"])
    responses += [(f"staff {url}", staff.get(url)) for url in ("/api/v3/pages/", "/api/v3/me/")]
    for url, response in responses:
        assert directives(response) == {
            "default-src": ["'none'"],
            "base-uri": ["'none'"],
            "form-action": ["'none'"],
            "frame-ancestors": ["'none'"],
        }, url


def test_the_api_docs_load_swagger_from_our_own_files():
    response = Client().get("/api/v3/docs/")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == policy["style-src"] == policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    html = response.content.decode()
    assert '<script src="/static/ninja/swagger-ui-bundle.js"></script>' in html
    assert "https://" not in html
    parser = InlineCode(None)
    parser.feed(html)
    assert parser.found == []


def test_the_admin_has_wagtails_allowances_and_no_more(demo_users):
    anonymous, staff = Client(), client_for(demo_users["admin"])
    document = TrustDocument.objects.get(slug="soc-3", locale__language_code="en")
    responses = [("login", anonymous.get("/admin/login/"))]
    for url in (
        "/admin/",
        "/admin/pages/",
        f"/admin/snippets/cms/trustdocument/edit/{document.pk}/",
        "/admin/snippets/choose/cms/category/",
        "/admin/analytics/",
    ):
        responses.append((url, staff.get(url)))
    for url, response in responses:
        assert response.status_code == 200, url
        policy = directives(response)
        # A nonce next to 'unsafe-inline' would switch 'unsafe-inline' off (CSP level 2).
        assert policy["script-src"] == ["'self'", "'unsafe-inline'"], url
        assert policy["style-src"] == ["'self'", "'unsafe-inline'"], url
        assert policy["img-src"] == ["'self'", "blob:"], url
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"], url
        assert policy["base-uri"] == policy["form-action"] == ["'self'"], url
        # Its preview panel frames the admin's own pages.
        assert policy["frame-ancestors"] == ["'self'"], url


def test_a_preview_is_the_readers_page_framed_by_the_admin(demo_users):
    from django.test import RequestFactory

    document = TrustDocument.objects.get(slug="soc-3", locale__language_code="en")
    request = RequestFactory().get("/admin/")
    request.user = demo_users["editor"]
    response = document.make_preview_request(original_request=request)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["default-src"] == ["'self'"] and "'unsafe-inline'" not in policy["script-src"]


def test_signing_out_may_go_on_to_the_providers_end_session_endpoint(settings, demo_users):
    settings.TRUSTPORTAL_OIDC_ENABLED = True
    settings.OIDC_OP_LOGOUT_ENDPOINT = "https://id.example.test:8443/session/end?x=1"
    client = client_for(demo_users["reader"])
    for url in ("/en/", "/en/accounts/login/"):
        assert directives(client.get(url))["form-action"] == [
            "'self'",
            "https://id.example.test:8443",
        ]
    # Nowhere else: the API and the admin post nowhere but here.
    assert directives(client.get("/api/v3/me/"))["form-action"] == ["'none'"]
    assert directives(client.get("/admin/login/"))["form-action"] == ["'self'"]
    settings.TRUSTPORTAL_OIDC_ENABLED = False
    assert directives(client.get("/en/"))["form-action"] == ["'self'"]


@pytest.mark.parametrize("oidc", [False, True])
@pytest.mark.parametrize(
    "path", ["/en/", "/api/v3/trust-documents/", "/api/v3/docs", "/admin/", "/healthz"]
)
def test_a_plain_responses_header_is_built_once_and_is_django_csps_own(
    rf, settings, monkeypatch, path, oidc
):
    settings.TRUSTPORTAL_OIDC_ENABLED = oidc
    settings.OIDC_OP_LOGOUT_ENDPOINT = "https://id.example.test/session/end"
    ours = PortalCSPMiddleware(lambda request: HttpResponse())
    built = []
    monkeypatch.setattr(csp, "build_policy", lambda **kw: built.append(kw) or build_policy(**kw))
    headers = [ours.process_response(rf.get(path), HttpResponse())[HEADER] for _ in range(3)]
    assert len(built) == 1 and len(set(headers)) == 1
    # What django-csp's own process_response writes, with the portal's parts.
    request = rf.get(path)
    theirs = CSPMiddleware.process_response(ours, request, HttpResponse())[HEADER]
    assert headers[0] == theirs
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_a_response_with_a_nonce_or_its_views_policy_is_built_for_itself(rf):
    ours = PortalCSPMiddleware(lambda request: HttpResponse())
    request = rf.get("/en/")
    ours.process_request(request)
    nonce = str(request.csp_nonce)
    assert f"'nonce-{nonce}'" in ours.process_response(request, HttpResponse())[HEADER]
    response = HttpResponse()
    response._csp_replace = {"img-src": ["https://images.example.test"]}
    assert (
        "img-src https://images.example.test"
        in ours.process_response(rf.get("/en/"), response)[HEADER]
    )
    assert "img-src" not in ours.process_response(rf.get("/en/"), HttpResponse())[HEADER]


def test_a_setting_changed_is_in_the_next_header(rf, settings):
    ours = PortalCSPMiddleware(lambda request: HttpResponse())
    assert "report-uri" not in ours.process_response(rf.get("/en/"), HttpResponse())[HEADER]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "report-uri": "/r/"}
    }
    assert "report-uri /r/" in ours.process_response(rf.get("/en/"), HttpResponse())[HEADER]
