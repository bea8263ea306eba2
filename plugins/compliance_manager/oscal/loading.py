"""An OSCAL file's bytes as plain data: JSON or YAML, told apart by the file's extension or,
without one we know, by its content.

YAML is read with PyYAML's safe loader (no Python objects) and stricter still: OSCAL YAML is
JSON's data written another way, so aliases and explicit tags are refused before anything is
built. An alias is how a few kilobytes become billions of nodes once walked ("billion
laughs"); a tag would bring types JSON has not (sets, bytes). Timestamps stay text, as in JSON,
so both forms of one catalog give the same data.
"""

from __future__ import annotations

from pathlib import PurePath

import yaml

from .parsing import OscalError, load_json

YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIX = ".json"
#: Mappings and sequences inside one another. Real catalogs nest a few dozen levels (groups,
#: controls, parts); libyaml itself stops at 1,000 with a message that names no file.
MAX_YAML_NESTING = 200
UTF8_BOM = b"\xef\xbb\xbf"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
#: Tags a YAML file may write out: what JSON has too ("!" marks quoted text).
JSON_TAGS = {"!"} | {
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")
}

# libyaml's parser when PyYAML was built with it (ten times faster), else the pure Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class OscalYamlLoader(_SafeLoader):
    """The safe loader, resolving plain scalars as JSON would read them: no timestamps."""

    yaml_implicit_resolvers = {
        first: [(tag, pattern) for tag, pattern in resolvers if tag != TIMESTAMP_TAG]
        for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
    }


def load_document(raw: bytes, source_name: str = "") -> object:
    """A ``.json`` file is read as JSON and a ``.yaml``/``.yml`` file as YAML; any other name
    by its content (JSON opens with ``{`` or ``[``)."""
    suffix = PurePath(source_name).suffix.lower()
    if suffix in YAML_SUFFIXES:
        return load_yaml(raw)
    if suffix == JSON_SUFFIX or _looks_like_json(raw):
        return load_json(raw)
    return load_yaml(raw)


def _looks_like_json(raw: bytes) -> bool:
    return raw.removeprefix(UTF8_BOM).lstrip()[:1] in (b"{", b"[")


def load_yaml(raw: bytes | str) -> dict:
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as error:
        raise OscalError(f"The file is not UTF-8 text: {error.reason}.") from error
    try:
        _refuse_what_json_cannot_say(text)
        data = yaml.load(text, Loader=OscalYamlLoader)
    except yaml.MarkedYAMLError as error:
        raise OscalError(_yaml_problem(error)) from error
    except yaml.YAMLError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
        raise OscalError(f"The file is not valid YAML ({first_line}).") from error
    except RecursionError as error:
        raise OscalError("The file is nested too deeply to be read.") from error
    if not isinstance(data, dict):
        raise OscalError("Not an OSCAL document: the top level must be a YAML mapping.")
    return data


def _refuse_what_json_cannot_say(text: str) -> None:
    """One pass over the parser's events, before a node is built: no alias, no tag of a type
    JSON has not, no nesting deeper than ``MAX_YAML_NESTING``."""
    nesting = 0
    for event in yaml.parse(text, Loader=OscalYamlLoader):
        where = f"line {event.start_mark.line + 1}, column {event.start_mark.column + 1}"
        if isinstance(event, yaml.AliasEvent):
            raise OscalError(
                f"The YAML file uses an alias (“*{event.anchor}”, {where}): aliases are not "
                "accepted in OSCAL files, as they can expand a small file beyond any memory."
            )
        if getattr(event, "tag", None) not in (None, *JSON_TAGS):
            raise OscalError(
                f"The YAML file uses the tag “{event.tag}” ({where}): OSCAL YAML holds only "
                "mappings, lists, text, numbers, booleans and nulls, as JSON does."
            )
        if isinstance(event, yaml.CollectionStartEvent):
            nesting += 1
            if nesting > MAX_YAML_NESTING:
                raise OscalError(
                    f"The YAML file nests more than {MAX_YAML_NESTING} levels deep ({where}): "
                    "it is not an OSCAL catalog."
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            nesting -= 1


def _yaml_problem(error: yaml.MarkedYAMLError) -> str:
    mark = error.problem_mark or error.context_mark
    # PyYAML spreads its message over lines ("while parsing …" then the problem): one line here.
    said = ", ".join(str(text) for text in (error.context, error.problem) if text)
    problem = " ".join((said or "unreadable").split())
    if mark is None:
        return f"The file is not valid YAML ({problem})."
    where = f"line {mark.line + 1}, column {mark.column + 1}"
    return f"The file is not valid YAML ({where}: {problem})."
