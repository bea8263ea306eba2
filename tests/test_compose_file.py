"""compose.yaml: the Compose Specification, one image run as its user, restarts, health
checks, volumes, scaling, and an environment that follows the README and the settings."""

from __future__ import annotations

import json
import re
from importlib import resources

import jsonschema

from cms.files.locations import ObjectStore
from tests.container_files import (
    COMPOSE,
    ONE_SHOTS,
    PORTAL,
    ROOT,
    SECRET_NAME,
    SERVICES,
    of,
    readme_section,
    stages,
)


def test_compose_yaml_follows_the_compose_specification():
    schema_file = resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    schema = json.loads(schema_file.read_text())
    validator = jsonschema.validators.validator_for(schema)
    errors = list(validator(schema, format_checker=validator.FORMAT_CHECKER).iter_errors(COMPOSE))
    assert not errors, [f"{list(error.absolute_path)}: {error.message}" for error in errors]


def test_every_service_the_readme_names_is_in_compose():
    section = readme_section("Run it with containers")
    named = set(re.findall(r"^\| `([a-z-]+)` \|", section, flags=re.MULTILINE))
    assert named == set(SERVICES)


def test_web_worker_cron_and_the_one_shots_run_one_image_as_its_user():
    found = stages()
    images = {(SERVICES[name]["image"], json.dumps(SERVICES[name]["build"])) for name in PORTAL}
    assert len(images) == 1
    built = {name: service["build"] for name, service in SERVICES.items() if "build" in service}
    assert {name: build["target"] for name, build in built.items()} == {
        **dict.fromkeys(PORTAL, "runtime"),
        "proxy": "proxy",
    }
    for name, build in built.items():
        assert build["context"] == "."
        # No container of ours runs as root: the stage sets a user and no service overrides it.
        assert of(found[build["target"]], "USER")
        assert "user" not in SERVICES[name], name
    assert {name: SERVICES[name]["command"][0] for name in PORTAL - {"objectstore-bucket"}} == {
        "web": "web",
        "worker": "worker",
        "cron": "cron",
        "migrate": "migrate",
    }


def test_services_restart_check_their_health_and_start_in_order():
    for name, service in SERVICES.items():
        assert service["restart"] == ("no" if name in ONE_SHOTS else "unless-stopped"), name
        health = service.get("healthcheck", {})
        if name in ONE_SHOTS:
            assert health == {"disable": True}, name
        elif name == "web":
            assert not health  # the image's HEALTHCHECK (/healthz)
        else:
            assert health["test"][0] == "CMD" and not health.get("disable"), name
    for name in ("web", "worker", "cron"):
        assert SERVICES[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"},
            "objectstore-bucket": {"condition": "service_completed_successfully"},
            "redis": {"condition": "service_healthy"},
        }
    assert SERVICES["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert SERVICES["objectstore-bucket"]["depends_on"] == {
        "objectstore": {"condition": "service_healthy"}
    }
    assert SERVICES["proxy"]["depends_on"] == {"web": {"condition": "service_healthy"}}
    for name in ("worker", "cron"):
        assert SERVICES[name]["healthcheck"]["test"][1:] == [
            "python",
            "/app/deploy/healthcheck.py",
            name,
        ]


def test_data_lives_in_volumes_and_redis_keeps_an_append_only_file():
    mounts = {
        "postgres": "postgres-data:/var/lib/postgresql/data",
        "redis": "redis-data:/data",
        "objectstore": "objectstore-data:/data",
        "proxy": "proxy-data:/data",
    }
    for name, mount in mounts.items():
        assert mount in SERVICES[name]["volumes"], name
        assert mount.split(":")[0] in COMPOSE["volumes"]
    command = SERVICES["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"


def test_web_scales_behind_the_proxy():
    web = SERVICES["web"]
    assert "ports" not in web and "container_name" not in web
    assert not [name for name, service in SERVICES.items() if "container_name" in service]
    published = {port.split(":")[-1] for port in SERVICES["proxy"]["ports"]}
    assert published == {"80", "443", "443/udp"}
    assert [name for name, service in SERVICES.items() if "ports" in service] == ["proxy"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    to_the_portal = caddyfile.split("\n\thandle {\n", 1)[1].split("\n\t}\n", 1)[0]
    # Every web container, by the service's name in Docker's DNS, on the port gunicorn binds.
    assert "name {$TRUSTPORTAL_WEB_HOST:web}" in to_the_portal
    assert "port {$TRUSTPORTAL_WEB_PORT:8000}" in to_the_portal
    assert "header_up Host" not in to_the_portal  # the Host passes unchanged (ALLOWED_HOSTS)


def portal_environment() -> dict[str, str]:
    return {str(name): str(value) for name, value in SERVICES["web"]["environment"].items()}


def test_the_portal_environment_follows_the_readme_and_its_production_checklist():
    environment = portal_environment()
    names = {name.removesuffix("_FILE") for name in environment}
    rows = [line for line in readme_section("Configuration").splitlines() if line.startswith("| `")]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", "\n".join(r.split("|")[1] for r in rows)))
    # PGPASSWORD is libpq's (the password outside DATABASE_URL), WEB_CONCURRENCY gunicorn's; the
    # object store's are those the settings read (the next test).
    undocumented = {name for name in names - documented if not name.startswith("TRUSTPORTAL_S3_")}
    assert undocumented == {"PGPASSWORD", "WEB_CONCURRENCY"}
    checklist = readme_section("Running it in production")
    for name in (
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "TRUSTPORTAL_BASE_URL",
        "DATABASE_URL",
        "REDIS_URL",
        "DEFAULT_FROM_EMAIL",
        "TRUSTPORTAL_ADMINS",
        "TRUSTPORTAL_TRUSTED_PROXY_COUNT",
        "TRUSTPORTAL_AUDIT_KEYS",
    ):
        assert name in checklist and name in names, name
    assert environment["TRUSTPORTAL_TRUSTED_PROXY_COUNT"] == "1"  # the proxy service
    assert environment["CSRF_TRUSTED_ORIGINS"] == environment["TRUSTPORTAL_BASE_URL"]
    assert environment["TRUSTPORTAL_BASE_URL"] == "https://${TRUSTPORTAL_HOST}"
    # compose's PostgreSQL unless .env says otherwise, and no password in the URL: libpq reads
    # PGPASSWORD, from the secret's file.
    assert environment["DATABASE_URL"] == (
        "${DATABASE_URL:-postgres://trustportal@postgres:5432/trustportal}"
    )
    assert environment["REDIS_URL"] == "${REDIS_URL:-redis://redis:6379/0}"
    for name in ("worker", "cron", "migrate"):
        environment_of = {str(k): str(v) for k, v in SERVICES[name]["environment"].items()}
        assert environment_of.items() <= environment.items(), name


def test_the_object_store_variables_are_those_the_settings_read():
    environment = {
        name: value.replace("${TRUSTPORTAL_HOST}", "portal.example.com")
        for name, value in portal_environment().items()
    }
    # As the entry point gives them: the secret's file read into its variable; compose's
    # defaults (${NAME:-default}) taken.
    environment["TRUSTPORTAL_S3_SECRET_ACCESS_KEY"] = "from-the-secret-file"
    environment = {
        name: re.sub(r"^\$\{[A-Z0-9_]+:-(.*)\}$", r"\1", value)
        for name, value in environment.items()
    }
    store = ObjectStore.from_environment(environment)
    assert (store.bucket, store.endpoint_url, store.access_key_id, store.secret_access_key) == (
        "trustportal",
        "http://objectstore:8333",
        "trustportal",
        "from-the-secret-file",
    )
    # Public media's links lead to the proxy's /media/, which serves the bucket's public prefix.
    assert store.media_url == "https://portal.example.com"
    assert store.public_media_options()["custom_domain"] == "portal.example.com"
    assert store.public_prefix == "media" and store.protected_prefix == "protected"
    objectstore = (ROOT / "deploy" / "objectstore.sh").read_text()
    assert '"actions": ["Read:$bucket/media/*"]' in objectstore


def test_secrets_come_from_files_that_git_and_the_image_leave_out():
    declared = COMPOSE["secrets"]
    for name, definition in declared.items():
        assert definition == {"file": f"./secrets/{name}"}
    for service_name, service in SERVICES.items():
        for name, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(name.removesuffix("_FILE")):
                assert name.endswith("_FILE"), (service_name, name)
                secret = str(value).removeprefix("/run/secrets/")
                assert secret in declared and secret in service["secrets"], (service_name, name)
    gitignore = (ROOT / ".gitignore").read_text().splitlines()
    assert {"/.env", "/portal.env", "/secrets/"} <= set(gitignore)
    settings = [
        line.split("=")[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert settings and not [name for name in settings if SECRET_NAME.search(name)]
