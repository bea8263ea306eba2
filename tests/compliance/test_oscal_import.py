"""Importing OSCAL catalogs: the NIST baselines' counts, idempotence, and malformed files
rejected whole."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from plugins.compliance_manager.models import Control, ControlFamily, ImprovementAction, Template
from plugins.compliance_manager.oscal import BUILTIN_CATALOGS
from plugins.compliance_manager.oscal.importing import import_bytes, import_file
from plugins.compliance_manager.oscal.parsing import OscalError
from plugins.compliance_manager.workflow import create_assessment

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "oscal"
LOW = "NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json"
PRIVACY = "NIST_SP-800-53_rev5_PRIVACY-baseline-resolved-profile_catalog.json"


def data_file(name: str) -> Path:
    """The shared data set when present, else the copy shipped with the plugin."""
    shared = SHARED_DATA / name
    return shared if shared.exists() else next(p for p in BUILTIN_CATALOGS if p.name == name)


def count_in_json(path: Path) -> tuple[int, int, int]:
    """(controls and enhancements, top-level controls, families), walking the raw JSON."""
    catalog = json.loads(path.read_text())["catalog"]

    def walk(controls):
        return sum(1 + walk(c.get("controls", [])) for c in controls)

    def groups(items):
        for group in items:
            yield group
            yield from groups(group.get("groups", []))

    with_controls = [g for g in groups(catalog.get("groups", [])) if g.get("controls")]
    # Families are the top groups with a control in them, however deep.
    families = [
        top for top in catalog.get("groups", []) if any(g.get("controls") for g in groups([top]))
    ]
    return (
        sum(walk(g["controls"]) for g in with_controls) + walk(catalog.get("controls", [])),
        sum(len(g["controls"]) for g in with_controls) + len(catalog.get("controls", [])),
        len(families),
    )


def template_counts(template: Template) -> tuple[int, int, int]:
    return (
        template.controls.count(),
        template.controls.filter(parent__isnull=True).count(),
        template.families.count(),
    )


def table_sizes() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Template, ControlFamily, Control, ImprovementAction)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, published, sample",
    [
        (LOW, (149, 131, 18), ("ac-2", "AC-2", "Account Management", "Access Control")),
        (
            PRIVACY,
            (102, 81, 16),
            (
                "pt-2",
                "PT-2",
                "Authority to Process Personally Identifiable Information",
                "Personally Identifiable Information Processing and Transparency",
            ),
        ),
    ],
)
def test_nist_baselines_import_with_their_published_counts(name, published, sample):
    path = data_file(name)
    report = import_file(path)
    assert template_counts(report.template) == count_in_json(path) == published
    assert report.controls_total == published[0] and report.top_level_controls == published[1]
    oscal_id, label, title, family = sample
    control = report.template.controls.get(oscal_id=oscal_id)
    assert (control.label, control.title, control.family.title) == (label, title, family)
    assert "[Assignment: " in control.statement  # parameters are named, not left as {{ insert }}
    assert "{{" not in control.statement
    enhancements = report.template.controls.filter(parent__isnull=False)
    assert all(e.oscal_id.startswith(e.parent.oscal_id + ".") for e in enhancements)


@pytest.mark.django_db
def test_import_is_idempotent_and_keeps_what_staff_attached():
    template = Template.objects.get(title__contains="LOW IMPACT")
    control = template.controls.get(oscal_id="ac-1")
    control.responsibility = "shared"
    control.implementation_description = "Provider side documented."
    control.save()
    before = table_sizes()
    report = import_file(data_file(LOW))
    assert not report.template_created
    assert (report.controls_created, report.controls_updated, report.actions_created) == (0, 0, 0)
    assert report.controls_unchanged == 149
    assert table_sizes() == before
    control.refresh_from_db()
    assert control.responsibility == "shared"
    assert control.implementation_description == "Provider side documented."


@pytest.fixture(scope="module")
def low_catalog() -> str:
    """The LOW baseline's JSON, read once for the module (when a test asks for it, not when
    the tests are collected)."""
    return data_file(LOW).read_text()


@pytest.mark.django_db
def test_a_changed_title_is_updated_in_place(low_catalog):
    raw = json.loads(low_catalog)
    raw["catalog"]["groups"][0]["controls"][0]["title"] = "Policy and Procedures (revised)"
    report = import_bytes(json.dumps(raw).encode(), "revised.json")
    assert report.controls_updated == 1 and report.controls_created == 0
    assert report.template.controls.get(oscal_id="ac-1").title.endswith("(revised)")


def _broken(mutate):
    """The LOW baseline, under a new catalog uuid, changed by ``mutate``."""

    def build(low_catalog: str) -> bytes:
        raw = json.loads(low_catalog)
        raw["catalog"]["uuid"] = "6f0e1f7e-1111-4222-8333-944445555666"  # a new template, if any
        mutate(raw)
        return json.dumps(raw).encode()

    return build


def _drop_deep_title(raw):
    del raw["catalog"]["groups"][17]["controls"][-1]["title"]


def _duplicate_id(raw):
    raw["catalog"]["groups"][3]["controls"][0]["id"] = "ac-2"


def _duplicate_group_id(raw):
    raw["catalog"]["groups"][4]["id"] = raw["catalog"]["groups"][1]["id"]


def _groups_nested_too_deep(raw):
    group = raw["catalog"]["groups"][0]
    for depth in range(60):
        group["groups"] = [{"id": f"deep-{depth}", "title": f"Level {depth}"}]
        group = group["groups"][0]


def _id_too_long(raw):
    raw["catalog"]["groups"][2]["controls"][0]["id"] = "x" * 101


#: JSON nested far beyond Python's recursion limit (json.loads raises RecursionError).
DEEP_JSON = b'{"catalog": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

#: case -> (the file's bytes, or a function of the LOW baseline's JSON giving them; the
#: problem the error must name)
MALFORMED = {
    "not json": (b'{"catalog": ', "not valid JSON"),
    "not an object": (b"[1, 2]", "top level must be a JSON object"),
    "not oscal": (b'{"hello": "world"}', "no top-level “catalog”"),
    "a profile": (b'{"profile": {}}', "OSCAL profile"),
    "no uuid": (b'{"catalog": {"metadata": {"title": "x"}}}', "catalog.uuid"),
    "a control without title, last of all": (_broken(_drop_deep_title), "groups[17].controls"),
    "a duplicate control id": (_broken(_duplicate_id), "appears twice"),
    "not utf-8": (b'{"catalog": "\xc3\x28"}', "not UTF-8"),
    "JSON nested 100,000 deep": (DEEP_JSON, "nested too deeply"),
    "groups nested 60 deep": (_broken(_groups_nested_too_deep), "nested more than 50 levels"),
    "two groups with one id": (_broken(_duplicate_group_id), "group “at” appears twice"),
    "an id over 100 characters": (_broken(_id_too_long), "longer than 100 characters"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_file_is_rejected_with_its_problem_named_and_nothing_changed(
    case, tmp_path, low_catalog
):
    raw, problem = MALFORMED[case]
    if callable(raw):
        raw = raw(low_catalog)
    before = table_sizes()
    with pytest.raises(OscalError) as error:
        import_bytes(raw, "bad.json")
    assert problem in str(error.value)
    assert table_sizes() == before
    path = tmp_path / "bad.json"
    path.write_bytes(raw)
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("import_oscal", str(path), "--no-progress", stdout=StringIO())
    assert table_sizes() == before


@pytest.mark.django_db
def test_the_command_reports_what_it_did_with_a_progress_bar(capsys):
    out = StringIO()
    call_command("import_oscal", str(data_file(PRIVACY)), stdout=out)
    assert "102 controls (81 top-level) in 16 families" in out.getvalue()
    assert "0 new" in out.getvalue()
    bar = capsys.readouterr().err
    assert "[##############################] 102/102" in bar


@pytest.mark.django_db
def test_the_example_basic_catalog_imports_too():
    path = SHARED_DATA / "examples" / "basic-catalog.json"
    if not path.exists():
        pytest.skip("shared example data not present")
    report = import_file(path)
    assert template_counts(report.template) == count_in_json(path)
    assert report.controls_total > 0
    # Nested groups are a tree: the top groups are the families, the groups below sub-groups.
    assert list(report.template.families.values_list("oscal_id", flat=True)) == ["s1", "s2"]
    assert dict(report.template.subgroups.values_list("oscal_id", "family__oscal_id")) == {
        "s1.1": "s1",
        "s2.1": "s2",
    }
    assert not report.template.controls.filter(subgroup__isnull=True).exists()


@pytest.mark.django_db
def test_a_400_character_title_is_kept_whole_on_every_database(low_catalog, cm):
    """PostgreSQL refused such a title (DataError) where SQLite stored it: now it is text on
    both, and the derived action title is shortened visibly instead."""
    title = ("Very long control title " * 20)[:400]
    raw = json.loads(low_catalog)
    raw["catalog"]["uuid"] = "0d3f5a8e-2222-4333-8444-955556666777"
    raw["catalog"]["groups"][0]["title"] = title
    raw["catalog"]["groups"][0]["controls"][0]["title"] = title
    report = import_bytes(json.dumps(raw).encode(), "long-title.json")
    control = Control.objects.get(template=report.template, oscal_id="ac-1")
    assert (control.title, control.family.title) == (title, title)
    action = control.improvement_actions.get()
    assert len(action.title) == 300 and action.title.startswith("Implement AC-1: Very long")
    assert action.title.endswith("…")
    assessment = create_assessment(cm.organization, report.template, "Long", "Long titles", None)
    item = assessment.links.get(control=control).action_item
    assert item.title == action.title
    response = cm.client("reader").get(
        f"/en/compliance/assessments/{assessment.pk}/controls/{control.pk}/"
    )
    assert response.status_code == 200 and title in response.content.decode()
