"""Search answers only from what its reader may read: a word that appears only in a gated file
or in the summary of a listed restricted document finds nothing, counts nothing and excludes
nothing for a reader who may not read it, on the reader site and in the API.

Before, any reader who could see a title found the document by words of its summary or file:
guessing words read gated content one word at a time.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.base import ContentFile

from cms.access import policy
from cms.models import AccessLevel, TrustDocument, VersionFile
from sites.demo.pdf import render_document_pdf
from tests import factories
from tests.helpers import client_for

API = "/api/v3/trust-documents/"
#: Words found nowhere else in the test data, nor in the demo in any of its languages (a word
#: shared with the demo makes a demo document a match: "assurance" stems like French "assure").
IN_NDA_TITLE = "Velmorant pack"
IN_NDA_FILE = "zanzibarite"
IN_RESTRICTED_SUMMARY = "quillworting"
IN_PUBLIC_FILE = "marmalitic"

#: Who finds the NDA document by a word of its file, and the restricted one by its summary.
READERS = {
    "anonymous": (False, False),
    "personal": (False, False),
    "member": (False, False),  # a member who has not accepted the NDA
    "member_nda": (True, False),
    "other_org": (True, True),  # accepted the NDA; their organization is entitled
}


def with_file_text(document, text: str) -> None:
    version = document.versions.get()
    pdf = render_document_pdf("Body", "1", date(2026, 1, 1), text, "")
    VersionFile.objects.filter(version=version).delete()
    VersionFile.objects.create(version=version, language="en", file=ContentFile(pdf, "f.pdf"))


@pytest.fixture
def gated(users):
    category = factories.category(section="audit-reports")
    nda = factories.document("nda", title=IN_NDA_TITLE, category_obj=category)
    with_file_text(nda, f"The {IN_NDA_FILE} control is tested yearly.")
    restricted = factories.document(
        "restricted",
        title="Harbor assessment",
        category_obj=category,
        listed=True,
        organizations=[users["other_org_obj"]],
    )
    restricted.summary = f"Findings on {IN_RESTRICTED_SUMMARY} in the harbor."
    restricted.save_revision().publish()
    public = factories.document("public", title="Open paper", category_obj=category)
    with_file_text(public, f"A {IN_PUBLIC_FILE} sentence.")
    return {"nda": nda, "restricted": restricted, "public": public, "category": category}


def api_search(user, q: str) -> dict:
    response = client_for(user).get(API, {"q": q})
    assert response.status_code == 200
    return response.json()


def page_search(user, q: str) -> str:
    response = client_for(user).get("/en/search/", {"q": q})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("reader", list(READERS))
def test_a_word_is_found_only_by_readers_who_may_read_where_it_is(gated, users, reader):
    user = users[reader]
    finds_file_word, finds_summary_word = READERS[reader]
    category = gated["category"].slug

    # A positive control: file text is searched, for everyone when the file is public.
    answer = api_search(user, IN_PUBLIC_FILE)
    assert [item["slug"] for item in answer["items"]] == [gated["public"].slug]

    answer = api_search(user, IN_NDA_FILE)
    expected = [gated["nda"].slug] if finds_file_word else []
    assert [item["slug"] for item in answer["items"]] == expected
    assert answer["count"] == len(expected)
    assert answer["facets"]["category"].get(category, 0) == len(expected)
    page = page_search(user, IN_NDA_FILE)
    assert (IN_NDA_TITLE in page) is finds_file_word

    answer = api_search(user, IN_RESTRICTED_SUMMARY)
    expected = [gated["restricted"].slug] if finds_summary_word else []
    assert [item["slug"] for item in answer["items"]] == expected
    assert answer["facets"]["category"].get(category, 0) == len(expected)
    page = page_search(user, IN_RESTRICTED_SUMMARY)
    assert ("Harbor assessment" in page) is finds_summary_word


@pytest.mark.django_db
@pytest.mark.parametrize("reader", list(READERS))
def test_excluding_a_word_the_reader_may_not_read_excludes_nothing(gated, users, reader):
    """``-word`` must not become the oracle: a document disappearing from "title -word" would
    tell that the word is in its file."""
    user = users[reader]
    finds_file_word, finds_summary_word = READERS[reader]
    # A positive control: the title word alone finds the document for every reader.
    answer = api_search(user, "velmorant")
    assert [item["slug"] for item in answer["items"]] == [gated["nda"].slug]
    answer = api_search(user, f"velmorant -{IN_NDA_FILE}")
    expected = [] if finds_file_word else [gated["nda"].slug]
    assert [item["slug"] for item in answer["items"]] == expected
    answer = api_search(user, f"harbor -{IN_RESTRICTED_SUMMARY}")
    expected = [] if finds_summary_word else [gated["restricted"].slug]
    assert [item["slug"] for item in answer["items"]] == expected


@pytest.mark.django_db
def test_the_title_of_a_listed_restricted_document_is_found_by_everyone(gated, users):
    for reader in READERS:
        answer = api_search(users[reader], "harbor assessment")
        assert [item["slug"] for item in answer["items"]] == [gated["restricted"].slug]


@pytest.mark.django_db
def test_the_order_of_results_does_not_depend_on_words_the_reader_may_not_read(gated, users):
    """Two documents with the same title: the one whose gated file also holds the word must
    not rank first for a reader who may not read that file (its title and summary tie)."""
    category = gated["category"]
    first = factories.document("nda", title="Kestrel report", category_obj=category)
    second = factories.document("nda", title="Kestrel report", category_obj=category)
    for document in (first, second):
        document.summary = "Same summary."
        document.save_revision().publish()
    with_file_text(second, "kestrel " * 50)
    # Ties are ordered by title, then id: without the file, ``first`` comes first.
    anonymous = [item["slug"] for item in api_search(None, "kestrel")["items"]]
    assert anonymous == [first.slug, second.slug]
    entitled = [item["slug"] for item in api_search(users["member_nda"], "kestrel")["items"]]
    assert entitled == [second.slug, first.slug]


@pytest.mark.django_db
@pytest.mark.parametrize("reader", [*READERS, "personal_nda", "group_member"])
def test_the_rights_row_conditions_are_the_policys_document_sets(gated, users, reader):
    # Search asks the reader's rights of each row (ReadingRights.describes, reads): the same
    # documents as the policy's own sets, for the reader and for what readers share.
    for level in AccessLevel.values:
        factories.document(level, title=f"Rights {level}")
        factories.document(level, title=f"Rights listed {level}", listed=True)
    user = users[reader]
    documents = TrustDocument.objects.all()

    def ids(queryset) -> set[int]:
        return set(queryset.values_list("pk", flat=True))

    # The reader's own, against the policy's answers made another way: its batch answer for
    # e-mails, and the level check of a download, document by document.
    own = policy.reading_rights(user)
    live = documents.filter(live=True)
    if user is None:
        described = ids(live.exclude(access_level=AccessLevel.RESTRICTED))
    else:
        batch = policy.visible_document_ids_by_user([user], ids(live), described=True)
        described = batch[user.pk]
    visible = policy.visible_documents(user)
    readable = {d.pk for d in visible if policy.can_access_level(user, d)}
    assert ids(documents.filter(own.describes)) == described
    assert ids(documents.filter(own.reads)) == readable
    assert readable and described  # neither side is empty here
    unrestricted = documents.exclude(access_level=AccessLevel.RESTRICTED)
    shared, levels = policy.unrestricted_reading_rights(user)
    assert ids(documents.filter(shared.describes)) == ids(unrestricted)
    assert ids(documents.filter(shared.reads)) == ids(unrestricted.filter(access_level__in=levels))
    title_only = policy.title_only_rights()
    assert ids(documents.filter(title_only.describes)) == ids(unrestricted)
    assert ids(documents.filter(title_only.reads)) == ids(unrestricted)
