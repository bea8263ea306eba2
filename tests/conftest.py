from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from tests.sample_plugin.apps import EXTRA_ENTITLED_GROUP, NDA_GROUP, RECEIVED_EVENTS
from tests.smtp_server import RecordingSMTPServer
from tests.workers import LOGS, WORKER_PLUGIN_SETTINGS, RedisServer, Worker

DEMO_PASSWORD = "demo-password-for-tests"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test runs against the demo portal, as a fresh install would look."""
    with django_db_blocker.unblock():
        call_command("seed_demo", password=DEMO_PASSWORD, stdout=StringIO())
        for name in (NDA_GROUP, EXTRA_ENTITLED_GROUP):
            Group.objects.get_or_create(name=name)


@pytest.fixture
def received_events():
    RECEIVED_EVENTS.clear()
    yield RECEIVED_EVENTS
    RECEIVED_EVENTS.clear()


def make_user(username, groups=(), **extra):
    user = get_user_model().objects.create_user(
        username=username, password="pw-" + username, **extra
    )
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """A transaction around a whole module, for data built once per module.

    Module-scoped fixtures that build data depend on this one and build inside
    ``django_db_blocker.unblock()``. Every test of the module sees that data; each test still
    runs in its own savepoint (pytest-django's ``db``), so what a test changes is undone after
    it, and the module's data is rolled back after the module. Only for modules whose tests all
    use ``db`` (a transactional test would flush the database from inside this transaction).
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def refetch(objects: dict) -> dict:
    """Fresh instances of objects a module built once, for one test: what a test caches on an
    instance (a user's organization, say) is not seen by the next test."""
    from django.db.models import Model

    return {
        name: type(value)._base_manager.get(pk=value.pk) if isinstance(value, Model) else value
        for name, value in objects.items()
    }


@pytest.fixture
def users(db):
    """One user of each kind the access policy distinguishes."""
    return build_users()


@pytest.fixture(scope="module")
def module_users(module_db, django_db_blocker):
    """``users``, built once for the module (see ``module_db``); tests take ``refetch``-ed
    copies."""
    with django_db_blocker.unblock():
        return build_users()


def build_users() -> dict:
    from cms.models import Membership, Organization

    customer = Organization.objects.create(
        name="Test Customer", slug="test-customer", email_domains="customer.test"
    )
    other = Organization.objects.create(name="Other Customer", slug="other-customer")
    group = Group.objects.create(name="test customer group")
    users = {
        "anonymous": None,
        "personal": make_user("t-personal"),
        "personal_nda": make_user("t-personal-nda", groups=[NDA_GROUP]),
        "member": make_user("t-member"),
        "member_nda": make_user("t-member-nda", groups=[NDA_GROUP]),
        "other_org": make_user("t-other", groups=[NDA_GROUP]),
        "group_member": make_user("t-group", groups=[group.name]),
    }
    for name, organization in (
        ("member", customer),
        ("member_nda", customer),
        ("other_org", other),
    ):
        Membership.objects.create(user=users[name], organization=organization)
    users.update(customer_org=customer, other_org_obj=other, customer_group=group)
    return users


@pytest.fixture
def demo_users(db):
    User = get_user_model()
    return {
        name: User.objects.get(username=name) for name in ("admin", "editor", "reader", "personal")
    }


def pytest_collection_modifyitems(config, items):
    """Browser journeys last: their server thread writes outside test transactions."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and other cached state never carry over from one test to the next."""
    from django.core.cache import cache

    from cms.i18n import forget_locales

    cache.clear()
    forget_locales()
    yield
    cache.clear()
    forget_locales()


def pytest_sessionfinish(session, exitstatus):
    """Remove this run's own directory (test database file, uploaded files); other runs' are
    theirs to remove."""
    import os
    import shutil

    from django.conf import settings

    run = getattr(settings, "TRUSTPORTAL_TEST_RUN", None)
    if run and run.endswith(f"-{os.getpid()}"):
        shutil.rmtree(settings.VAR_DIR / "test" / run, ignore_errors=True)


# --- real workers: Redis, rqworker processes, SMTP (tests/workers.py) -------------------------
# Tests that use them commit (the workers are other processes): they run outside test
# transactions and remove what they made (``cleanup``).


@pytest.fixture(scope="module")
def committed(django_db_setup, django_db_blocker):
    """The seeded test database in autocommit mode, for the module that asks for it."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def redis_server(committed):
    server = RedisServer().start()
    yield server
    server.cleanup()


@pytest.fixture
def smtp():
    with RecordingSMTPServer() as server:
        yield server


@pytest.fixture
def on_the_queue(redis_server, cleanup):
    """From when it is called, this process enqueues on the test's Redis instead of running
    jobs inline (what a test builds before, documents and subscribers, is handled inline)."""
    queued = override_settings(
        TRUSTPORTAL_JOBS_INLINE=False,
        REDIS_URL=redis_server.url,
        RQ_QUEUES={"default": {"URL": redis_server.url, "DEFAULT_TIMEOUT": 600}},
    )
    enabled = []

    def enable():
        queued.enable()
        enabled.append(queued)

    yield enable
    for active in enabled:
        active.disable()


@pytest.fixture
def workers(request, redis_server, smtp):
    """Start an rqworker: ``workers(with_scheduler=False, plugin_settings=None)``."""
    started = []

    def start(with_scheduler=False, plugin_settings=None):
        log = LOGS / f"{request.node.name}-{len(started)}.log"
        settings = plugin_settings or WORKER_PLUGIN_SETTINGS
        worker = Worker(redis_server.url, smtp.port, settings, log)
        started.append(worker.start(with_scheduler=with_scheduler))
        return worker

    yield start
    for worker in started:
        # The test is over and its Redis is thrown away: no need to wait for a warm shut-down.
        worker.kill()


@pytest.fixture
def cleanup(committed):
    """Remove the users, documents, organizations and outbox rows a test committed."""
    from cms.models import Organization, TrustDocument
    from workflows.models import OutboxEvent

    made = {"prefixes": [], "documents": []}
    since = OutboxEvent.objects.order_by("-created_at").values_list("created_at", flat=True)
    since = since.first()
    yield made
    User = get_user_model()
    for prefix in made["prefixes"]:
        User.objects.filter(username__startswith=f"{prefix}-").delete()
    for document in made["documents"]:
        TrustDocument.objects.filter(pk=document.pk).delete()
    Organization.objects.filter(slug__startswith="workers-").delete()
    events = OutboxEvent.objects.all()
    if since is not None:
        events = events.filter(created_at__gt=since)
    events.delete()
