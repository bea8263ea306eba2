"""OSCAL in and out: catalogs and resolved profiles become templates; assessments go out as
assessment results."""

from pathlib import Path

#: The built-in templates shipped with the plugin (NIST SP 800-53 rev5 baselines, public domain).
BUILTIN_CATALOGS = sorted((Path(__file__).parent / "data").glob("*.json"))
#: The built-in mappings between those templates (our own making, see data/mappings/README.md).
BUILTIN_MAPPINGS = sorted((Path(__file__).parent / "data" / "mappings").glob("*.json"))
