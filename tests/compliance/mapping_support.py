"""Mapping files written in tests, and counts of what an import stored (the mapping tests')."""

from __future__ import annotations

import json
import uuid

from plugins.compliance_manager.models import (
    ControlMap,
    MappedControl,
    MappingCollection,
)
from plugins.compliance_manager.scoring import summarize_assessment

LOW_FILE = "NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json"


# --- building mapping files ----------------------------------------------------------------------


def oscal_mapping(maps, source_href, target_href, collection_uuid=None, back_matter=None) -> bytes:
    """An OSCAL mapping collection; ``maps`` are (relationship, source ids, target ids)."""
    collection = {
        "uuid": str(collection_uuid or uuid.uuid4()),
        "metadata": {
            "title": "Test mapping",
            "last-modified": "2026-12-07T00:00:00Z",
            "version": "1",
            "oscal-version": "1.2.0",
        },
        "provenance": {"method": "human", "matching-rationale": "semantic", "status": "complete"},
        "mappings": [
            {
                "uuid": str(uuid.uuid4()),
                "source-resource": {"type": "catalog", "href": source_href},
                "target-resource": {"type": "catalog", "href": target_href},
                "maps": [
                    {
                        "uuid": str(uuid.uuid4()),
                        "relationship": relationship,
                        "sources": [{"type": "control", "id-ref": i} for i in sources],
                        "targets": [{"type": "control", "id-ref": i} for i in targets],
                    }
                    for relationship, sources, targets in maps
                ],
            }
        ],
    }
    if back_matter is not None:
        collection["back-matter"] = back_matter
    return json.dumps({"mapping-collection": collection}).encode()


def csv_mapping(
    *rows: str, header="source_catalog,source_control,target_catalog,target_control,relationship"
) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def mapping_tables() -> tuple[int, int, int]:
    return (
        MappingCollection.objects.count(),
        ControlMap.objects.count(),
        MappedControl.objects.count(),
    )


def done(item, implementation="implemented", testing="passed"):
    item.implementation_status, item.testing_status = implementation, testing
    item.save()
    return item


def control_summary(assessment, oscal_id):
    return next(c for c in summarize_assessment(assessment).controls if c.oscal_id == oscal_id)


def privacy_file() -> str:
    return LOW_FILE.replace("LOW", "PRIVACY")
