"""Print the requirements pyproject.toml declares for the portal and the extras named, one a
line, for ``pip install --requirement``: the image installs its dependencies from
pyproject.toml alone, in a layer of their own that a change of code does not rebuild.

    python requirements.py pyproject.toml production,s3 > requirements.txt

An extra that pyproject.toml does not declare is an error (pip would only warn, and the image
would lack what the extra brings)."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path


def requirements(pyproject: dict, extras: list[str]) -> list[str]:
    project = pyproject["project"]
    declared = project.get("optional-dependencies", {})
    unknown = [extra for extra in extras if extra not in declared]
    if unknown:
        raise SystemExit(
            f"pyproject.toml declares no extra {', '.join(unknown)} "
            f"(it has: {', '.join(sorted(declared))})"
        )
    return [*project["dependencies"], *(line for extra in extras for line in declared[extra])]


def main(argv: list[str]) -> None:
    if len(argv) != 3:
        raise SystemExit("usage: requirements.py PYPROJECT_TOML EXTRA[,EXTRA...]")
    pyproject = tomllib.loads(Path(argv[1]).read_text())
    extras = [extra.strip() for extra in argv[2].split(",") if extra.strip()]
    print("\n".join(requirements(pyproject, extras)))


if __name__ == "__main__":
    main(sys.argv)
