"""Bulk seeding for the benchmarks: many source-locale documents in a few statements.

Rows are written with ``bulk_create`` (no ``save()``, so no signals and no search entries: the
benchmark builds the index with ``rebuild_search_index`` afterwards). Everything is drawn from
``random.Random(seed)`` so two runs seed the same portal.

Titles and summaries come from a vocabulary of made-up words picked with a Zipf-like weight, so
the first words of the vocabulary are in most documents and the last in a handful.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

VOCABULARY_SIZE = 3000
BATCH_SIZE = 2000
#: How many terms of each taxonomy the portal has, and how many a document carries (min, max).
TAXONOMY = {
    "services": (30, 1, 3),
    "standards": (20, 1, 3),
    "regions": (15, 1, 2),
    "industries": (10, 0, 2),
}
#: The API's filter parameter of each relation.
FILTER_OF = {
    "services": "service",
    "standards": "standard",
    "regions": "region",
    "industries": "industry",
}
CATEGORIES_PER_SECTION = 4
ACCESS_LEVELS = [("public", 40), ("signed_in", 25), ("nda", 25), ("restricted", 10)]
SPAN_DAYS = 3 * 365
_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]


@dataclass
class Seeded:
    documents: int
    vocabulary: list[str]
    #: Taxonomy slugs by filter parameter ("service", "standard", ...).
    slugs: dict[str, list[str]]
    #: The organization a fifth of the restricted documents are entitled to.
    organization_id: int


def make_vocabulary(rng: random.Random, size: int = VOCABULARY_SIZE) -> list[str]:
    """Distinct pronounceable non-words of 3 to 4 syllables (no stop word, no English stem)."""
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < size:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(3, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def _term_rows(model, prefix: str, count: int, locale, **extra):
    return [
        model(
            name=f"{prefix.title()} {i}",
            slug=f"{prefix}-{i}",
            sort_order=i,
            locale=locale,
            translation_key=uuid.uuid4(),
            **extra,
        )
        for i in range(count)
    ]


def seed(documents: int, seed_value: int = 42, log=print) -> Seeded:
    from django.db import transaction
    from wagtail.models import Locale

    from cms.models import (
        Category,
        DocumentVersion,
        Industry,
        Organization,
        Region,
        Section,
        Service,
        Standard,
        TrustDocument,
    )

    rng = random.Random(seed_value)
    locale = Locale.get_default()
    vocabulary = make_vocabulary(rng)
    # Zipf-like: the word of rank r is drawn with weight 1/r.
    cumulative = []
    total = 0.0
    for rank in range(1, len(vocabulary) + 1):
        total += 1.0 / rank
        cumulative.append(total)

    def words(low: int, high: int) -> str:
        return " ".join(rng.choices(vocabulary, cum_weights=cumulative, k=rng.randint(low, high)))

    models = {"services": Service, "standards": Standard, "regions": Region, "industries": Industry}
    with transaction.atomic():
        Category.objects.bulk_create(
            [
                row
                for section in Section.values
                for row in _term_rows(
                    Category, f"{section}-kind", CATEGORIES_PER_SECTION, locale, section=section
                )
            ]
        )
        for name, model in models.items():
            model.objects.bulk_create(_term_rows(model, FILTER_OF[name], TAXONOMY[name][0], locale))
        categories = list(Category.objects.filter(locale=locale))
        terms = {name: list(model.objects.filter(locale=locale)) for name, model in models.items()}

        customer = Organization.objects.create(name="Bench Customer", slug="bench-customer")
        levels = [level for level, _weight in ACCESS_LEVELS]
        level_weights = [weight for _level, weight in ACCESS_LEVELS]
        now = datetime.now(UTC)
        today = date.today()
        for start in range(0, documents, BATCH_SIZE):
            count = min(BATCH_SIZE, documents - start)
            rows = []
            for i in range(start, start + count):
                level = rng.choices(levels, weights=level_weights)[0]
                rows.append(
                    TrustDocument(
                        title=words(3, 8).capitalize(),
                        slug=f"bench-document-{i}",
                        summary=words(20, 45).capitalize() + ".",
                        category=rng.choice(categories),
                        language="en",
                        access_level=level,
                        restricted_listed=level == "restricted" and rng.random() < 0.5,
                        locale=locale,
                        translation_key=uuid.uuid4(),
                        live=True,
                        has_unpublished_changes=False,
                        first_published_at=now,
                        last_published_at=now,
                    )
                )
            TrustDocument.objects.bulk_create(rows)
            pk_of = dict(
                TrustDocument.objects.filter(
                    slug__in=[row.slug for row in rows], locale=locale
                ).values_list("slug", "pk")
            )
            ids = [pk_of[row.slug] for row in rows]
            # A fifth of the restricted documents are entitled to the customer organization.
            entitled = TrustDocument.restricted_organizations.through
            entitled.objects.bulk_create(
                [
                    entitled(trustdocument_id=pk, organization_id=customer.pk)
                    for pk, row in zip(ids, rows, strict=True)
                    if row.access_level == "restricted" and rng.random() < 0.2
                ]
            )
            for name, (_count, low, high) in TAXONOMY.items():
                through = getattr(TrustDocument, name).through
                column = f"{models[name]._meta.model_name}_id"
                links = [
                    through(trustdocument_id=pk, **{column: term.pk})
                    for pk in ids
                    for term in rng.sample(terms[name], rng.randint(low, high))
                ]
                through.objects.bulk_create(links, batch_size=BATCH_SIZE)
            DocumentVersion.objects.bulk_create(
                [
                    DocumentVersion(
                        document_id=pk,
                        version_label=str(rng.randint(2019, 2026)),
                        published_on=today - timedelta(days=rng.randrange(SPAN_DAYS)),
                        change_description=words(5, 12).capitalize() + ".",
                        locale=locale,
                        translation_key=uuid.uuid4(),
                        live=True,
                        has_unpublished_changes=False,
                        first_published_at=now,
                        last_published_at=now,
                    )
                    for pk in ids
                ],
                batch_size=BATCH_SIZE,
            )
            log(f"\rseeded {start + count}/{documents}", end="")
        log("")
    return Seeded(
        organization_id=customer.pk,
        documents=documents,
        vocabulary=vocabulary,
        slugs={
            "category": [c.slug for c in categories],
            **{FILTER_OF[name]: [t.slug for t in rows] for name, rows in terms.items()},
        },
    )
