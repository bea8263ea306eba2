"""HTTP behaviour of the headless API: ETags and conditional reads, per-caller caching
headers, and configurable CORS (django-cors-headers, restricted to /api/)."""

import pytest
from django.test import Client
from wagtail.models import APIToken

LIST = "/api/v3/trust-documents/"
CORS = "corsheaders.middleware.CorsMiddleware"
CONDITIONAL = "cms.api.http.ApiConditionalGetMiddleware"


@pytest.fixture
def api_http(settings):
    """The middleware and settings the project installs (kept here until settings carry them)."""
    middleware = [m for m in settings.MIDDLEWARE if m not in (CORS, CONDITIONAL)]
    security = middleware.index("django.middleware.security.SecurityMiddleware")
    middleware[security + 1 : security + 1] = [CORS, CONDITIONAL]
    settings.MIDDLEWARE = middleware
    settings.TRUSTPORTAL_API_CORS_ORIGINS = []
    settings.CORS_ALLOWED_ORIGINS = settings.TRUSTPORTAL_API_CORS_ORIGINS
    settings.CORS_URLS_REGEX = r"^/api/.*$"
    settings.CORS_ALLOW_HEADERS = ["authorization", "content-type"]
    settings.CORS_ALLOW_METHODS = ["GET", "POST", "OPTIONS"]
    settings.CORS_EXPOSE_HEADERS = ["ETag"]
    settings.CORS_ALLOW_CREDENTIALS = False
    return settings


def bearer(user) -> dict:
    _token, plaintext = APIToken.create_token(user=user, name="http test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}


def assert_private_and_varying(response):
    assert "private" in response["Cache-Control"]
    assert {"authorization", "cookie", "accept-language"} <= vary(response)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_etag_and_if_none_match(api_http, demo_users, who):
    headers = bearer(demo_users["reader"]) if who == "reader" else {}
    client = Client()
    first = client.get(LIST, {"limit": 5}, **headers)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert_private_and_varying(first)
    # Same question, same answer, same tag.
    assert client.get(LIST, {"limit": 5}, **headers)["ETag"] == etag

    cached = client.get(LIST, {"limit": 5}, HTTP_IF_NONE_MATCH=etag, **headers)
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached["ETag"] == etag
    assert_private_and_varying(cached)

    # Weak comparison, lists of tags and "*" are honoured as RFC 9110 says.
    for header in (f"W/{etag}", f'"other", {etag}', "*"):
        again = client.get(LIST, {"limit": 5}, HTTP_IF_NONE_MATCH=header, **headers)
        assert again.status_code == 304, header

    stale = client.get(LIST, {"limit": 5}, HTTP_IF_NONE_MATCH='"stale"', **headers)
    assert stale.status_code == 200 and stale.json()["items"]
    # A different page is a different representation.
    assert client.get(LIST, {"limit": 6}, **headers)["ETag"] != etag


@pytest.mark.django_db
def test_answers_differ_by_caller(api_http, users):
    """A restricted document shows only to its organization: different body, different tag,
    and the member's tag does not validate the anonymous answer."""
    from tests import factories

    factories.document(
        "restricted", title="Zebrafish etag secret", organizations=[users["other_org_obj"]]
    )
    params = {"limit": 100}
    anonymous = Client().get(LIST, params)
    member = Client().get(LIST, params, **bearer(users["other_org"]))
    assert "Zebrafish" in member.content.decode() and "Zebrafish" not in anonymous.content.decode()
    assert member["ETag"] != anonymous["ETag"]
    assert Client().get(LIST, params, HTTP_IF_NONE_MATCH=member["ETag"]).status_code == 200


@pytest.mark.django_db
def test_head_mirrors_get(api_http):
    client = Client()
    get = client.get(LIST, {"limit": 3})
    head = client.head(LIST, {"limit": 3})
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == get["ETag"]
    assert head["Content-Length"] == get["Content-Length"]
    assert head["Content-Type"] == get["Content-Type"]
    assert client.head(LIST, {"limit": 3}, HTTP_IF_NONE_MATCH=get["ETag"]).status_code == 304


@pytest.mark.django_db
def test_errors_and_writes_carry_no_etag(api_http):
    client = Client()
    bad = client.get(LIST, {"colour": "blue"})
    assert bad.status_code == 400 and not bad.has_header("ETag")
    assert client.get(f"{LIST}no-such-document/").status_code == 404
    post = client.post(LIST, {})
    assert not post.has_header("ETag")


@pytest.mark.django_db
def test_only_the_api_is_touched(api_http, users):
    # A member: what anonymous visitors get carries the visitors' cache's ETag (visitor_cache).
    member = Client()
    member.force_login(users["member"])
    response = member.get("/en/")
    assert response.status_code in (200, 302)
    assert not response.has_header("ETag")
    assert "private" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_cors_off_by_default(api_http):
    response = Client().get(LIST, HTTP_ORIGIN="https://grc.example.com")
    assert response.status_code == 200
    assert not response.has_header("Access-Control-Allow-Origin")
    preflight = Client().options(
        LIST, HTTP_ORIGIN="https://grc.example.com", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert not preflight.has_header("Access-Control-Allow-Origin")


@pytest.mark.django_db
def test_cors_for_configured_origins_only(api_http):
    api_http.CORS_ALLOWED_ORIGINS = api_http.TRUSTPORTAL_API_CORS_ORIGINS = [
        "https://grc.example.com"
    ]
    client = Client()
    preflight = client.options(
        LIST,
        HTTP_ORIGIN="https://grc.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "https://grc.example.com"
    assert preflight["Access-Control-Allow-Headers"].lower() == "authorization, content-type"
    assert preflight["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    assert "origin" in vary(preflight)

    allowed = client.get(LIST, HTTP_ORIGIN="https://grc.example.com")
    assert allowed["Access-Control-Allow-Origin"] == "https://grc.example.com"
    assert "etag" in allowed["Access-Control-Expose-Headers"].lower()
    assert "origin" in vary(allowed)
    assert not allowed.has_header("Access-Control-Allow-Credentials")

    # Exact match only: no other scheme, host, port or suffix trick.
    for origin in (
        "http://grc.example.com",
        "https://grc.example.com:8443",
        "https://grc.example.com.evil.test",
        "https://evil.test",
        "null",
    ):
        response = client.get(LIST, HTTP_ORIGIN=origin)
        assert not response.has_header("Access-Control-Allow-Origin"), origin

    # Outside /api/ nothing changes.
    page = client.get("/en/", HTTP_ORIGIN="https://grc.example.com")
    assert not page.has_header("Access-Control-Allow-Origin")


@pytest.mark.django_db
def test_cors_never_wildcards_credentials(api_http):
    api_http.CORS_ALLOWED_ORIGINS = ["https://grc.example.com"]
    api_http.CORS_ALLOW_CREDENTIALS = True
    response = Client().get(LIST, HTTP_ORIGIN="https://grc.example.com")
    assert response["Access-Control-Allow-Origin"] == "https://grc.example.com"
    assert response["Access-Control-Allow-Credentials"] == "true"
