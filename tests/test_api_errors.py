"""What the API answers when it does not answer: a bad bearer token is a 401 (RFC 6750), an id
no column holds is a 404 in a path and a 422 in a body, and every error under /api/ is
``application/problem+json`` (RFC 9457), the 404, 405, 429 and 500 answered outside the
endpoints included. Over HTTP, with DEBUG off as in production (the test settings)."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.converters import IntConverter
from django.urls.resolvers import LocalePrefixPattern, RoutePattern
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from wagtail.api.v3.urls import api
from wagtail.models import APIToken

from cms.converters import MAX_ID, IdConverter
from cms.plugins import registry
from sites.api import CORE_ROUTERS, me
from tests.helpers import bearer, client_for

PROBLEM = "application/problem+json"

#: Ids no column holds, as a path or a body carries them: beyond a signed 64-bit integer, in
#: exponent notation, far too long; and 0 and -1, which fit a column but name no row.
NAMED_BAD_IDS = [0, -1, 2**63, 10**20, 1e23, "1e23", "9" * 40, "1" * 5000]
HUGE_INTEGERS = st.integers(min_value=MAX_ID + 1, max_value=10**60)
BAD_IDS = st.one_of(
    st.sampled_from(NAMED_BAD_IDS), HUGE_INTEGERS, st.integers(max_value=0), st.text(max_size=30)
)
HYPOTHESIS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == PROBLEM, response["Content-Type"]
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"] == "about:blank", body
    assert "detail" in body
    return body


def as_path(value) -> str:
    """``value`` as it would be typed into a URL (``1e23`` the float prints as ``1e+23``)."""
    return quote("1e23" if value == 1e23 and isinstance(value, float) else str(value), safe="")


# --- 1. a bearer token that does not resolve is a 401 ------------------------------------------

#: Every kind of API route that takes tokens: ours (anonymous allowed, signed-in only, writes),
#: a plugin's, and Wagtail's own (anonymous allowed, token only).
TOKEN_ROUTES = [
    ("get", "/api/v3/me/", None),
    ("get", "/api/v3/trust-documents/", None),
    ("post", "/api/v3/trust-documents/versions/1/download-link/", None),
    ("post", "/api/v3/library/", {"documents": ["security-white-paper"]}),
    ("get", "/api/v3/nda/", None),
    ("post", "/api/v3/nda/accept/", {"version_id": 1, "text_sha256": "0" * 64}),
    ("get", "/api/v3/compliance/assessments/", None),
    ("patch", "/api/v3/notifications/settings/", {"language": "de"}),
    ("post", "/api/v3/notifications/webhooks/", {"url": "https://hooks.example/x"}),
    ("get", "/api/v3/pages/", None),
    ("get", "/api/v3/sites/", None),
    ("get", "/api/v3/images/", None),
]


def bad_tokens(user) -> dict[str, str]:
    """One ``Authorization`` value per way a token is no good."""
    revoked, revoked_plaintext = APIToken.create_token(user=user, name="revoked")
    revoked.revoke()
    inactive = get_user_model().objects.create_user(username="t-inactive", is_active=False)
    _token, inactive_plaintext = APIToken.create_token(user=inactive, name="inactive")
    return {
        # Well formed (prefix, length, checksum), never issued: only the database can tell.
        "unknown": f"Bearer {APIToken.generate_token()}",
        "revoked": f"Bearer {revoked_plaintext}",
        "inactive user": f"Bearer {inactive_plaintext}",
        "malformed": "Bearer not-a-token",
        "empty": "Bearer ",
        "scheme only": "bearer",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("method, path, body", TOKEN_ROUTES)
def test_a_bad_bearer_token_is_a_401_on_every_route(demo_users, method, path, body):
    """Before: 200 as an anonymous reader on /me/ and the download link, a CSRF 403 on the
    library, whatever Wagtail's routes made of no token. A signed-in browser session sending a
    bad token is refused too: the token is what the client asked to be known by."""
    for who in (None, demo_users["reader"]):
        client = client_for(who)
        for kind, header in bad_tokens(demo_users["reader"]).items():
            response = getattr(client, method)(
                path,
                json.dumps(body) if body is not None else None,
                content_type="application/json",
                HTTP_AUTHORIZATION=header,
            )
            problem = assert_problem(response, 401)
            assert 'error="invalid_token"' in response["WWW-Authenticate"], kind
            assert response["WWW-Authenticate"].startswith("Bearer "), kind
            assert "token" in problem["detail"], kind
        get_user_model().objects.filter(username="t-inactive").delete()


@pytest.mark.django_db
def test_a_good_token_and_other_schemes_are_unchanged(demo_users):
    client = Client()
    assert client.get("/api/v3/me/", **bearer(demo_users["reader"])).json()["username"] == (
        "reader"
    )
    # No Authorization, or another scheme (Basic, as a proxy may add): not ours to judge.
    assert client.get("/api/v3/me/").json()["authenticated"] is False
    assert client.get("/api/v3/me/", HTTP_AUTHORIZATION="Basic dXNlcjpwdw==").status_code == 200
    # The reader site never reads bearer tokens.
    assert client.get("/en/", HTTP_AUTHORIZATION="Bearer nope").status_code == 200


# --- 2. an id no column holds is a 404 in a path, a 422 in a body ------------------------------


def routes_with_ids() -> list[tuple[str, dict]]:
    """Every URL pattern with an integer in its path (the reader site, the plugins, the API and
    Wagtail's admin), as its route text and its converters."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern.pattern, LocalePrefixPattern):
                text = pattern.pattern.language_prefix
            elif isinstance(pattern.pattern, RoutePattern):
                text = str(pattern.pattern)
            else:
                continue  # a regular expression: no converter to substitute
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + text)
            elif any(
                isinstance(c, (IntConverter, IdConverter))
                for c in pattern.pattern.converters.values()
            ):
                found.append((prefix + text, pattern.pattern.converters))

    walk(get_resolver().url_patterns, "/")
    return found


def url_with(route: str, converters: dict, value) -> str:
    def substitute(match):
        converter = converters[match["name"]]
        return as_path(value) if isinstance(converter, (IntConverter, IdConverter)) else "x"

    return re.sub(r"<(?:[^>:]+:)?(?P<name>[^>]+)>", substitute, route)


ROUTES = routes_with_ids()
#: Our routes name ids with the ``id`` converter; the others (Wagtail's admin, its password
#: form for private pages) are Wagtail's, held to "no server error".
OURS = [(route, converters) for route, converters in ROUTES if "<id:" in route]


def test_our_routes_with_ids_use_the_id_converter():
    """A new route of ours with ``<int:...>`` would reach the database with any number."""
    theirs = {route for route, _ in ROUTES if "<int:" in route}
    assert all(route.startswith(("/admin/", "/en/_util/")) for route in theirs), theirs
    assert "/en/starter-packs/<id:page_id>/archive/" in {route for route, _ in OURS}


@pytest.fixture
def admin_client(demo_users):
    """The user who may open every route, by session and by token, so that a view gets as far
    as looking the id up."""
    client = Client(raise_request_exception=False, **bearer(demo_users["admin"]))
    client.force_login(demo_users["admin"])
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("route, converters", OURS, ids=[route for route, _ in OURS])
def test_an_id_no_column_holds_is_a_404_on_our_routes(admin_client, route, converters):
    """Before: a 500 (OverflowError on SQLite) for the starter-pack archive; 422 on the
    compliance API."""

    @HYPOTHESIS
    @given(value=BAD_IDS.filter(lambda v: str(v) != ""))
    @example(value=MAX_ID + 1)
    def check(value):
        response = admin_client.get(url_with(route, converters, value))
        assert response.status_code == 404, (value, response.status_code)

    check()


@pytest.mark.django_db
def test_no_server_error_for_a_huge_id_on_any_route(admin_client):
    """Wagtail's routes too, as the admin (one value: past 64 bits, where SQLite overflows)."""
    errors = []
    for route, converters in ROUTES:
        url = url_with(route, converters, MAX_ID + 1)
        if admin_client.get(url).status_code >= 500:
            errors.append(url)
    assert not errors


def api_operations():
    """``(method, path, operation)`` of every operation in the API's OpenAPI schema."""
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation, schema["components"]["schemas"]


def _resolve(schema: dict, components: dict) -> dict:
    return components[schema["$ref"].rsplit("/", 1)[-1]] if "$ref" in schema else schema


def _is_integer(schema: dict, components: dict) -> bool:
    schema = _resolve(schema, components)
    options = [schema, *(_resolve(s, components) for s in schema.get("anyOf", []))]
    return any(option.get("type") == "integer" for option in options)


#: Valid values for the required fields of the bodies that carry ids, so that only the id is
#: wrong. A body with a required field missing here fails the test: add it.
VALID_FIELDS = {
    "text_sha256": "0" * 64,
    "hostname": "example.test",
    "old_path": "/somewhere",
    "revision_id": 1,
    "root_page_id": 1,
    "destination_id": 1,
}

API_PATH_IDS = [
    (method, path, [p["name"] for p in op.get("parameters", []) if p["in"] == "path"])
    for method, path, op, components in api_operations()
    if any(
        p["in"] == "path" and _is_integer(p["schema"], components) for p in op.get("parameters", [])
    )
]
API_BODY_IDS = [
    (method, path, field, _resolve(content["schema"], components).get("required", []))
    for method, path, op, components in api_operations()
    for media, content in op.get("requestBody", {}).get("content", {}).items()
    if media == "application/json"
    for field, schema in _resolve(content["schema"], components).get("properties", {}).items()
    if _is_integer(schema, components)
]


#: The API's paths served by our routers (the core's and the plugins'), not Wagtail's.
OUR_API_PREFIXES = tuple(
    f"/api/v3{prefix}" for prefix, _router in (*CORE_ROUTERS, *registry.api_routers())
)

#: Wagtail's operations that look a path's id up before validating it: a value that is not an
#: integer is a ValueError there (a 500), so they are given integers only.
#: Wagtail 8.0.1, ``wagtail.api.v3.schemas.params.TypeInjectingBodyModel.get_meta_type``.
LOOKUP_BEFORE_VALIDATION = {("patch", "/api/v3/pages/{page_id}/")}


def test_the_api_has_ids_in_paths_and_bodies():
    assert ("post", "/api/v3/library/", "starter_pack", []) in API_BODY_IDS
    assert any(path == "/api/v3/compliance/action-items/{item_id}/" for _, path, _ in API_PATH_IDS)


@pytest.mark.django_db
@pytest.mark.parametrize("method, path, names", API_PATH_IDS, ids=lambda v: str(v))
def test_an_id_no_column_holds_in_an_api_path_is_never_a_server_error(
    admin_client, method, path, names
):
    """Ours (declared ``{id:...}``) answer 404; Wagtail's own a problem+json 4xx."""
    ours = path.startswith(OUR_API_PREFIXES)
    values = BAD_IDS.filter(lambda v: str(v) != "")
    if (method, path) in LOOKUP_BEFORE_VALIDATION:
        values = st.one_of(HUGE_INTEGERS, st.integers(max_value=0))

    @HYPOTHESIS
    @given(value=values)
    def check(value):
        url = path
        for name in names:
            url = url.replace("{" + name + "}", as_path(value))
        url = url.replace("{type}", "cms.trustdocument").replace("{pk}", "1")
        if method in ("get", "delete"):
            response = getattr(admin_client, method)(url)
        else:
            response = getattr(admin_client, method)(url, {}, content_type="application/json")
        assert response.status_code < 500, (url, response.content[:300])
        assert response["Content-Type"] == PROBLEM, url
        if ours:
            assert response.status_code == 404, (url, response.status_code)

    check()


@pytest.mark.django_db
@pytest.mark.parametrize("method, path, field, required", API_BODY_IDS, ids=lambda v: str(v))
def test_an_id_no_column_holds_in_an_api_body_is_a_422(admin_client, method, path, field, required):
    """Before: ``POST /api/v3/library/ {"starter_pack": 1e23}`` was a 500."""
    missing = set(required) - set(VALID_FIELDS) - {field}
    assert not missing, f"add valid values for {missing} to VALID_FIELDS"
    url = path.replace("{page_id}", "1").replace("{site_id}", "1").replace("{redirect_id}", "1")
    url = url.replace("{image_id}", "1").replace("{document_id}", "1")
    url = url.replace("{type}", "cms.trustdocument").replace("{pk}", "1")

    @HYPOTHESIS
    @given(value=st.one_of(st.sampled_from([2**63, 10**20, 1e23, "1e23", "9" * 40]), HUGE_INTEGERS))
    def check(value):
        body = {name: VALID_FIELDS[name] for name in required if name != field}
        body[field] = value
        response = getattr(admin_client, method)(url, body, content_type="application/json")
        if not path.startswith(OUR_API_PREFIXES):
            # Wagtail's own: no server error is all it promises (a 404 for a page it lacks).
            assert response.status_code < 500, (url, response.content[:300])
            if response.status_code >= 400:
                assert response["Content-Type"] == PROBLEM
            else:
                # The demo's brand logo is image 1: while there is one collection, Wagtail's
                # image form drops ``collection`` and keeps the image where it is (a 200).
                # Whatever it answers, the id was not taken.
                assert str(value) not in response.content.decode(), (url, response.status_code)
            return
        problem = assert_problem(response, 422)
        assert any(field in error.get("loc", []) for error in problem["errors"]), problem

    check()


# --- 3. every error under /api/ is problem+json ------------------------------------------------


@pytest.mark.django_db
def test_unknown_api_paths_and_methods_are_problems():
    """Before: Django's HTML 404 page and Ninja's plain-text 405."""
    client = Client()
    for path in ("/api/v3/nope/", "/api/v3/", "/api/v9/documents/", "/api/"):
        assert_problem(client.get(path), 404)
    not_allowed = client.delete("/api/v3/me/")
    assert_problem(not_allowed, 405)
    assert not_allowed["Allow"] == "GET"
    assert "GET" in not_allowed.json()["detail"]
    # The reader site keeps its HTML pages.
    assert client.get("/en/nope/")["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_a_server_error_is_a_problem_without_internals(monkeypatch, caplog):
    """An exception in an endpoint: a problem+json 500 telling nothing of it, while Django
    logs it in full as for any view. Before: the HTML error page."""

    def fail(*args, **kwargs):
        raise RuntimeError("secret internals at /srv/portal/settings.py")

    monkeypatch.setattr(me, "reject_unknown_parameters", fail)
    response = Client(raise_request_exception=False).get("/api/v3/me/")
    problem = assert_problem(response, 500)
    assert "secret" not in response.content.decode() and "Traceback" not in problem["detail"]
    assert "secret internals" in caplog.text


@pytest.mark.django_db
def test_problem_bodies_keep_cors_and_vary_headers(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://grc.example"]
    response = Client().get("/api/v3/nope/", HTTP_ORIGIN="https://grc.example")
    assert_problem(response, 404)
    assert response["Access-Control-Allow-Origin"] == "https://grc.example"
    assert int(response["Content-Length"]) == len(response.content)
