"""Settings, demo seeding and the production guard rails."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cms.models import (
    Category,
    DocumentVersion,
    RegionPage,
    Section,
    StarterPackPage,
    TrustDocument,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_demo_content_is_realistic():
    documents = TrustDocument.objects.filter(locale__language_code="en", live=True)
    assert documents.count() >= 40
    sections = set(documents.values_list("category__section", flat=True))
    assert sections == {choice for choice, _label in Section.choices}
    assert Category.objects.filter(locale__language_code="en").count() >= 10
    multi = [
        d for d in documents if DocumentVersion.objects.filter(document=d, live=True).count() >= 3
    ]
    assert len(multi) >= 3
    regions = set(
        RegionPage.objects.filter(locale__language_code="en").values_list("title", flat=True)
    )
    assert regions >= {
        "Australia",
        "Canada",
        "Czech Republic",
        "Denmark",
        "Germany",
        "Poland",
        "Romania",
        "Spain",
        "United Kingdom",
    }
    packs = StarterPackPage.objects.filter(locale__language_code="en")
    assert sorted(packs.values_list("kind", flat=True)) == ["assessment", "audit", "evaluation"]
    assert TrustDocument.objects.exclude(locale__language_code="en").exists()  # translations
    for version in DocumentVersion.objects.filter(document__slug="soc-3"):
        for file in version.files.all():
            assert file.file.open("rb").read(5) == b"%PDF-" and len(file.sha256) == 64


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    before = (TrustDocument.objects.count(), DocumentVersion.objects.count())
    out = StringIO()
    call_command("seed_demo", password="x", stdout=out)
    assert "Documents: 0 created, 0 versions created" in out.getvalue()
    assert (TrustDocument.objects.count(), DocumentVersion.objects.count()) == before
    for name in ("admin", "editor", "reader", "contributor", "personal"):
        assert name in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_refuses_production_settings(settings):
    settings.SETTINGS_MODULE = "sites.settings.production"
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", stdout=StringIO())


def _django_check(settings_module, **env):
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, **env}
    full_env.pop("SECRET_KEY", None) if "SECRET_KEY" not in env else None
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _django_check("sites.settings.production")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
    ok = _django_check("sites.settings.production", SECRET_KEY="k" * 50)
    assert ok.returncode == 0, ok.stderr


def test_settings_follow_the_environment():
    script = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.TRUSTPORTAL_JOBS_INLINE, "
        "s.TRUSTPORTAL_SEARCH_BACKEND, s.EMAIL_BACKEND)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sites.settings.dev",
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
        "REDIS_URL": "redis://127.0.0.1:6379/1",
        "ELASTICSEARCH_URL": "http://127.0.0.1:9200",
        "EMAIL_HOST": "smtp.example",
    }
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    ).stdout
    assert out.split() == [
        "django.db.backends.postgresql",
        "False",
        "search.backends.elasticsearch.ElasticsearchBackend",
        "django.core.mail.backends.smtp.EmailBackend",
    ]


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    """PostgreSQL's JIT compiles statements whose estimated cost is high (a facet count over
    100,000 documents), which costs far more than it saves on the portal's short statements."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.parametrize(
    "url, disable, expected",
    [
        ("postgres://u@127.0.0.1:5432/x", None, "-c jit=off"),
        (
            "postgres://u@127.0.0.1:5432/x?options=-c%20search_path%3Dportal",
            None,
            "-c search_path=portal -c jit=off",
        ),
        ("postgres://u@127.0.0.1:5432/x", "false", None),  # behind PgBouncer: ALTER ROLE instead
    ],
)
def test_the_jit_option_keeps_the_url_s_own_options(url, disable, expected):
    script = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(repr(s.DATABASES['default'].get('OPTIONS', {}).get('options')))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sites.settings.dev", "DATABASE_URL": url}
    env.pop("DATABASE_DISABLE_JIT", None)
    if disable is not None:
        env["DATABASE_DISABLE_JIT"] = disable
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.stdout.strip() == repr(expected), out.stderr
