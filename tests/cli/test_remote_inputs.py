"""Local-engine inputs read from an S3-compatible store (moto on loopback): identified by
size and ETag at plan time (a HEAD), downloaded once per ETag at apply time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from segspec.cli.main import entrypoint
from tests.backends.s3server import S3Server, loopback_only

SPEC = """\
version: 1
engine: {{type: local, object_endpoint: '{url}'}}
defaults:
  JobParams: {{Mode: UserDefined, Ranges: [{{In: 0, Out: 0.4}}]}}
  OutputConfig: {{OutputMediaTarget: oss-object, Bucket: media-out}}
  local: {{preset: ultrafast}}
jobs:
  by_url:
    InputConfig: {{Type: OSS, Media: oss://media-in/src/numbered.mp4}}
    OutputConfig: {{ObjectKey: "a/clip_{{index}}.mp4"}}
  by_host:
    InputConfig: {{Type: OSS, Media: "{host_url}"}}
    OutputConfig: {{ObjectKey: "b/clip_{{index}}.mp4"}}
"""

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def s3(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> S3Server:
    loopback_only(monkeypatch, tmp_path)
    for name in ("SEGSPEC_STATE", "SEGSPEC_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    s3_server.reset()
    for bucket in ("media-in", "media-out"):
        s3_server.client().create_bucket(Bucket=bucket)
    return s3_server


def test_remote_inputs_read_once_identified_by_etag(
    project: Callable[[str], Path],
    numbered_video: Path,
    s3: S3Server,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    s3.client().upload_file(str(numbered_video), "media-in", "src/numbered.mp4")
    host_url = s3.url.replace("http://", "http://media-in.") + "/src/numbered.mp4"
    root = project(SPEC.format(url=s3.url, host_url=host_url))

    def run(*args: str) -> tuple[int, str]:
        monkeypatch.chdir(root)
        capsys.readouterr()
        code = entrypoint(["--no-color", *args])
        out, err = capsys.readouterr()
        return code, out + err

    code, text = run("apply", "--auto-approve")
    assert code == 0, text
    assert "Apply complete: 2 finished" in text
    cache = root / ".segspec" / "cache" / "objects"
    assert len(list(cache.iterdir())) == 1  # both jobs read the one downloaded copy
    keys = s3.client().list_objects_v2(Bucket="media-out")["Contents"]
    assert sorted(k["Key"] for k in keys) == [
        "a/clip_0.mp4",
        "a/clip_first-last-frames.jpg",  # each job's picture goes beside its outputs
        "b/clip_0.mp4",
        "b/clip_first-last-frames.jpg",
    ]

    # Planning never downloads: with the cache gone the plan is still a no-op.
    for file in cache.iterdir():
        file.unlink()
    code, text = run("plan", "--detailed-exitcode")
    assert code == 0, text
    assert list(cache.iterdir()) == []

    # A changed remote input is seen by its ETag and size.
    s3.client().put_object(Bucket="media-in", Key="src/numbered.mp4", Body=b"not a video")
    code, text = run("plan", "--detailed-exitcode")
    assert code == 2
    assert "input changed" in text and "by_url" in text and "by_host" in text
