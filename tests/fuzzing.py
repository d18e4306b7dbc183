"""Spec fuzzing shared by tests/test_fuzz.py (short, in CI) and benchmarks/fuzz.py (long).

Inputs are of two kinds, both drawn from one `random.Random` so any input is replayed from
its seed: specs generated from segspec's own vocabulary (right keys, wrong values, deep
merges, for_each, variables, aliases), and valid spec texts mutated at the byte level with
YAML's significant characters. Each is run through `segspec plan --json` in-process
(loader, normalization, planner) against an empty state on the local backend; the only
acceptable outcomes are exit 0, 1 or 2 with no traceback.
"""

from __future__ import annotations

import contextlib
import io
import random
import resource
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from segspec.cli.main import entrypoint

VALID = """\
version: 1
variables:
  out: {default: 2}
  names: {type: list, default: [x, y]}
defaults: &d
  InputConfig: {Type: OSS, Media: media/in.mp4}
  OutputConfig: {OutputMediaTarget: oss-object, Bucket: clips}
  local: {preset: ultrafast}
jobs:
  a:
    JobParams:
      Mode: UserDefined
      Ranges: [{In: 0, Out: 1}, {In: 1.5, Out: "${var.out}"}]
    OutputConfig: {ObjectKey: "a/clip_{index}.mp4", Width: 320, Video: {Codec: H.264, Crf: 23}}
    UserData: {k: v}
  b:
    for_each: "${var.names}"
    JobParams: {Mode: BasicClipSplit}
    OutputConfig: {ObjectKey: "b/${each.key}_{index}.mp4", ExportAsNewMedia: true}
    local: {detector: {threshold: 0.2, min_shot_seconds: 0.5}}
    lifecycle: {prune_outputs: true}
"""

KEYS = [
    "version", "backend", "variables", "defaults", "jobs", "InputConfig", "Type", "Media",
    "JobParams", "Mode", "Ranges", "In", "Out", "OutputConfig", "OutputMediaTarget",
    "Bucket", "ObjectKey", "ExportAsNewMedia", "Width", "Height", "Video", "Codec",
    "Bitrate", "Crf", "Fps", "UserData", "local", "preset", "detector", "threshold",
    "min_shot_seconds", "allow_outside_project", "lifecycle", "prune_outputs", "for_each",
    "default", "type", "description", "<<", "a", "b", "1", "",
]  # fmt: skip
VALUES: list[Any] = [
    0, 1, -1, 2.5, 1e300, float("nan"), float("inf"), True, False, None, "", "OSS", "Media",
    "UserDefined", "BasicClipSplit", "oss-object", "clips", "media/in.mp4", "a_{index}.mp4",
    "oss://clips/a.mp4", "oss://clips/../x", "file:///etc/passwd", "../../x", "/abs",
    "https://clips.oss-cn-shanghai.aliyuncs.com/a.mp4", "${var.out}", "${var.nope}",
    "${each.key}", "${each.value.x}", "$${var.out}", "${", "{index}", "H.264", "H.265",
    "ultrafast", "local", "ice", "x" * 600, "é✓\u202e", "a" * 32, "0" * 32, [], {},
]  # fmt: skip
NOISE = [
    *"&*!{}[]:,-#|>'\"\n \t%@?`<=$\\",
    "!!str ", "!!int ", "!!timestamp ", "!!python/name:os.system ", "&a ", "*a", "<<: *d\n",
    "${var.out}", "\\0", "\\x1b", "\n  - ", "\n    ", ": ", "---\n", "...\n", "\ufeff",
]  # fmt: skip


def generated(rng: random.Random, depth: int = 0) -> Any:
    """A random value shaped like spec data."""
    roll = rng.random()
    if depth > 6 or roll < 0.45:
        return rng.choice(VALUES)
    if roll < 0.6:
        return [generated(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(KEYS): generated(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def mutated_data(rng: random.Random) -> Any:
    """The valid spec with one to four values replaced by generated ones."""
    data = yaml.safe_load(VALID)
    for _ in range(rng.randint(1, 4)):
        node = data
        while isinstance(node, dict | list) and node and rng.random() < 0.7:
            key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
            child = node[key]
            if not isinstance(child, dict | list) or not child or rng.random() < 0.3:
                node[key] = generated(rng, 3)
                break
            node = child
    return data


def mutated_text(rng: random.Random) -> str:
    """The valid spec text with a few byte-level edits."""
    text = VALID
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(text) + 1)
        op = rng.random()
        if op < 0.5:
            text = text[:at] + rng.choice(NOISE) + text[at:]
        elif op < 0.75:
            text = text[:at] + text[at + rng.randint(1, 20) :]
        else:
            lines = text.split("\n")
            i = rng.randrange(len(lines))
            lines.insert(rng.randrange(len(lines) + 1), lines[i])
            text = "\n".join(lines)
    return text


def spec_text(rng: random.Random) -> str:
    """One fuzz input."""
    kind = rng.random()
    if kind < 0.4:
        return mutated_text(rng)
    data = mutated_data(rng) if kind < 0.8 else {"version": 1, "jobs": generated(rng)}
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, RecursionError):
        return mutated_text(rng)


@dataclass(frozen=True)
class Outcome:
    code: int
    stderr: str
    seconds: float
    peak_rss_mb: float

    @property
    def crashed(self) -> bool:
        return self.code not in (0, 1, 2) or "Traceback" in self.stderr


def run_plan(text: str, root: Path) -> Outcome:
    """Write `text` as the only spec under `root` and run `segspec plan --json` in-process."""
    specs = root / "specs"
    (specs / "media").mkdir(parents=True, exist_ok=True)
    (specs / "media" / "in.mp4").write_bytes(b"not really a video")
    for old in specs.glob("*.yaml"):
        old.unlink()
    (specs / "fuzz.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    err = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = entrypoint(
            ["--no-color", "--specs", str(specs), "--backend", "local", "plan", "--json"]
        )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Outcome(code, err.getvalue(), seconds, peak)
