"""Run a stage of the Dockerfile on this machine, without Docker: its ARG, ENV, WORKDIR, COPY
and RUN instructions, in order, with the image's filesystem laid out under a folder (ROOT).
scripts/check_image_steps.sh uses it to build the image's application on a machine that has no
Docker daemon (CI), so that a RUN step that fails fails there too.

    python scripts/dockerfile_stage.py run build ROOT [--build-arg N=V] [--run-env N=V]
    python scripts/dockerfile_stage.py env runtime ROOT   the stage's ENV, as NAME=VALUE lines
    python scripts/dockerfile_stage.py arg EXTRAS         an ARG's default value

How it stands in for Docker:

- An absolute path written in the Dockerfile (a WORKDIR, a COPY destination, a path in an ENV
  value such as ``PATH=/opt/venv/bin:$PATH``) is taken under ROOT. RUN commands run as written,
  so they name paths through variables or relative to WORKDIR: an absolute path in a RUN is
  refused here (it would reach outside ROOT).
- The base image's Python is this machine's, which must be the same minor version as the base
  image's tag (``python:3.11-…``); ``python`` names it until an ENV puts another first on PATH.
- COPY from the build context copies what ``.dockerignore`` lets through.
- A RUN that starts with ``apt-get`` installs system packages: it is not run (this script does not
  touch the machine), the packages it names must be installed here already (dpkg says which).
- ``--run-env`` adds variables to RUN steps' environment alone (a local wheel cache for pip),
  the one departure from the Dockerfile, said on every RUN.

The Dockerfile is read with Docker's own parser (the ``dockerfile`` package, BuildKit's Go parser).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import dockerfile

ROOT_DIR = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT_DIR / "Dockerfile"
#: $NAME, ${NAME} and ${NAME:-default}, as Dockerfile instructions substitute them.
VARIABLE = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_]\w*)(?::-(?P<default>[^}]*))?\}|(?P<bare>[A-Za-z_]\w*))"
)


class StageError(RuntimeError):
    pass


def instructions() -> list[dockerfile.Command]:
    return list(dockerfile.parse_file(str(DOCKERFILE)))


def global_args(commands: list[dockerfile.Command]) -> dict[str, str]:
    """The ARGs declared before the first FROM, with their defaults."""
    values = {}
    for command in commands:
        if command.cmd == "FROM":
            break
        if command.cmd == "ARG":
            name, _, default = command.value[0].partition("=")
            values[name] = default
    return values


def stage_of(commands: list[dockerfile.Command], name: str) -> tuple[str, list]:
    """The FROM image of stage ``name`` and its instructions."""
    for index, command in enumerate(commands):
        if command.cmd == "FROM" and [part.lower() for part in command.value[1:2]] == ["as"]:
            if command.value[2] == name:
                body = []
                for later in commands[index + 1 :]:
                    if later.cmd == "FROM":
                        break
                    body.append(later)
                return command.value[0], body
    raise StageError(f"the Dockerfile has no stage {name!r}")


def substitute(value: str, env: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        name = match.group("braced") or match.group("bare")
        if name in env and env[name] != "":
            return env[name]
        return match.group("default") or ""

    return VARIABLE.sub(replace, value)


def under_root(value: str, root: Path, env: dict[str, str]) -> str:
    """``value`` with its literal absolute paths taken under ``root``, then its variables
    substituted (``/opt/venv/bin:$PATH``: the first part is the image's, $PATH already this
    machine's)."""
    parts = []
    for part in value.split(":"):
        if part.startswith("/") and not part.startswith("//"):
            part = str(root) + part
        parts.append(substitute(part, env))
    return ":".join(parts)


def check_python(image: str) -> None:
    tag = image.rpartition(":")[2]
    wanted = re.match(r"(\d+)\.(\d+)", tag)
    if not image.split(":")[0].endswith("python") or not wanted:
        raise StageError(f"the stage's base image {image!r} is not an official Python image")
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if wanted.group(0) != here:
        raise StageError(f"the image's Python is {wanted.group(0)}, this machine's {here}")


def base_environment(root: Path) -> dict[str, str]:
    """The official Python image's environment: its Python first on PATH."""
    shims = root / ".base-image-bin"
    shims.mkdir(parents=True, exist_ok=True)
    base_python = Path(getattr(sys, "_base_executable", sys.executable))
    for name in ("python", "python3"):
        link = shims / name
        if not link.exists():
            link.symlink_to(base_python)
    home = root / "root"
    home.mkdir(exist_ok=True)
    return {
        "PATH": f"{shims}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(home),
        "LANG": "C.UTF-8",
    }


def ignore_patterns() -> list[tuple[bool, re.Pattern]]:
    patterns = []
    path = ROOT_DIR / ".dockerignore"
    for line in path.read_text().splitlines() if path.exists() else []:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        regex = ""
        index = 0
        while index < len(pattern):
            if pattern.startswith("**/", index):
                regex, index = regex + "(?:.*/)?", index + 3
            elif pattern.startswith("**", index):
                regex, index = regex + ".*", index + 2
            elif pattern[index] == "*":
                regex, index = regex + "[^/]*", index + 1
            elif pattern[index] == "?":
                regex, index = regex + "[^/]", index + 1
            else:
                regex, index = regex + re.escape(pattern[index]), index + 1
        patterns.append((negated, re.compile(regex)))
    return patterns


def is_ignored(relative: str, patterns: list[tuple[bool, re.Pattern]]) -> bool:
    """Whether ``.dockerignore`` leaves ``relative`` out of the build context: the last pattern
    that matches it or a folder it is in decides (a ``!pattern`` takes a path back)."""
    parts = relative.split("/")
    candidates = ["/".join(parts[: depth + 1]) for depth in range(len(parts))]
    left_out = False
    for negated, regex in patterns:
        if any(regex.fullmatch(candidate) for candidate in candidates):
            left_out = not negated
    return left_out


def context_files() -> list[Path]:
    """The build context's files, relative to it, as ``.dockerignore`` leaves them."""
    patterns = ignore_patterns()
    # Without a `!pattern`, nothing inside a folder left out can come back: skip its files.
    prune = not any(negated for negated, _regex in patterns)
    kept = []
    for folder, subfolders, files in os.walk(ROOT_DIR):
        base = Path(folder).relative_to(ROOT_DIR)
        if prune:
            subfolders[:] = [
                name for name in subfolders if not is_ignored((base / name).as_posix(), patterns)
            ]
        kept.extend(
            base / name for name in files if not is_ignored((base / name).as_posix(), patterns)
        )
    return sorted(kept)


def copy(sources: list[str], destination: str, workdir: Path, root: Path) -> None:
    target = Path(str(root) + destination) if destination.startswith("/") else workdir / destination
    into_folder = destination.endswith(("/", ".")) or len(sources) > 1
    files = context_files()
    for source in sources:
        source = os.path.normpath(source)
        if source == ".":
            chosen = [(path, target / path) for path in files]
        else:
            prefix = Path(source)
            inside = [path for path in files if prefix in path.parents]
            if prefix in files:
                name = target / prefix.name if into_folder else target
                chosen = [(prefix, name)]
            elif inside:
                chosen = [(path, target / path.relative_to(prefix)) for path in inside]
            else:
                raise StageError(f"COPY {source}: not in the build context (.dockerignore?)")
        for relative, destination_path in chosen:
            destination_path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT_DIR / relative, destination_path, follow_symlinks=False)


def system_packages_present(command: str) -> None:
    words = shlex.split(command.replace("&&", " ; ").replace("\\\n", " "))
    packages = []
    if "install" in words:
        after = words[words.index("install") + 1 :]
        for word in after:
            if word == ";":
                break
            if not word.startswith("-"):
                packages.append(word)
    missing = [
        package
        for package in packages
        if subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
        ).stdout
        != "install ok installed"
    ]
    if missing:
        raise StageError(
            f"the image installs {' '.join(missing)} with apt-get; install them here first "
            f"(apt-get install {' '.join(missing)})"
        )
    print(f"    (apt-get not run here; {' '.join(packages) or 'nothing'} installed already)")


def absolute_paths(command: str) -> list[str]:
    """Absolute paths a RUN names literally (apt's own folders aside)."""
    return [
        word
        for word in re.findall(r"(?<![\w$}])/[\w./-]+", command)
        if not word.startswith(("/var/lib/apt/", "/dev/null"))
    ]


def run_stage(name: str, root: Path, build_args: dict[str, str], run_env: dict[str, str]) -> None:
    commands = instructions()
    args = {**global_args(commands), **build_args}
    image, body = stage_of(commands, substitute(name, args))
    check_python(substitute(image, args))
    env = base_environment(root)
    workdir = root
    for command in body:
        where = f"Dockerfile:{command.start_line}"
        if command.cmd == "ARG":
            arg_name, _, default = command.value[0].partition("=")
            env[arg_name] = args.get(arg_name, default)
        elif command.cmd == "ENV":
            pairs = dict(zip(command.value[::2], command.value[1::2], strict=True))
            for key, value in pairs.items():
                env[key] = under_root(value, root, env)
        elif command.cmd == "WORKDIR":
            path = substitute(command.value[0], env)
            workdir = Path(str(root) + path) if path.startswith("/") else workdir / path
            workdir.mkdir(parents=True, exist_ok=True)
        elif command.cmd in {"COPY", "ADD"}:
            if any(flag.startswith("--from") for flag in command.flags) or command.cmd == "ADD":
                raise StageError(f"{where}: only COPY from the build context is run here")
            *sources, destination = (substitute(part, env) for part in command.value)
            print(f"{where}: COPY {' '.join(sources)} {destination}")
            copy(sources, destination, workdir, root)
        elif command.cmd == "RUN":
            script = command.value[0]
            print(f"{where}: RUN {script}", flush=True)
            if script.lstrip().startswith("apt-get"):
                system_packages_present(script)
                continue
            named = absolute_paths(script)
            if named:
                raise StageError(f"{where}: RUN names absolute paths {named}: use variables")
            if run_env:
                print(f"    (here also {' '.join(sorted(run_env))})", flush=True)
            result = subprocess.run(["/bin/sh", "-c", script], cwd=workdir, env={**env, **run_env})
            if result.returncode:
                raise StageError(f"{where}: RUN exited with status {result.returncode}")
        else:
            print(f"{where}: {command.cmd} (nothing to do outside an image)")


def stage_environment(name: str, root: Path) -> dict[str, str]:
    commands = instructions()
    args = global_args(commands)
    _image, body = stage_of(commands, name)
    env = base_environment(root)
    for command in body:
        if command.cmd == "ENV":
            for key, value in zip(command.value[::2], command.value[1::2], strict=True):
                env[key] = under_root(value, root, env)
        elif command.cmd == "ARG":
            arg_name, _, default = command.value[0].partition("=")
            env[arg_name] = args.get(arg_name, default)
    return env


def arg_default(name: str) -> str:
    for command in instructions():
        if command.cmd == "ARG":
            arg_name, _, default = command.value[0].partition("=")
            if arg_name == name:
                return default
    raise StageError(f"the Dockerfile declares no ARG {name}")


def pairs(values: list[str]) -> dict[str, str]:
    return dict(value.split("=", 1) for value in values)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["run", "env", "arg"])
    parser.add_argument("name", help="a stage (run, env) or an ARG (arg)")
    parser.add_argument("root", nargs="?", type=Path, help="where the image's files go")
    parser.add_argument("--build-arg", action="append", default=[])
    parser.add_argument("--run-env", action="append", default=[])
    options = parser.parse_args(argv)
    try:
        if options.action == "arg":
            print(arg_default(options.name))
        elif options.root is None:
            parser.error("ROOT is required")
        elif options.action == "env":
            for key, value in stage_environment(options.name, options.root.resolve()).items():
                print(f"{key}={value}")
        else:
            run_stage(
                options.name,
                options.root.resolve(),
                pairs(options.build_arg),
                pairs(options.run_env),
            )
    except StageError as error:
        print(f"dockerfile_stage: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
