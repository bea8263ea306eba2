"""The policy's batch answer (many users at once, for a batch of e-mails) is the answer it
gives user by user, in a number of queries that does not grow with the users."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.access import policy
from cms.models import AccessRequest, Membership
from cms.plugins.access import AccessRule
from tests import factories
from tests.conftest import make_user
from tests.sample_plugin.apps import EXTRA_ENTITLED_GROUP, SampleAccessRule


@pytest.fixture
def people_and_documents(users, sample_plugin):
    """Users of every kind, one entitled by a plugin's rule (the sample plugin's), and documents
    of every level."""
    customer, group = users["customer_org"], users["customer_group"]
    inactive = make_user("t-batch-inactive")
    Membership.objects.create(user=inactive, organization=customer)
    inactive.is_active = False
    inactive.save()
    unapproved = make_user("t-batch-unapproved")
    Membership.objects.create(user=unapproved, organization=customer, approved=False)
    granted, expired = make_user("t-batch-granted"), make_user("t-batch-expired")
    by_rule = make_user("t-batch-rule", groups=[EXTRA_ENTITLED_GROUP])
    documents = {
        "public": factories.document("public"),
        "signed_in": factories.document("signed_in"),
        "nda": factories.document("nda"),
        "listed": factories.document("restricted", listed=True),
        "organization": factories.document("restricted", organizations=[customer]),
        "group": factories.document("restricted", groups=[group]),
        "other": factories.document("restricted", organizations=[users["other_org_obj"]]),
        "requested": factories.document("restricted"),
        "draft": factories.document("public", publish=False),
    }
    AccessRequest.objects.create(
        user=granted, document=documents["requested"], reason="audit", status="approved"
    )
    AccessRequest.objects.create(
        user=expired,
        document=documents["requested"],
        reason="audit",
        status="approved",
        expires_at=timezone.now() - timedelta(days=1),
    )
    names = ("personal", "personal_nda", "member", "member_nda", "other_org", "group_member")
    people = [users[name] for name in names] + [inactive, unapproved, granted, expired, by_rule]
    return people, documents


def one_by_one(people, ids) -> dict:
    return {
        person.pk: set(
            policy.visible_documents(person).filter(pk__in=ids).values_list("pk", flat=True)
        )
        for person in people
    }


@pytest.mark.django_db
def test_the_batch_answer_is_the_answer_user_by_user(people_and_documents):
    people, documents = people_and_documents
    ids = [document.pk for document in documents.values()]
    batch = policy.visible_document_ids_by_user(people, ids)
    assert batch == one_by_one(people, ids)
    # The cases are really there: each restricted path opens to its own reader only.
    by_name = {person.username: batch[person.pk] for person in people}
    assert documents["organization"].pk in by_name["t-member"]
    assert documents["organization"].pk not in by_name["t-batch-unapproved"]
    assert documents["group"].pk in by_name["t-group"]
    assert documents["requested"].pk in by_name["t-batch-granted"]
    assert documents["requested"].pk not in by_name["t-batch-expired"]
    assert documents["other"].pk in by_name["t-batch-rule"]
    # A deactivated account is nobody: what anyone may see, nothing restricted.
    assert by_name["t-batch-inactive"] == by_name["t-personal"]
    assert documents["draft"].pk not in set().union(*batch.values())


@pytest.mark.django_db
def test_a_rule_without_a_batch_answer_is_asked_user_by_user(people_and_documents):
    people, documents = people_and_documents
    restricted = [documents[name].pk for name in ("organization", "group", "other")]
    rule = SampleAccessRule()
    assert AccessRule.restricted_visible_pairs(rule, people, restricted) == (
        rule.restricted_visible_pairs(people, restricted)
    )


@pytest.mark.django_db
def test_the_batch_answer_takes_the_same_queries_for_3_or_11_users(people_and_documents):
    people, documents = people_and_documents
    ids = [document.pk for document in documents.values()]

    def queries(group) -> int:
        with CaptureQueriesContext(connection) as context:
            policy.visible_document_ids_by_user(group, ids)
        return len(context.captured_queries)

    assert queries(people[:3]) == queries(people)
