from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from tests.sample_plugin.apps import EXTRA_ENTITLED_GROUP, NDA_GROUP, RECEIVED_EVENTS

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


@pytest.fixture
def users(db):
    """One user of each kind the access policy distinguishes."""
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
