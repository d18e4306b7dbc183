"""Normalization: specs that mean the same request get the same fingerprint."""

from __future__ import annotations

from pathlib import Path

from segspec.spec.loader import load_specs
from segspec.spec.normalize import canonical_json, client_token, fingerprint

BASE = """\
version: 1
jobs:
  a:
    InputConfig: {Type: OSS, Media: in.mp4}
    JobParams:
      Mode: UserDefined
      Ranges: [{In: 10, Out: 20}]
    OutputConfig:
      OutputMediaTarget: oss-object
      Bucket: clips
      ObjectKey: a_{index}.mp4
"""

SAME_MEANING = """\
version: 1
defaults:
  OutputConfig:
    Bucket: clips
jobs:
  a:
    OutputConfig:
      ExportAsNewMedia: false
      ObjectKey: a_{index}.mp4
      OutputMediaTarget: oss-object
    JobParams:
      Ranges:
        - Out: 20.0
          In: 10.0
      Mode: UserDefined
    InputConfig:
      Media: in.mp4
      Type: OSS
"""

IDENTITY = {"path": "/x/in.mp4", "size": 100, "mtime_ns": 1, "sha256": "ab" * 32}


def load_one(tmp_path: Path, text: str, sub: str) -> tuple[dict[str, object], str]:
    specs = tmp_path / sub
    specs.mkdir()
    (specs / "a.yaml").write_text(text, encoding="utf-8")
    job = load_specs(specs).jobs["a"]
    return job.request, fingerprint(job.request, job.local, IDENTITY)


def test_normalize_same_meaning_same_fingerprint(tmp_path: Path) -> None:
    request_a, print_a = load_one(tmp_path, BASE, "one")
    request_b, print_b = load_one(tmp_path, SAME_MEANING, "two")
    assert canonical_json(request_a) == canonical_json(request_b)
    assert print_a == print_b


def test_normalize_fills_defaults_and_drops_nones(tmp_path: Path) -> None:
    request, _ = load_one(tmp_path, BASE, "one")
    assert request["OutputConfig"] == {
        "OutputMediaTarget": "oss-object",
        "Bucket": "clips",
        "ObjectKey": "a_{index}.mp4",
        "ExportAsNewMedia": False,
    }
    assert request["JobParams"] == {"Mode": "UserDefined", "Ranges": [{"In": 10.0, "Out": 20.0}]}
    assert "UserData" not in request and "local" not in request


def test_normalize_real_change_changes_fingerprint(tmp_path: Path) -> None:
    _, base = load_one(tmp_path, BASE, "one")
    _, moved = load_one(tmp_path, BASE.replace("Out: 20", "Out: 21"), "two")
    _, exported = load_one(
        tmp_path, BASE.replace("ObjectKey: a_", "ExportAsNewMedia: true\n      ObjectKey: a_"), "t"
    )
    assert len({base, moved, exported}) == 3


def test_normalize_fingerprint_counts_content_not_mtime_or_path() -> None:
    request = {"JobParams": {"Mode": "UserDefined"}}
    touched = {**IDENTITY, "mtime_ns": 999, "path": "/elsewhere/in.mp4"}
    assert fingerprint(request, {}, IDENTITY) == fingerprint(request, {}, touched)
    changed = {**IDENTITY, "sha256": "cd" * 32}
    assert fingerprint(request, {}, IDENTITY) != fingerprint(request, {}, changed)
    assert fingerprint(request, {}, IDENTITY) != fingerprint(request, {"preset": "slow"}, IDENTITY)


def test_normalize_client_token_stable_per_attempt() -> None:
    token = client_token("a", "sha256:x", 1)
    assert token == client_token("a", "sha256:x", 1)
    assert len(token) <= 64
    assert len({token, client_token("a", "sha256:x", 2), client_token("b", "sha256:x", 1)}) == 3


def test_normalize_canonical_json_sorted_compact() -> None:
    assert canonical_json({"b": 1, "a": [1.5, "é"]}) == '{"a":[1.5,"é"],"b":1}'
