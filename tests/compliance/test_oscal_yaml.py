"""OSCAL YAML imports like OSCAL JSON: the LOW baseline as YAML gives exactly the controls of
the JSON; the format is told by the file's extension or its content; malformed or hostile YAML
(aliases, foreign tags, deep nesting) is refused with a one-line message and nothing changed."""

from __future__ import annotations

import json
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from plugins.compliance_manager.models import (
    Control,
    ControlFamily,
    ControlSubgroup,
    ImprovementAction,
    Template,
)
from plugins.compliance_manager.oscal.importing import import_bytes, import_file
from plugins.compliance_manager.oscal.loading import load_document
from plugins.compliance_manager.oscal.parsing import OscalError

from .test_oscal_import import LOW, SHARED_DATA, data_file

LOW_YAML = SHARED_DATA / "NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.yaml"
pytestmark = pytest.mark.skipif(not LOW_YAML.exists(), reason="shared OSCAL data not present")

LOW_UUID = "0470d39a-3e02-4bff-82cf-676d522c1554"
YAML_COPY_UUID = "1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b"
#: What a control is, as imported: compared between the YAML and the JSON import.
COMPARED = (
    "oscal_id",
    "label",
    "title",
    "statement",
    "guidance",
    "parameters",
    "withdrawn",
    "withdrawn_to",
    "sort_order",
    "family__oscal_id",
    "family__title",
    "parent__oscal_id",
)


def table_sizes() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Template, ControlFamily, ControlSubgroup, Control, ImprovementAction)
    )


def controls_of(template: Template) -> list[tuple]:
    return list(template.controls.order_by("sort_order").values_list(*COMPARED))


def yaml_copy() -> bytes:
    """The LOW baseline's YAML as a template of its own (only its uuid changed)."""
    raw = LOW_YAML.read_bytes()
    assert raw.count(LOW_UUID.encode()) == 1
    return raw.replace(LOW_UUID.encode(), YAML_COPY_UUID.encode())


@pytest.mark.django_db
def test_the_low_baseline_in_yaml_imports_to_the_same_controls_as_in_json(cm):
    json_template = cm.low
    before = table_sizes()
    # The same catalog (same uuid) in YAML over the JSON import: nothing to change.
    again = import_file(LOW_YAML)
    assert again.template == json_template and again.summary().startswith("Unchanged:")
    assert (again.controls_unchanged, again.controls_updated, again.controls_created) == (149, 0, 0)
    assert table_sizes() == before

    # And as a template of its own: control for control, the same as the JSON's.
    report = import_bytes(yaml_copy(), LOW_YAML.name)
    yaml_template = report.template
    assert yaml_template != json_template
    assert (report.controls_total, report.top_level_controls) == (149, 131)
    assert yaml_template.families.count() == json_template.families.count() == 18
    assert controls_of(yaml_template) == controls_of(json_template)
    for oscal_id in ("ac-2", "au-6", "ia-2.1", "sr-12"):
        from_yaml = yaml_template.controls.get(oscal_id=oscal_id)
        from_json = json_template.controls.get(oscal_id=oscal_id)
        assert (from_yaml.label, from_yaml.title) == (from_json.label, from_json.title)
        assert from_yaml.statement == from_json.statement and from_yaml.statement
        assert from_yaml.parameters == from_json.parameters
    ac_2 = yaml_template.controls.get(oscal_id="ac-2")
    assert ac_2.title == "Account Management" and "[Assignment: " in ac_2.statement
    assert ac_2.improvement_actions.get().title == "Implement AC-2: Account Management"


@pytest.mark.django_db
def test_the_command_imports_yaml(tmp_path, cm):
    path = tmp_path / "low-copy.yml"
    path.write_bytes(yaml_copy())
    out = StringIO()
    call_command("import_oscal", str(path), "--no-progress", stdout=out)
    assert "Created template" in out.getvalue()
    assert "149 controls (131 top-level) in 18 families" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["catalog", "catalog.txt", "CATALOG.YAML"])
def test_yaml_is_recognised_by_content_when_the_name_does_not_say(name, cm):
    report = import_bytes(yaml_copy(), name)
    assert report.controls_total == 149 and report.template_created


def test_json_is_recognised_by_content_too():
    raw = data_file(LOW).read_bytes()
    assert load_document(raw, "catalog") == json.loads(raw)
    assert load_document(b"\xef\xbb\xbf  " + raw, "catalog.oscal") == json.loads(raw)


def test_yaml_reads_as_json_would():
    """Timestamps stay text, as in JSON, so both forms of one catalog give the same data."""
    data = load_document(b"a: 2024-02-13T17:43:40Z\nb: 2024-02-13\nc: !!str 5\nd: 5\n", "x.yaml")
    assert data == {"a": "2024-02-13T17:43:40Z", "b": "2024-02-13", "c": "5", "d": 5}


BILLION_LAUGHS = b"""catalog: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""

#: case -> (the file's bytes, what the message must say)
MALFORMED_YAML = {
    "a syntax error": (b"catalog:\n  uuid: [unclosed\n  metadata: {}\n", "not valid YAML (line"),
    "a tab for indentation": (b"catalog:\n\tuuid: x\n", "not valid YAML (line 2"),
    "two documents": (b"catalog: {}\n---\ncatalog: {}\n", "expected a single document"),
    "billion laughs": (BILLION_LAUGHS, "uses an alias (“*a”, line 2"),
    "a python object": (
        b"catalog: !!python/object/apply:os.system ['echo hacked']\n",
        "uses the tag “tag:yaml.org,2002:python/object/apply:os.system”",
    ),
    "a set": (b"catalog: !!set {a, b}\n", "uses the tag “tag:yaml.org,2002:set”"),
    "nested 300 deep": (b"catalog: " + b"[" * 300 + b"]" * 300, "nests more than 200 levels"),
    "a list at the top": (b"- catalog\n- profile\n", "top level must be a YAML mapping"),
    "empty": (b"# nothing here\n", "top level must be a YAML mapping"),
    "not utf-8": (b"catalog:\n  title: caf\xe9\n", "not UTF-8"),
    "a profile": (b"profile:\n  uuid: x\n", "OSCAL profile"),
    "a catalog without controls": (
        f"catalog:\n  uuid: {YAML_COPY_UUID}\n  metadata:\n    title: Empty\n".encode(),
        "holds no controls",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", MALFORMED_YAML)
def test_malformed_yaml_is_refused_in_one_line_and_changes_nothing(case, tmp_path, cm):
    raw, problem = MALFORMED_YAML[case]
    before = table_sizes()
    started = time.monotonic()
    with pytest.raises(OscalError) as error:
        import_bytes(raw, "bad.yaml")
    assert time.monotonic() - started < 5  # refused before anything expands
    message = str(error.value)
    assert problem in message
    assert "\n" not in message
    assert table_sizes() == before
    path = tmp_path / "bad.yaml"
    path.write_bytes(raw)
    with pytest.raises(CommandError) as refused:
        call_command("import_oscal", str(path), "--no-progress", stdout=StringIO())
    assert str(refused.value) == f"{path}: {message} Nothing was changed."
    assert table_sizes() == before


@pytest.mark.django_db
def test_yaml_broken_half_way_through_a_real_catalog_changes_nothing(cm):
    raw = yaml_copy()
    cut = raw.index(b"- id: au-6")
    broken = raw[:cut] + b"- id: au-6\n   title: [oops\n" + raw[cut:]
    before = table_sizes()
    with pytest.raises(OscalError, match=r"not valid YAML \(line \d+, column \d+"):
        import_bytes(broken, "low.yaml")
    assert table_sizes() == before
