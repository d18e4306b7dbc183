"""What people expect of a command-line tool: global options anywhere, pre-commit,
shell completion, `python -m`, one version, honest wording."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml

import segspec
from segspec.schemas import SCHEMA_DIR
from tests.cli.conftest import Result
from tests.conftest import REPO

SPEC = """\
version: 1
defaults:
  InputConfig: {Type: OSS, Media: media/numbered.mp4}
  OutputConfig: {OutputMediaTarget: oss-object, Bucket: clips}
  local: {preset: ultrafast}
jobs:
  alpha:
    JobParams: {Mode: UserDefined, Ranges: [{In: 0, Out: 1}, {In: 1.5, Out: 2}]}
    OutputConfig: {ObjectKey: 'alpha/clip_{index}.mp4'}
  beta:
    JobParams: {Mode: UserDefined, Ranges: [{In: 2, Out: 3}]}
    OutputConfig: {ObjectKey: 'beta/clip_{index}.mp4'}
"""
SPEC_EACH = (
    SPEC
    + """\
  ep:
    for_each: [a, b]
    JobParams: {Mode: BasicClipSplit}
    OutputConfig: {ObjectKey: 'ep/${each.key}_{index}.mp4'}
"""
)
BROKEN = "version: 1\njobs:\n  x:\n    JobParams: {Mode: UserDefined}\n    Objectkey: 1\n"
Segspec = Callable[..., Result]


def console_script() -> str:
    """The installed `segspec` script of the environment running the tests."""
    found = shutil.which("segspec", path=str(Path(sys.executable).parent))
    assert found, "segspec is not installed in this environment (pip install -e .)"
    return found


@pytest.fixture
def applied(
    project: Callable[[str], Path], segspec: Segspec, monkeypatch: pytest.MonkeyPatch
) -> Path:
    root = project(SPEC)
    monkeypatch.chdir(root)
    monkeypatch.delenv("SEGSPEC_BACKEND", raising=False)
    result = segspec("apply", "--auto-approve")
    assert result.code == 0, result.err
    return root


def test_global_options_after_the_subcommand(
    project: Callable[[str], Path], segspec: Segspec, tmp_path: Path
) -> None:
    root = project(SPEC)
    other = tmp_path / "elsewhere"
    result = segspec("validate", "--specs", str(root / "specs"), "--no-color")
    assert (result.code, result.out) == (0, "✓ 2 jobs in 1 file valid.\n"), result.err
    result = segspec("validate", "--specs", str(other))
    assert result.code == 1
    assert "elsewhere: spec directory not found" in result.err


def test_global_lock_timeout_after_plan_waits(
    project: Callable[[str], Path], segspec: Segspec, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.state.test_lock import Holder

    root = project(SPEC)
    monkeypatch.chdir(root)
    holder = Holder(root / "segspec.state.json")
    try:
        result = segspec("plan", "--lock-timeout", "0.1")
    finally:
        holder.release()
    assert result.code == 1
    assert "after waiting 0.1 s" in result.err
    # The later value wins over the one before the subcommand.
    assert segspec("--lock-timeout", "0", "plan", "--lock-timeout", "5").code == 0


def test_plan_json_with_markdown_refused(project: Callable[[str], Path], segspec: Segspec) -> None:
    root = project(SPEC)
    result = segspec("--specs", str(root / "specs"), "plan", "--json", "--markdown")
    assert result.code == 1
    assert "--json and --markdown" in result.err
    assert result.out == ""


@pytest.mark.slow
def test_output_without_name_lists_every_job(applied: Path, segspec: Segspec) -> None:
    result = segspec("output")
    assert result.code == 0, result.err
    objects = applied / ".segspec" / "objects" / "clips"
    lines = result.out.splitlines()
    assert lines[0] == "alpha (Finished, 2 outputs)"
    assert lines[1:3] == [f"  {objects / 'alpha/clip_0.mp4'}", f"  {objects / 'alpha/clip_1.mp4'}"]
    assert "beta (Finished, 1 output)" in lines
    doc = json.loads(segspec("output", "--json").out)
    assert [job["address"] for job in doc["jobs"]] == ["alpha", "beta"]
    assert [len(job["outputs"]) for job in doc["jobs"]] == [2, 1]


@pytest.mark.slow
def test_show_name_prefers_the_job_to_a_file(applied: Path, segspec: Segspec) -> None:
    (applied / "alpha").write_text("not a plan", "utf-8")
    result = segspec("show", "alpha")
    assert result.code == 0, result.err
    assert result.out.startswith("alpha\n  backend      local\n")
    listing = segspec("show").out
    assert "  1 output " in listing and "  2 outputs" in listing


def test_detect_ends_with_newline_and_documents_defaults(
    numbered_video: Path, segspec: Segspec
) -> None:
    result = segspec("detect", str(numbered_video))
    assert result.code == 0, result.err
    assert re.search(r"\n\d+ shots?\n\Z", result.out), result.out
    as_json = segspec("detect", str(numbered_video), "--json").out
    assert as_json.endswith("}\n")
    help_text = " ".join(segspec("detect", "--help").out.split())
    assert "--threshold FLOAT RANGE Smallest change score (0..1)" in help_text
    assert "[default: 0.2]" in help_text
    assert "[default: 0.5]" in help_text


def readme_block(marker: str) -> str:
    text = (REPO / "README.md").read_text("utf-8")
    start = text.index(marker)
    block = text[start:].split("```yaml\n", 1)[1]
    return block.split("```", 1)[0]


def test_spec_schema_accepts_variables_in_numeric_fields() -> None:
    example = yaml.safe_load(readme_block("### Many jobs from one definition"))
    assert example["jobs"]["episode"]["OutputConfig"]["Width"] == "${var.width}"
    schema = json.loads((SCHEMA_DIR / "spec.schema.json").read_text("utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(example)) == []
    # A plain string in a numeric field is still an error, so the check can fail.
    example["jobs"]["episode"]["OutputConfig"]["Width"] = "wide"
    assert list(validator.iter_errors(example)), "a non-reference string must be refused"


def pre_commit_hook(hook_id: str) -> dict[str, object]:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    (hook,) = [h for h in hooks if h["id"] == hook_id]
    assert isinstance(hook, dict)
    return hook


def run_hook(
    hook: dict[str, object], cwd: Path, files: list[str]
) -> subprocess.CompletedProcess[str]:
    """Run a hook the way pre-commit does: its entry, then the matching file names."""
    pattern = re.compile(str(hook["files"]))
    matching = [f for f in files if pattern.search(f)]
    entry = shlex.split(str(hook["entry"]))
    entry[0] = console_script() if entry[0] == "segspec" else entry[0]
    return subprocess.run([*entry, *matching], cwd=cwd, capture_output=True, text=True, check=False)


def test_pre_commit_validate_hook(project: Callable[[str], Path]) -> None:
    root = project(SPEC)
    hook = pre_commit_hook("segspec-validate")
    assert hook["language"] == "python"
    ok = run_hook(hook, root, ["specs/jobs.yaml", "README.md", "specs/media/numbered.mp4"])
    assert (ok.returncode, ok.stdout) == (0, "✓ 2 jobs in 1 file valid.\n"), ok.stderr
    (root / "specs" / "jobs.yaml").write_text(BROKEN, "utf-8")
    bad = run_hook(hook, root, ["specs/jobs.yaml"])
    assert bad.returncode == 1
    assert "specs/jobs.yaml:5:5: jobs.x.Objectkey: unknown key 'Objectkey'" in bad.stderr
    assert "Traceback" not in bad.stderr


def complete(cwd: Path, words: str) -> list[str]:
    """Ask the installed command for completions through click's bash protocol."""
    env = {
        **os.environ,
        "_SEGSPEC_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
    }
    proc = subprocess.run(
        [console_script()], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    assert proc.stderr == ""
    lines = [line for line in proc.stdout.splitlines() if line]  # none: one empty line
    assert all(line.startswith("plain,") for line in lines), proc.stdout
    return [line.removeprefix("plain,") for line in lines]


def test_completion_of_commands_and_addresses(project: Callable[[str], Path]) -> None:
    root = project(SPEC_EACH)
    assert complete(root, "segspec pl") == ["plan"]
    assert complete(root, "segspec st") == ["state"]
    assert complete(root, "segspec output ") == ["alpha", "beta", 'ep["a"]', 'ep["b"]']
    assert complete(root, "segspec plan --target e") == ['ep["a"]', 'ep["b"]']
    assert complete(root, "segspec state rm a") == ["alpha"]
    elsewhere = root / "other"
    elsewhere.mkdir()
    assert complete(elsewhere, "segspec output ") == []
    specs = str(root / "specs")
    assert complete(elsewhere, f"segspec --specs {specs} show b") == ["beta"]
    assert complete(elsewhere, f"segspec show --specs {specs} b") == ["beta"]


def test_python_dash_m_and_version_from_metadata(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "segspec", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    version = importlib.metadata.version("segspec")
    assert proc.stdout == f"segspec, version {version}\n"
    assert segspec.__version__ == version
    # The version is written once, in segspec/VERSION (pyproject.toml and the package read
    # it), so the installed metadata and the running code cannot disagree.
    assert (REPO / "segspec" / "VERSION").read_text("ascii") == f"{version}\n"
    assert 'version = {file = "segspec/VERSION"}' in (REPO / "pyproject.toml").read_text("utf-8")
    written = [
        p for p in (REPO / "segspec").rglob("*.py") if f'"{version}"' in p.read_text("utf-8")
    ]
    assert written == []


def test_version_is_known_without_the_package_metadata() -> None:
    """Every command needs the version (the spec cache's key): reading it must not import
    importlib.metadata (~40 ms of imports and a search of sys.path per command)."""
    code = "import sys, segspec; print(segspec.__version__, 'importlib.metadata' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout == f"{importlib.metadata.version('segspec')} False\n"


def test_build_ships_py_typed(tmp_path: Path) -> None:
    """setuptools' own build step (what a wheel is made of) copies py.typed."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import setuptools; setuptools.setup()",
            "-q",
            "build_py",
            "--build-lib",
            str(tmp_path / "lib"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "lib" / "segspec" / "py.typed").is_file()
    assert (tmp_path / "lib" / "segspec" / "__main__.py").is_file()
