"""The `engine:` (old name `backend:`) and `state:` blocks of the spec files: where jobs
run and where the state lives, each declared in one file only."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from segspec.errors import SpecError
from segspec.spec.files import parse_spec, spec_files
from segspec.spec.models import BackendConfig, StateConfig
from segspec.spec.problems import Problems, display_path, report_validation
from segspec.spec.yamlpos import Located


def find_engine_config(
    file: Path, located: Located, problems: Problems, warnings: list[str]
) -> tuple[BackendConfig | None, str]:
    """The `engine:` block (where jobs run); `backend:` is its old, deprecated name."""
    data = located.data
    if "engine" in data and "backend" in data:
        problems.add(
            file,
            located.position(("backend",)),
            ("backend",),
            "is the old name of engine: and this file has both — keep only engine:",
        )
    key = "engine" if "engine" in data or "backend" not in data else "backend"
    raw = data.get(key)
    if raw is None:
        return None, key
    if key == "backend":
        line, column = located.position(("backend",))
        warnings.append(
            f"{display_path(file)}:{line}:{column}: backend: is deprecated — rename it to "
            "engine: (where jobs run); state: now says where the state lives"
        )
    try:
        return BackendConfig.model_validate(raw), key
    except ValidationError as exc:
        report_validation(file, located, problems, exc, (key,), BackendConfig, ())
        return None, key


def find_state_config(parsed: list[tuple[Path, Located]], problems: Problems) -> StateConfig | None:
    """The one `state:` block of the spec files (declared in one file only)."""
    found: StateConfig | None = None
    where = ""
    for file, located in parsed:
        raw = located.data.get("state")
        if raw is None:
            continue
        pos = located.position(("state",))
        try:
            config = StateConfig.model_validate(raw)
        except ValidationError as exc:
            report_validation(file, located, problems, exc, ("state",), StateConfig, ())
            continue
        if config.type != "local" and (not config.bucket or not config.key):
            problems.add(
                file,
                pos,
                ("state",),
                f"type {config.type} needs bucket: and key: — e.g. "
                "state: {type: s3, bucket: team-state, key: clips/segspec.state.json}",
            )
            continue
        if found is not None:
            problems.add(
                file, pos, ("state",), f"already declared at {where} — declare state: in one file"
            )
            continue
        found, where = config, f"{display_path(file)}:{pos[0]}"
    return found


def read_state_config(directory: Path) -> StateConfig | None:
    """Only the `state:` block of a spec directory (cheap: no jobs are validated), for
    commands that read the state without planning. Raises SpecError for a bad block."""
    if not directory.is_dir():
        return None
    problems = Problems()
    parsed = []
    for file in spec_files(directory):
        raw = file.read_bytes()
        if b"state" not in raw:
            continue
        located = parse_spec(file, raw, problems)
        if located is not None:
            parsed.append((file, located))
    found = find_state_config(parsed, problems)
    if problems.lines:
        raise SpecError(problems.lines)
    return found
