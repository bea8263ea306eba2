"""What the container tests read: the Dockerfile's stages, compose.yaml, the README and
pyproject.toml, and the deploy scripts."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import dockerfile
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
README = (ROOT / "README.md").read_text()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
#: Services that run the portal's image (its `runtime` stage), and those that run once.
PORTAL = {"web", "worker", "cron", "migrate", "objectstore-bucket"}
ONE_SHOTS = {"migrate", "objectstore-bucket"}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|_KEYS?$")


def load_script(name: str):
    """A module of scripts/ (not a package: run as files), loaded from its path."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dockerfile_stage = load_script("dockerfile_stage")


def stages() -> dict[str, list[dockerfile.Command]]:
    """The Dockerfile's instructions per stage, in order (stage names as written)."""
    found: dict[str, list] = {}
    current = None
    for command in dockerfile.parse_file(str(ROOT / "Dockerfile")):
        if command.cmd == "FROM":
            current = command.value[2]
            found[current] = [command]
        elif current:
            found[current].append(command)
    return found


def of(stage: list, cmd: str) -> list[dockerfile.Command]:
    return [command for command in stage if command.cmd == cmd]


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)


def readme_section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


# The Dockerfile.
