"""Reading a spec file and parsing its top level: the file's bytes (a regular file within
the size limit), its YAML document, its top-level keys and `version:`."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from segspec.spec.limits import MAX_FILE_BYTES, LimitError
from segspec.spec.messages import describe, suggest
from segspec.spec.problems import Problems
from segspec.spec.yamlpos import Located, YamlSyntaxError, read_plain, read_yaml

TOP_LEVEL_KEYS = ("version", "engine", "backend", "state", "variables", "defaults", "jobs")
FORMAT_VERSION = 1


def spec_files(directory: Path) -> list[Path]:
    """The spec files of a directory, in a stable order (anything named *.yaml but a
    directory is listed, so a non-regular one is reported rather than silently skipped)."""
    return sorted(
        p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and not p.is_dir()
    )


def read_spec(file: Path, problems: Problems) -> bytes | None:
    """The bytes of a spec file, or None with a problem recorded; reads at most the limit."""
    try:
        info = file.stat()
        if not stat.S_ISREG(info.st_mode):
            problems.add(
                file,
                (1, 1),
                (),
                f"is not a regular file (it is {_file_kind(file)}) — replace it with a "
                "YAML spec file, or remove it",
            )
            return None
        with file.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        problems.add(
            file, (1, 1), (), f"cannot be read ({exc.strerror or exc}) — check its permissions"
        )
        return None
    if len(raw) > MAX_FILE_BYTES:
        problems.add(
            file,
            (1, 1),
            (),
            f"is larger than the limit of {MAX_FILE_BYTES:,} bytes — split it into several "
            "spec files",
        )
        return None
    return raw


def _file_kind(file: Path) -> str:
    try:
        mode = file.stat().st_mode
    except OSError:
        return "unreadable"
    kind = (
        "a character device"
        if stat.S_ISCHR(mode)
        else "a block device"
        if stat.S_ISBLK(mode)
        else "a named pipe"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    if file.is_symlink():
        kind += f", through a symlink to {os.readlink(file)}"
    return kind


def parse_spec(file: Path, raw: bytes, problems: Problems, fast: bool = False) -> Located | None:
    """The file's document, or None with its problems recorded. `fast`: for a load that
    is redone in full if it meets any problem (the cached one), so positions deeper than
    job names are not needed (`read_plain`, falling back to `read_yaml`)."""
    try:
        text = raw.decode("utf-8")
        located = (read_plain(text) if fast else None) or read_yaml(text)
    except UnicodeDecodeError:
        problems.add(file, (1, 1), (), "is not UTF-8 text — save it as UTF-8")
        return None
    except YamlSyntaxError as exc:
        problems.add(file, exc.pos, (), f"YAML syntax error: {exc.message} — fix the syntax")
        return None
    except LimitError as exc:
        problems.add(file, exc.pos, (), exc.message)
        return None
    for pos, path, message in located.problems:
        problems.add(file, pos, path, message)
    data = located.data
    if not isinstance(data, dict):
        problems.add(file, (1, 1), (), "must be a mapping with version: 1 and jobs: — see README")
        return None
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            hint = suggest(key, list(TOP_LEVEL_KEYS))
            remedy = f"did you mean {hint!r}?" if hint else f"use {', '.join(TOP_LEVEL_KEYS)}"
            problems.add(file, located.position((key,)), (key,), f"unknown key — {remedy}")
    version = data.get("version")
    if version != FORMAT_VERSION:
        message = (
            "required key 'version' is missing — add version: 1 at the top"
            if "version" not in data
            else f"unsupported version {describe(version)} — this segspec reads version: 1"
        )
        problems.add(file, located.position(("version",)), ("version",), message)
        return None
    return located
