"""Facet counts: under the access policy and the other active filters, on both databases."""

import pytest
from django.db import transaction
from django.test import Client

from cms.models import TrustDocument
from tests import factories
from tests.helpers import shown_count


@pytest.fixture
def faceted(users, django_capture_on_commit_callbacks):
    """Facet terms and documents, as if committed (their on-commit callbacks run): counts made
    over changes of an open transaction are never memoized."""
    with django_capture_on_commit_callbacks(execute=True):
        return _make_faceted(users)


def _make_faceted(users):
    category = factories.category(section="blueprints", name="Facet category")
    blue, green = (
        factories.term(factories.Standard, "Blue"),
        factories.term(factories.Standard, "Green"),
    )
    north, south = (
        factories.term(factories.Service, "North"),
        factories.term(factories.Service, "South"),
    )
    factories.document("public", category_obj=category, standards=[blue], services=[north])
    factories.document("nda", category_obj=category, standards=[blue, green], services=[south])
    factories.document("signed_in", category_obj=category, standards=[green], services=[north])
    # Hidden from everyone but the other organization: never counted for anyone else.
    factories.document(
        "restricted",
        category_obj=category,
        standards=[blue],
        services=[north],
        organizations=[users["other_org_obj"]],
    )
    return category, blue, green, north, south


@pytest.mark.django_db
def test_counts_exclude_hidden_documents_and_follow_the_other_filters(faceted, users):
    category, blue, green, north, south = faceted
    url = f"/api/v3/trust-documents/?category={category.slug}"
    facets = Client().get(url).json()["facets"]
    assert facets["standard"][blue.slug] == 2 and facets["standard"][green.slug] == 2
    assert facets["service"][north.slug] == 2 and facets["service"][south.slug] == 1
    # With a standard chosen, the service counts narrow; the standard counts do not (OR within).
    narrowed = Client().get(f"{url}&standard={green.slug}").json()
    assert narrowed["count"] == 2
    assert narrowed["facets"]["service"] == {north.slug: 1, south.slug: 1}
    assert narrowed["facets"]["standard"][blue.slug] == 2
    # The entitled organization's member counts the restricted document too.
    entitled = Client()
    entitled.force_login(users["other_org"])
    assert entitled.get(url).json()["facets"]["standard"][blue.slug] == 3


@pytest.mark.django_db
def test_the_reader_site_shows_the_counts(faceted):
    category, blue, *_ = faceted
    html = Client().get(f"/en/trust-documents/?category={category.slug}").content.decode()
    assert shown_count(html, "standard", blue.slug, "Blue") == 2


def _facets(client, url):
    return client.get(url).json()


@pytest.mark.django_db
def test_memoized_counts_follow_every_change_at_once(faceted, users):
    """Counts of what everyone sees are memoized per content generation; a publish, an access
    change, a withdrawal or a taxonomy change is counted on the very next request."""
    category, blue, green, north, south = faceted
    url = f"/api/v3/trust-documents/?category={category.slug}"
    reader = Client()
    assert _facets(reader, url)["facets"]["standard"][blue.slug] == 2
    added = factories.document("public", category_obj=category, standards=[blue])
    answer = _facets(reader, url)
    assert answer["count"] == 4 and answer["facets"]["standard"][blue.slug] == 3

    # Restricted and unlisted: gone from everyone's counts (not even a number to infer it by).
    added.access_level = "restricted"
    added.save_revision().publish()
    answer = _facets(reader, url)
    assert answer["count"] == 3 and answer["facets"]["standard"][blue.slug] == 2

    # A term taken off a document.
    public = TrustDocument.objects.get(
        category=category, access_level="public", standards=blue, restricted_listed=False
    )
    public.standards.set([green])
    public.save_revision().publish()
    assert _facets(reader, url)["facets"]["standard"] == {blue.slug: 1, green.slug: 3}

    # Withdrawn.
    public.unpublish()
    answer = _facets(reader, url)
    assert answer["count"] == 2 and answer["facets"]["standard"] == {blue.slug: 1, green.slug: 2}


@pytest.mark.django_db
def test_a_repeated_query_is_counted_once_per_generation(faceted):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    category, blue, *_ = faceted
    url = f"/api/v3/trust-documents/?category={category.slug}&standard={blue.slug}"

    def facet_statements():
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(url).status_code == 200
        return sum("facet_set_0" in q["sql"] for q in captured.captured_queries)

    # One statement for what is described to all, one for listed restricted titles; both shared.
    assert facet_statements() == 2
    assert facet_statements() == 0
    factories.document("public", category_obj=category, standards=[blue])
    assert facet_statements() == 2


@pytest.mark.django_db
def test_counts_of_a_change_rolled_back_are_never_served(
    faceted, django_capture_on_commit_callbacks
):
    """A transaction that bumps the generation and counts (an admin save that renders a
    listing) rolls back: the generation's number returns to the pool, and the counts it made
    must not answer for the next change that takes that number."""
    category, blue, green, *_ = faceted
    url = f"/api/v3/trust-documents/?category={category.slug}"
    before = _facets(Client(), url)["facets"]["standard"]

    with pytest.raises(RuntimeError), transaction.atomic():
        factories.document("public", category_obj=category, standards=[blue])
        assert _facets(Client(), url)["facets"]["standard"][blue.slug] == before[blue.slug] + 1
        raise RuntimeError("the save fails after counting")

    with django_capture_on_commit_callbacks(execute=True):
        factories.document("public", category_obj=category, standards=[green])
    after = _facets(Client(), url)["facets"]["standard"]
    assert after == {blue.slug: before[blue.slug], green.slug: before[green.slug] + 1}


@pytest.mark.django_db
def test_entitled_documents_are_counted_for_their_readers_only(faceted, users):
    """The memoized part is what everyone sees; a reader's own restricted documents are added
    per request, and never reach anyone else's counts."""
    category, blue, *_ = faceted
    url = f"/api/v3/trust-documents/?category={category.slug}"
    entitled, other = Client(), Client()
    entitled.force_login(users["other_org"])
    other.force_login(users["member_nda"])
    for _ in range(2):  # the second round is answered from the memo
        assert _facets(entitled, url)["facets"]["standard"][blue.slug] == 3
        assert _facets(entitled, url)["count"] == 4
        assert _facets(other, url)["facets"]["standard"][blue.slug] == 2
        assert _facets(other, url)["count"] == 3
        assert _facets(Client(), url)["count"] == 3


@pytest.mark.django_db
def test_what_a_user_sees_is_what_everyone_sees_plus_their_entitled_documents(users, sample_plugin):
    """The split the facet memo relies on, for every kind of user and every path of entitlement:
    what a reader sees is what everyone sees plus the restricted documents they are entitled to
    (the policy writes entitlement in two SQL shapes, which must agree)."""
    from datetime import timedelta

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from cms.access import policy
    from cms.models import AccessRequest
    from tests.conftest import make_user
    from tests.sample_plugin.apps import EXTRA_ENTITLED_GROUP

    by_organization = factories.document("restricted", organizations=[users["other_org_obj"]])
    by_group = factories.document("restricted", groups=[users["customer_group"]])
    factories.document("restricted", listed=True)
    requested = factories.document("restricted")
    now = timezone.now()
    for user, status, expires_at in (
        (users["personal"], AccessRequest.Status.APPROVED, None),
        (users["member"], AccessRequest.Status.APPROVED, now - timedelta(seconds=1)),
        (users["member_nda"], AccessRequest.Status.REVOKED, None),
    ):
        AccessRequest.objects.create(
            user=user, document=requested, reason="x", status=status, expires_at=expires_at
        )
    Group.objects.get_or_create(name=EXTRA_ENTITLED_GROUP)
    users["by_plugin_rule"] = make_user("t-rule", groups=[EXTRA_ENTITLED_GROUP])
    everyone = set(policy.everyone_documents().values_list("pk", flat=True))
    entitled_by_user = {}
    for name in (
        "anonymous",
        "personal",
        "member",
        "member_nda",
        "other_org",
        "group_member",
        "by_plugin_rule",
    ):
        user = users[name]
        visible = set(policy.visible_documents(user).values_list("pk", flat=True))
        entitled = set(policy.entitled_restricted_documents(user).values_list("pk", flat=True))
        restricted = policy.described_documents(user).filter(access_level="restricted")
        assert entitled == set(restricted.values_list("pk", flat=True)), name
        assert visible == everyone | entitled, name
        entitled_by_user[name] = entitled
    assert by_organization.pk in entitled_by_user["other_org"]
    assert by_group.pk in entitled_by_user["group_member"]
    assert requested.pk in entitled_by_user["personal"]  # approved, no expiry
    assert requested.pk not in entitled_by_user["member"] | entitled_by_user["member_nda"]
    assert {by_organization.pk, by_group.pk, requested.pk} <= entitled_by_user["by_plugin_rule"]
    assert entitled_by_user["anonymous"] == set()


@pytest.mark.django_db
def test_after_a_publish_a_job_counts_the_plain_listings_again(
    django_capture_on_commit_callbacks, settings, monkeypatch
):
    """With workers, the first reader after a publish does not pay for the counts of the plain
    listings: one job per transaction (however many rows it changed) counts them once it
    commits. (With inline jobs the first reader counts them: tests/test_listing_generation.py.)"""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from search import facets

    settings.TRUSTPORTAL_JOBS_INLINE = False
    # The worker's side: the job queued is run here, as a worker would run it.
    monkeypatch.setattr(facets, "enqueue", lambda func, *args, **kwargs: func(*args, **kwargs))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        category = factories.category(section="blueprints")
        blue = factories.term(factories.Standard, "Blue")
        factories.document("public", category_obj=category, standards=[blue])
        factories.document("nda", category_obj=category, standards=[blue])
    assert len([c for c in callbacks if isinstance(c, facets.WarmAfterCommit)]) == 1
    for url in ("/api/v3/trust-documents/", "/api/v3/trust-documents/?section=blueprints"):
        with CaptureQueriesContext(connection) as captured:
            answer = Client().get(url).json()
        assert not [q for q in captured.captured_queries if "facet_set_0" in q["sql"]], url
        assert answer["facets"]["standard"][blue.slug] == 2


@pytest.mark.django_db
def test_a_plugin_rule_over_a_many_valued_relation_repeats_no_document(
    users, monkeypatch, sample_plugin
):
    """A rule's condition may span a relation with many rows per document (versions here): it
    is asked in a subquery, so listings and counts still hold each document once."""
    from django.db.models import Q

    from cms.access import policy
    from tests.sample_plugin.apps import SampleAccessRule

    doc = factories.document("restricted", versions=3)
    assert doc.versions.filter(live=True).count() == 3
    monkeypatch.setattr(
        SampleAccessRule,
        "restricted_visible_q",
        lambda self, user: Q(versions__live=True) if user.username == "t-personal" else None,
    )
    user = users["personal"]
    for queryset in (
        policy.visible_documents(user),
        policy.entitled_restricted_documents(user),
    ):
        pks = list(queryset.values_list("pk", flat=True))
        assert doc.pk in pks
        assert len(pks) == len(set(pks))
    client = Client()
    client.force_login(user)
    answer = client.get("/api/v3/trust-documents/", {"category": doc.category.slug}).json()
    assert answer["count"] == 1 and [d["slug"] for d in answer["items"]] == [doc.slug]
