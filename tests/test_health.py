"""/healthz and /readyz with every service up and with each one down (real Redis, closed ports)."""

import os
import socket
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from search import text_index
from search.backends import elasticsearch as es_backend
from search.models import SearchEntry
from tests.helpers import run_python

ROOT = Path(__file__).resolve().parents[1]


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_is_running(url="redis://127.0.0.1:6379/0") -> bool:
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def fresh_es_connection():
    def drop():
        try:
            es_backend.connections.remove_connection(es_backend.CONNECTION_ALIAS)
        except KeyError:
            pass

    drop()
    yield
    drop()


@pytest.mark.django_db
def test_healthz_answers_without_asking_any_service(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert Client().post("/healthz").status_code == 405


@pytest.mark.django_db
def test_readyz_reports_the_configured_services(settings):
    settings.REDIS_URL = ""
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "services": {
            "database": {"configured": True, "reachable": True, "backend": "sqlite"}
            if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
            else {"configured": True, "reachable": True, "backend": "postgresql"},
            "redis": {"configured": False},
            "search": {
                "configured": True,
                "reachable": True,
                "backend": "database",
                "index": {
                    "complete": True,
                    "documents_without_entry": 0,
                    "entries_not_indexed": 0,
                    "format_current": True,
                },
            },
        },
    }


@pytest.mark.django_db
@pytest.mark.skipif(not redis_is_running(), reason="no Redis on 127.0.0.1:6379")
def test_readyz_with_redis_up(settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json()["services"]["redis"] == {"configured": True, "reachable": True}


@pytest.mark.django_db
def test_readyz_with_redis_down(settings):
    """Readers are served without Redis (tests/faults/test_redis_outage.py): the instance stays
    in rotation, and says it is degraded."""
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = Client().get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["services"]["redis"] == {"configured": True, "reachable": False}
    assert body["services"]["database"]["reachable"] is True
    assert "127.0.0.1" not in response.content.decode()  # reasons go to the log only


@pytest.mark.django_db
def test_readyz_with_the_search_cluster_down(settings, fresh_es_connection):
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{closed_port()}"
    settings.TRUSTPORTAL_SEARCH_BACKEND = "search.backends.elasticsearch.ElasticsearchBackend"
    response = Client().get("/readyz")
    # Searches fall back to the database (tests/test_search_elasticsearch.py): degraded.
    assert response.status_code == 200 and response.json()["status"] == "degraded"
    assert response.json()["services"]["search"] == {"configured": True, "reachable": False}


def test_with_the_database_down_healthz_stays_up_and_readyz_says_so():
    """A separate process whose database is a PostgreSQL port nobody listens on."""
    script = (
        "import django, json; django.setup();"
        "from django.test import Client; c = Client(HTTP_HOST='localhost');"
        "h = c.get('/healthz'); r = c.get('/readyz');"
        "print(json.dumps([h.status_code, r.status_code, r.json()]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sites.settings.test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/nowhere",
        "REDIS_URL": "",
    }
    healthz, readyz, body = run_python(script, env, timeout=60)
    assert (healthz, readyz) == (200, 503)
    assert body["services"]["database"] == {"configured": True, "reachable": False}


@pytest.mark.django_db
def test_an_incomplete_search_index_is_degraded_with_the_command_to_run(settings):
    """After a move or an upgrade that left entries out, readers are still served (200) but the
    probe and ``check --deploy`` say the index is incomplete and what to run."""
    settings.REDIS_URL = ""
    answer = Client().get("/readyz").json()
    assert answer["status"] == "ready"
    assert answer["services"]["search"]["index"]["complete"] is True

    some = list(SearchEntry.objects.values_list("document_id", flat=True)[:3])
    text_index.remove_entries(some)
    response = Client().get("/readyz")
    assert response.status_code == 200
    index = response.json()["services"]["search"]["index"]
    assert response.json()["status"] == "degraded"
    assert index["documents_without_entry"] == len(some)
    assert index["action"] == "python manage.py rebuild_search_index"
    with pytest.raises(SystemCheckError, match="trustsearch.W001"):
        call_command("check", "--deploy", "--fail-level", "WARNING", stdout=StringIO())

    call_command("rebuild_search_index", stdout=StringIO())
    assert Client().get("/readyz").json()["status"] == "ready"
