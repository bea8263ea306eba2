from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from cms.models import organization_of
from cms.plugins.testing import install_temporarily
from plugins.nda.models import NdaAcceptance, NdaVersion
from sites import visitor_cache
from tests import seeded_database
from tests.helpers import DEMO_PASSWORD, make_user, refetch
from tests.sample_plugin.apps import EXTRA_ENTITLED_GROUP, RECEIVED_EVENTS
from tests.smtp_server import RecordingSMTPServer
from tests.workers import LOGS, WORKER_PLUGIN_SETTINGS, RedisServer, Worker

# The portal and a real OpenID Connect provider (fixtures ``oidc``, ``organizations``, ...).
pytest_plugins = ["tests.oidc.flows"]


def seed_test_database() -> None:
    call_command("seed_demo", password=DEMO_PASSWORD, stdout=StringIO())
    # Whom the sample plugin's access rule entitles, in tests that install it.
    Group.objects.get_or_create(name=EXTRA_ENTITLED_GROUP)


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_keepdb,
    django_db_modify_db_settings,  # each xdist worker's database name gets its suffix
):
    """Every test runs against the demo portal, as a fresh install would look: seeded once per
    run and copied for each pytest-xdist worker (``tests/seeded_database.py``); in a single
    process (or with ``--reuse-db``) made and seeded in place."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    verbosity = request.config.option.verbose
    worker = getattr(request.config, "workerinput", None)
    with django_db_blocker.unblock():
        if worker is None or django_db_keepdb:
            databases = setup_databases(
                verbosity=verbosity, interactive=False, keepdb=django_db_keepdb
            )
            seed_test_database()
        else:
            original_name = seeded_database.set_up_for_worker(
                worker["workerid"], worker["testrunuid"], seed_test_database, verbosity
            )
    yield
    if django_db_keepdb:
        return
    with django_db_blocker.unblock():
        try:
            if worker is None:
                teardown_databases(databases, verbosity=verbosity)
            else:
                connections["default"].creation.destroy_test_db(original_name, verbosity)
        except Exception as error:  # noqa: BLE001 — as pytest-django's own teardown: a warning
            # A server thread of the browser tests may still hold a connection when the run ends;
            # the next run recreates the database (--create-db) whatever is left of it.
            request.node.warn(pytest.PytestWarning(f"Test database not removed: {error!r}"))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """(pytest-xdist, in the controlling process) Remember the run whose seeded template the
    workers share, to remove it at the end."""
    node.config._seeded_run = node.workerinput["testrunuid"]


@pytest.fixture
def sample_plugin():
    """tests/sample_plugin, installed for this test only, its reader URLs included (its API
    router is tested in a process that installs it: see ``tests/test_plugin_contract.py``)."""
    with install_temporarily("tests.sample_plugin") as plugin:
        yield plugin


@pytest.fixture
def received_events(sample_plugin):
    """The core events the sample plugin's handlers receive during the test."""
    RECEIVED_EVENTS.clear()
    yield RECEIVED_EVENTS
    RECEIVED_EVENTS.clear()


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


@pytest.fixture
def users(db):
    """One user of each kind the access policy distinguishes (``build_users``), made for this
    test."""
    return build_users()


@pytest.fixture(scope="module")
def module_users(module_db, django_db_blocker):
    """``users``, built once for the module (see ``module_db``), for the module's own
    module-scoped data; tests take ``shared_users``."""
    with django_db_blocker.unblock():
        return build_users()


@pytest.fixture
def shared_users(module_users, db):
    """``users`` built once for the module (``module_users``), fetched afresh for this test
    (``refetch``): for modules whose data is built once too. What a test changes is rolled
    back after it."""
    return refetch(module_users)


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
        "personal_nda": make_user("t-personal-nda"),
        "member": make_user("t-member"),
        "member_nda": make_user("t-member-nda"),
        "other_org": make_user("t-other"),
        "group_member": make_user("t-group", groups=[group.name]),
    }
    for name, organization in (
        ("member", customer),
        ("member_nda", customer),
        ("other_org", other),
    ):
        Membership.objects.create(user=users[name], organization=organization)
    # They accepted the NDA in effect; the personal account did so as a member of an
    # organization it has since left (it still may not download what needs one).
    for name in ("personal_nda", "member_nda", "other_org"):
        accept_current_nda(users[name])
    users.update(customer_org=customer, other_org_obj=other, customer_group=group)
    return users


def accept_current_nda(user) -> NdaAcceptance:
    """``user`` accepted the NDA in effect: the nda plugin's record, as its form writes it."""
    nda = NdaVersion.current()
    organization = organization_of(user)
    return NdaAcceptance.objects.create(
        user=user,
        username=user.get_username(),
        email=user.email,
        organization=organization,
        organization_name=organization.name if organization else "",
        nda_version=nda,
        language=nda.locale.language_code,
        text_sha256=nda.text_sha256(),
    )


@pytest.fixture
def demo_users(db):
    User = get_user_model()
    return {
        name: User.objects.get(username=name) for name in ("admin", "editor", "reader", "personal")
    }


def pytest_collection_modifyitems(config, items):
    """Browser journeys last: their server thread writes outside test transactions."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture
def keeping(monkeypatch):
    """The visitors' cache keeps what a test's requests are answered. Every change in a test
    happens in the test's transaction, where the cache refuses to keep what it counted (see
    tests/test_visitor_cache.py); lifted so that it keeps as it does between committed
    requests."""
    monkeypatch.setattr(visitor_cache, "bumped_in_this_transaction", lambda: False)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and other cached state never carry over from one test to the next
    (a database cache's rows go with the test's transaction, like every other row)."""
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache

    from cms.access.profile import forget_recent_profiles
    from cms.i18n import forget_locales

    def clear():
        for cache in caches.all():
            if not isinstance(cache, DatabaseCache):
                cache.clear()
        forget_locales()
        forget_recent_profiles()

    clear()
    yield
    clear()


def pytest_sessionfinish(session, exitstatus):
    """Remove this run's own directory (test database file, uploaded files); other runs' are
    theirs to remove."""
    import os
    import shutil

    from django.conf import settings

    run = getattr(settings, "TRUSTPORTAL_TEST_RUN", None)
    if run and run.endswith(f"-{os.getpid()}"):
        shutil.rmtree(settings.VAR_DIR / "test" / run, ignore_errors=True)
    seeded_run = getattr(session.config, "_seeded_run", None)
    if seeded_run is not None:
        from pytest_django.plugin import blocking_manager_key

        with session.config.stash[blocking_manager_key].unblock():
            seeded_database.remove_template(seeded_run)


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
    """Start an rqworker: ``workers(with_scheduler=False, plugin_settings=None)``; the first
    with RQ's scheduler also starts ``manage.py cron`` (the periodic sweep), as deployed."""
    started = []

    def start(with_scheduler=False, plugin_settings=None):
        settings = plugin_settings or WORKER_PLUGIN_SETTINGS

        def process():
            log = LOGS / f"{request.node.name}-{len(started)}.log"
            return Worker(redis_server.url, smtp.port, settings, log)

        if with_scheduler and not any(worker.is_cron for worker in started):
            started.append(process().start_cron())
        worker = process()
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
        # Acceptances are evidence the application never deletes (a deleted user's stay, with
        # the user unset); a test's own go, so that later modules sharing the committed
        # database find the demo's only.
        NdaAcceptance.objects.filter(user__username__startswith=f"{prefix}-").delete()
        User.objects.filter(username__startswith=f"{prefix}-").delete()
    for document in made["documents"]:
        TrustDocument.objects.filter(pk=document.pk).delete()
    Organization.objects.filter(slug__startswith="workers-").delete()
    events = OutboxEvent.objects.all()
    if since is not None:
        events = events.filter(created_at__gt=since)
    events.delete()
