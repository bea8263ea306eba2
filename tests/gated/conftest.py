import pytest

from tests import factories
from tests.helpers import make_user


@pytest.fixture
def people(demo_users):
    """The demo's editor and administrator (a superuser and Moderator), and a Moderator who is
    nothing else."""
    moderator = make_user(
        factories.unique("t-moderator"),
        groups=["Moderators"],
        email=f"{factories.unique('moderator')}@provider.example",
    )
    assert moderator.has_perm("wagtailadmin.access_admin")
    assert not moderator.is_superuser
    return {"editor": demo_users["editor"], "moderator": moderator, "admin": demo_users["admin"]}
