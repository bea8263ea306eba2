"""Parameters written as NIST prints them in SP 800-53: "[Assignment: organization-defined time
period]" and "[Selection (one or more): a; b]", with the placeholders nested in a selection's
choices rendered too (AC-7 b.: "[Selection (one or more): lock the account or node for an
[Assignment: organization-defined time period]; …]")."""

from __future__ import annotations

import re

INSERT_PARAM = re.compile(r"\{\{\s*insert:\s*param,\s*([A-Za-z0-9_.\-]+)\s*\}\}")
#: OSCAL's ``select.how-many`` -> NIST's wording. A selection without it picks exactly one.
SELECTION_HEADS = {"one-or-more": "Selection (one or more)", "one": "Selection"}
ORGANIZATION_DEFINED = "organization-defined"
SPACE_BEFORE_PUNCTUATION = re.compile(r"\]\s+([;,.:)])")


def parameter(param: dict, param_id: str) -> dict:
    """What we keep of an OSCAL ``param`` (already checked to be an object with an id)."""
    select = param.get("select")
    select = select if isinstance(select, dict) else {}
    choices = select.get("choice") if isinstance(select.get("choice"), list) else []
    return {
        "id": param_id,
        "label": str(param.get("label") or ""),
        "choices": [str(choice).strip() for choice in choices],
        "how_many": str(select.get("how-many") or ""),
    }


def render(text: str, parameters: dict[str, dict]) -> str:
    """``text`` with every ``{{ insert: param, … }}`` written out as NIST does."""
    return _render(text, parameters, frozenset())


def describe(param: dict, parameters: dict[str, dict]) -> str:
    """One parameter as NIST prints it, e.g. "[Assignment: organization-defined number]"."""
    return _describe(param, parameters, frozenset({param["id"]}))


def _render(text: str, parameters: dict[str, dict], within: frozenset[str]) -> str:
    def replace(match: re.Match) -> str:
        param_id = match.group(1)
        param = parameters.get(param_id)
        if param is None or param_id in within:
            # Unknown, or a choice naming its own selection: the id, never endless recursion.
            return f"[Assignment: {param_id}]"
        return _describe(param, parameters, within | {param_id})

    # Catalogs write "{{ insert: param, x }} ; and": NIST prints "[Assignment: …]; and".
    return SPACE_BEFORE_PUNCTUATION.sub(r"]\1", INSERT_PARAM.sub(replace, text))


def _describe(param: dict, parameters: dict[str, dict], within: frozenset[str]) -> str:
    if param["choices"]:
        head = SELECTION_HEADS.get(param["how_many"], "Selection")
        choices = "; ".join(_render(c, parameters, within) for c in param["choices"])
        return f"[{head}: {choices}]"
    label = param["label"]
    if not label:
        return f"[Assignment: {param['id']}]"
    # SP 800-53 5.0 labels say "organization-defined number"; 5.1's resolved profiles only
    # "number": NIST prints both as the former.
    if not label.lower().startswith(ORGANIZATION_DEFINED):
        label = f"{ORGANIZATION_DEFINED} {label}"
    return f"[Assignment: {label}]"
