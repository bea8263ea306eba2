"""The admin's choosers answer a search, for every translatable snippet (a category, a term, a
document, a version): they filter by language, which the search index must allow."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

CHOOSABLE = [
    "category",
    "standard",
    "service",
    "region",
    "industry",
    "trustdocument",
    "documentversion",
]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin", "editor"])
@pytest.mark.parametrize("model", CHOOSABLE)
def test_a_chooser_answers_a_search_in_one_language(demo_users, who, model):
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username=who))
    for url in (
        f"/admin/snippets/choose/cms/{model}/?q=soc",
        f"/admin/snippets/choose/cms/{model}/results/?q=soc&locale=en",
    ):
        assert client.get(url).status_code == 200, url
