"""Mappings between frameworks, imported: OSCAL mapping collections and CSV files between two
templates, idempotent and all or nothing; malformed files refused with their problem named.
The credit they give: test_mapping_credit.py."""

from __future__ import annotations

import json
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from plugins.compliance_manager.models import (
    ControlMap,
    MappedControl,
    MappingCollection,
    MapSide,
)
from plugins.compliance_manager.oscal import BUILTIN_MAPPINGS
from plugins.compliance_manager.oscal.mapping_importing import (
    import_mapping_bytes,
    import_mapping_file,
)
from plugins.compliance_manager.oscal.mapping_parsing import CSV_NAMESPACE, MappingError

from .mapping_support import LOW_FILE, csv_mapping, mapping_tables, oscal_mapping, privacy_file

# --- import --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_shipped_mapping_joins_the_baselines_shared_controls_and_reimports_unchanged(cm):
    path = BUILTIN_MAPPINGS[0]
    data = json.loads(path.read_text())["mapping-collection"]
    assert "**our own making**" in " ".join((path.parent / "README.md").read_text().split())
    assert "not published by NIST" in data["metadata"]["remarks"]
    before = mapping_tables()
    pks = set(ControlMap.objects.values_list("pk", flat=True))
    report = import_mapping_file(path)
    assert (report.created, report.changed) == (False, False)
    assert report.summary().startswith("Unchanged:")
    assert mapping_tables() == before
    assert set(ControlMap.objects.values_list("pk", flat=True)) == pks
    out = StringIO()
    call_command("import_control_mapping", "--builtin", stdout=out)
    assert out.getvalue().startswith("Unchanged: mapping collection “SP 800-53 rev5 LOW and")
    assert "45 maps (45 from “NIST Special Publication 800-53 Revision 5.1.1 LOW" in out.getvalue()
    collection = report.collection
    maps = list(collection.maps.prefetch_related("members__control__template"))
    expected = [m["sources"][0]["id-ref"] for m in data["mappings"][0]["maps"]]
    assert len(maps) == len(expected) == 45
    for control_map, oscal_id in zip(maps, expected, strict=True):
        (source,) = [m.control for m in control_map.members.all() if m.side == MapSide.SOURCE]
        (target,) = [m.control for m in control_map.members.all() if m.side == MapSide.TARGET]
        assert control_map.relationship == "equal-to"
        assert (source.template, source.oscal_id) == (cm.low, oscal_id)
        assert (target.template, target.oscal_id) == (cm.privacy, oscal_id)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "names",
    [
        # The catalog's file name, as the templates were imported from it.
        lambda w: (
            f"../{LOW_FILE}",
            "https://example.org/oscal/NIST_SP-800-53_rev5_PRIVACY-"
            "baseline-resolved-profile_catalog.json",
            None,
        ),
        # The templates' own UUIDs.
        lambda w: (f"urn:uuid:{w.low.oscal_uuid}", f"urn:uuid:{w.privacy.oscal_uuid}", None),
        # Back-matter resources, found by their titles.
        lambda w: (
            "#11111111-1111-4111-8111-111111111111",
            "#22222222-2222-4222-8222-222222222222",
            {
                "resources": [
                    {"uuid": "11111111-1111-4111-8111-111111111111", "title": w.low.title},
                    {"uuid": "22222222-2222-4222-8222-222222222222", "title": w.privacy.title},
                ]
            },
        ),
    ],
)
def test_an_oscal_mapping_finds_its_catalogs_by_file_name_uuid_or_back_matter(cm, names):
    source, target, back_matter = names(cm)
    raw = oscal_mapping(
        [("superset-of", ["at-2"], ["pt-2"]), ("intersects-with", ["ac-2"], ["pt-3", "pt-4"])],
        source,
        target,
        back_matter=back_matter,
    )
    report = import_mapping_bytes(raw, "test.json")
    assert report.created and report.maps == 2
    assert report.pairs == {(cm.low.title, cm.privacy.title): 2}
    first, second = report.collection.maps.all()
    assert first.relationship == "superset-of"
    sides = {(m.side, m.control.oscal_id) for m in second.members.select_related("control")}
    assert sides == {("source", "ac-2"), ("target", "pt-3"), ("target", "pt-4")}


@pytest.mark.django_db
def test_statement_maps_are_skipped_and_counted(cm):
    raw = json.loads(oscal_mapping([("equal-to", ["ac-1"], ["ac-1"])], LOW_FILE, "x"))
    maps = raw["mapping-collection"]["mappings"][0]["maps"]
    maps.append({**maps[0], "sources": [{"type": "statement", "id-ref": "ac-1_smt.a"}]})
    report = import_mapping_bytes(json.dumps(raw).encode(), "m.json", target_template=cm.privacy)
    assert (report.maps, report.statement_maps) == (1, 1)
    assert "1 maps between control statements skipped" in report.summary()


@pytest.mark.django_db
def test_csv_import_with_catalog_columns_and_with_the_command_options(cm):
    raw = csv_mapping(
        f"{cm.low.oscal_uuid},AC-1,{cm.privacy.title},pt-1,Equivalent to",
        f"{LOW_FILE},IA-2(1),{cm.privacy.oscal_uuid},PT-5(2),superset-of",
    )
    report = import_mapping_bytes(raw, "ours.csv")
    assert report.created and report.maps == 2
    # Labels and ids in any case find the catalog's ids ("IA-2(1)" is ia-2.1).
    found = {
        (m.control_map.relationship, m.side, m.control.oscal_id)
        for m in MappedControl.objects.filter(control_map__collection=report.collection)
    }
    assert found == {
        ("equivalent-to", "source", "ac-1"),
        ("equivalent-to", "target", "pt-1"),
        ("superset-of", "source", "ia-2.1"),
        ("superset-of", "target", "pt-5.2"),
    }
    # A CSV file has no UUID: its name identifies it.
    assert report.collection.oscal_uuid == uuid.uuid5(CSV_NAMESPACE, "ours.csv")


@pytest.mark.django_db
def test_the_command_imports_a_csv_file_between_named_templates(cm, tmp_path):
    path = tmp_path / "low-to-privacy.csv"
    path.write_bytes(
        csv_mapping(
            "at-2,pt-2,superset-of",
            "ac-3,ac-3,equal-to",
            header="source_control,target_control,relationship",
        )
    )
    out = StringIO()
    call_command(
        "import_control_mapping",
        str(path),
        "--source-template",
        str(cm.low.oscal_uuid),
        "--target-template",
        "NIST_SP-800-53_rev5_PRIVACY-baseline-resolved-profile_catalog.json",
        stdout=out,
    )
    assert out.getvalue().startswith("Created mapping collection “low-to-privacy.csv”: 2 maps")
    out = StringIO()
    call_command(
        "import_control_mapping",
        str(path),
        "--source-template",
        cm.low.title,
        "--target-template",
        cm.privacy.title,
        stdout=out,
    )
    assert out.getvalue().startswith("Unchanged: mapping collection")
    assert MappingCollection.objects.filter(title="low-to-privacy.csv").count() == 1


@pytest.mark.django_db
def test_reimporting_a_changed_file_replaces_its_maps_and_an_unchanged_one_keeps_them(cm):
    collection_uuid = uuid.uuid4()

    def load(maps):
        return import_mapping_bytes(
            oscal_mapping(maps, LOW_FILE, LOW_FILE.replace("LOW", "PRIVACY"), collection_uuid),
            "m.json",
        )

    first = load([("equal-to", ["at-2"], ["at-2"]), ("superset-of", ["at-3"], ["pt-2"])])
    pks = list(first.collection.maps.values_list("pk", flat=True))
    again = load([("equal-to", ["at-2"], ["at-2"]), ("superset-of", ["at-3"], ["pt-2"])])
    assert (again.created, again.changed) == (False, False)
    assert list(again.collection.maps.values_list("pk", flat=True)) == pks
    changed = load([("equal-to", ["at-2"], ["at-2"])])
    assert changed.changed and changed.summary().startswith("Updated")
    assert list(changed.collection.maps.values_list("relationship", flat=True)) == ["equal-to"]
    assert MappingCollection.objects.filter(oscal_uuid=collection_uuid).count() == 1


# --- malformed input -----------------------------------------------------------------------------


MALFORMED = [
    ("not json", b"{not json", "m.json", "not valid JSON"),
    ("a catalog", b'{"catalog": {}}', "m.json", "no top-level “mapping-collection”"),
    (
        "no mappings",
        json.dumps(
            {
                "mapping-collection": {
                    "uuid": str(uuid.uuid4()),
                    "metadata": {"title": "x"},
                    "mappings": [],
                }
            }
        ).encode(),
        "m.json",
        "has no “mappings”",
    ),
    (
        "bad uuid",
        json.dumps({"mapping-collection": {"uuid": "nope", "metadata": {"title": "x"}}}).encode(),
        "m.json",
        "no valid UUID",
    ),
    (
        "unknown relationship",
        oscal_mapping([("similar-to", ["ac-1"], ["ac-1"])], LOW_FILE, privacy_file()),
        "m.json",
        "Map 1 of mapping 1: unknown relationship “similar-to”",
    ),
    (
        "unknown control after a good map",
        oscal_mapping(
            [("equal-to", ["ac-1"], ["ac-1"]), ("equal-to", ["ac-99"], ["ac-1"])],
            LOW_FILE,
            privacy_file(),
        ),
        "m.json",
        "Map 2 of mapping 1: “NIST Special Publication 800-53 Revision 5.1.1 LOW IMPACT "
        "BASELINE” has no control “ac-99”.",
    ),
    (
        "unknown catalog",
        oscal_mapping([("equal-to", ["ac-1"], ["ac-1"])], "iso-27001.json", privacy_file()),
        "m.json",
        "the source catalog “iso-27001.json” is no imported template",
    ),
    (
        "one template on both sides",
        oscal_mapping([("equal-to", ["ac-1"], ["ac-2"])], LOW_FILE, LOW_FILE),
        "m.json",
        "a mapping joins two different templates",
    ),
    (
        "member of another type",
        oscal_mapping([("equal-to", ["ac-1"], ["ac-1"])], LOW_FILE, privacy_file()).replace(
            b'"type": "control", "id-ref": "ac-1"}]}]', b'"type": "group", "id-ref": "ac-1"}]}]'
        ),
        "m.json",
        "of type “group”",
    ),
    (
        "conflicting maps",
        oscal_mapping(
            [("equal-to", ["at-2"], ["at-2"]), ("subset-of", ["at-2"], ["at-2"])],
            LOW_FILE,
            privacy_file(),
        ),
        "m.json",
        "Map 2 of mapping 1 maps the same controls as map 1 of mapping 1",
    ),
    ("empty csv", b"", "m.csv", "The CSV file is empty"),
    (
        "csv without a column",
        b"source_control,target_control\nac-1,ac-1\n",
        "m.csv",
        "missing: relationship",
    ),
    (
        "csv with an unknown column",
        b"source_control,target_control,relationship,weight\nac-1,ac-1,equal-to,3\n",
        "m.csv",
        "unknown: weight",
    ),
    (
        "csv unknown relationship",
        csv_mapping(f"{LOW_FILE},ac-1,{privacy_file()},ac-1,maps to"),
        "m.csv",
        "Row 2: unknown relationship “maps to”",
    ),
    (
        "csv short row",
        csv_mapping(f"{LOW_FILE},ac-1,{privacy_file()},ac-1,equal-to", f"{LOW_FILE},ac-2"),
        "m.csv",
        "Row 3 has 2 cells, the header 5",
    ),
    (
        "csv without a catalog",
        csv_mapping(f"{LOW_FILE},ac-1,,ac-1,equal-to"),
        "m.csv",
        "Row 2 names no target catalog",
    ),
    ("csv not utf-8", "source_control;é".encode("latin-1"), "m.csv", "not UTF-8"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw, name, message", [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED]
)
def test_a_malformed_file_is_rejected_with_its_problem_named_and_nothing_changed(
    cm, raw, name, message
):
    before = mapping_tables()
    with pytest.raises(MappingError) as raised:
        import_mapping_bytes(raw, name)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
    assert mapping_tables() == before


@pytest.mark.django_db
def test_a_failed_reimport_keeps_the_collection_as_it_was(cm):
    collection_uuid = uuid.uuid4()
    good = oscal_mapping(
        [("equal-to", ["at-2"], ["at-2"])], LOW_FILE, privacy_file(), collection_uuid
    )
    collection = import_mapping_bytes(good, "m.json").collection
    maps = list(collection.maps.values_list("pk", "relationship"))
    bad = oscal_mapping(
        [("equal-to", ["at-3"], ["at-3"]), ("equal-to", ["nope"], ["at-2"])],
        LOW_FILE,
        privacy_file(),
        collection_uuid,
    )
    with pytest.raises(MappingError):
        import_mapping_bytes(bad, "m.json")
    assert list(collection.maps.values_list("pk", "relationship")) == maps


@pytest.mark.django_db
def test_the_command_says_what_is_wrong_in_one_line(cm, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_mapping(f"{LOW_FILE},ac-1,{privacy_file()},zz-9,equal-to"))
    with pytest.raises(CommandError) as raised:
        call_command("import_control_mapping", str(path))
    message = str(raised.value)
    assert message.endswith("has no control “zz-9”. Nothing was changed.")
    assert "\n" not in message
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_control_mapping", str(tmp_path / "missing.json"))
    with pytest.raises(CommandError, match="No imported template is called or identified by"):
        call_command("import_control_mapping", str(path), "--source-template", "ISO 27001")
