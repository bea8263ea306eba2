"""The Elasticsearch query matches each document on what its reader may read of it: titles of
all, summary and terms of the described, file text of the readable; each document in its
widest tier alone, excluded words included. Query shapes only (no server needed); the live
tests in tests/test_search_elasticsearch.py run them against a server when one is configured."""

from __future__ import annotations

import pytest

from search.backends.elasticsearch import (
    DESCRIBED_FIELDS,
    TEXT_FIELDS,
    TITLE_FIELDS,
    ElasticsearchBackend,
    described_filter,
    readable_filter,
)


def text_clause(user, text: str) -> dict:
    query = ElasticsearchBackend().build_search(user, text, {}).to_dict()
    [clause] = query["query"]["bool"]["must"]
    return clause["bool"]


def tiers(user, text: str) -> list[dict]:
    clause = text_clause(user, text)
    assert clause["minimum_should_match"] == 1
    return [tier["bool"] for tier in clause["should"]]


def searched(tier: dict) -> dict:
    [match] = tier["must"]
    return match["simple_query_string"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "member", "member_nda", "other_org"])
def test_each_tier_reads_its_own_fields_for_its_own_documents(users, who):
    user = users[who]
    title, described, readable = tiers(user, "quill -secret")
    described_q = described_filter(user).to_dict()
    readable_q = readable_filter(user).to_dict()

    assert searched(title)["fields"] == TITLE_FIELDS
    assert title["must_not"] == [described_q]  # titles alone for what is not described

    assert searched(described)["fields"] == DESCRIBED_FIELDS
    assert "file_text" not in DESCRIBED_FIELDS
    assert described["filter"] == [described_q]
    assert described["must_not"] == [readable_q]

    assert searched(readable)["fields"] == TEXT_FIELDS
    assert readable["filter"] == [readable_q]
    # The excluded word is looked for in each tier's own fields only.
    for tier in (title, described, readable):
        assert searched(tier)["query"] == '("quill") -"secret"'


def levels_in(readable: dict) -> list[str]:
    [by_level] = [c["terms"]["access_level"] for c in readable["bool"]["should"] if "terms" in c]
    return by_level


@pytest.mark.django_db
def test_files_are_readable_by_level_and_restricted_ones_by_entitlement(users):
    anonymous = readable_filter(None).to_dict()
    assert levels_in(anonymous) == ["public"]
    assert len(anonymous["bool"]["should"]) == 1  # no restricted file for anonymous

    member = readable_filter(users["member"]).to_dict()  # NDA not accepted
    assert "nda" not in levels_in(member)
    member_nda = readable_filter(users["member_nda"]).to_dict()
    assert "nda" in levels_in(member_nda) and "restricted" not in levels_in(member_nda)
    restricted = [c for c in member_nda["bool"]["should"] if "terms" not in c]
    [entitled] = restricted
    level, entitlement = entitled["bool"]["filter"]
    assert level == {"term": {"access_level": "restricted"}}
    organization = users["customer_org"].pk  # member_nda's
    assert {"term": {"entitled_organizations": organization}} in entitlement["bool"]["should"]


@pytest.mark.django_db
def test_summaries_of_restricted_documents_are_described_to_the_entitled_only(users):
    anonymous = described_filter(None).to_dict()["bool"]["should"]
    assert anonymous == [{"bool": {"must_not": [{"term": {"access_level": "restricted"}}]}}]
    other = described_filter(users["other_org"]).to_dict()["bool"]["should"]
    assert len(other) > 1  # their organization's entitlement describes restricted documents


@pytest.mark.django_db
def test_only_titles_are_highlighted():
    query = ElasticsearchBackend().build_search(None, "quill", {}).to_dict()
    assert set(query["highlight"]["fields"]) == {"title"}
