"""Drift of outputs held in an S3-compatible store (OSS for ICE), against moto's S3 server
and the ICE emulator, both on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from segspec.backends import registry
from segspec.backends.ice import RetryPolicy, make_ice_backend
from segspec.backends.objects import ObjectStat
from segspec.backends.s3objects import S3Objects, s3_objects_for
from segspec.cli.main import entrypoint
from segspec.engine.drift import gather_drift, measure_outputs
from segspec.errors import BackendError
from segspec.spec.models import BackendConfig
from segspec.state.model import JobRecord, OutputRecord
from segspec.testing.ice_emulator import IceEmulator, ServiceSettings
from tests.backends.s3server import S3Server, loopback_only

KEY_ID = "LTAIdrifttestkey01"
PLANTED_SECRET = "planted-DRIFT-SECRET-41c8a0"
BUCKET = "media-out"
ICE = BackendConfig(type="ice", region="cn-shanghai")


@pytest.fixture
def s3(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> S3Server:
    """An S3 server holding one empty bucket, where segspec looks for ICE outputs."""
    loopback_only(monkeypatch, tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", PLANTED_SECRET)
    monkeypatch.delenv("ALIBABA_CLOUD_SECURITY_TOKEN", raising=False)
    monkeypatch.setenv("SEGSPEC_OUTPUT_ENDPOINT", s3_server.url)
    s3_server.reset()
    s3_server.client().create_bucket(Bucket=BUCKET)
    return s3_server


def s3_store() -> S3Objects:
    store = s3_objects_for(ICE, max_attempts=1)
    assert isinstance(store, S3Objects)
    return store


def put(s3: S3Server, key: str, body: bytes) -> None:
    s3.client().put_object(Bucket=BUCKET, Key=key, Body=body)


def finished(address: str, *keys: str) -> JobRecord:
    return JobRecord(
        address=address,
        backend="ice",
        request={},
        fingerprint="sha256:" + "0" * 64,
        client_token=f"segspec-{address}",
        job_id=f"job-{address}",
        status="Finished",
        submitted_at="2026-11-23T10:00:00Z",
        updated_at="2026-11-23T10:01:00Z",
        outputs=[OutputRecord(index=i, bucket=BUCKET, object_key=k) for i, k in enumerate(keys)],
    )


def recorded(record: JobRecord) -> JobRecord:
    """`record` with its outputs measured in the store, as apply records them."""
    outputs, note = measure_outputs(list(record.outputs), s3_store())
    assert note == ""
    return record.model_copy(update={"outputs": outputs})


def test_drift_s3_measure_records_size_and_etag(s3: S3Server) -> None:
    put(s3, "clips/a_0.mp4", b"first clip")
    put(s3, "clips/a_1.mp4", b"the second clip")

    record = recorded(finished("a", "clips/a_0.mp4", "clips/a_1.mp4"))

    assert [(o.size, o.etag, o.sha256) for o in record.outputs] == [
        (10, hashlib.md5(b"first clip").hexdigest(), None),
        (15, hashlib.md5(b"the second clip").hexdigest(), None),
    ]
    assert gather_drift({"a": record}, ["a"], s3_store()) == {}


def test_drift_s3_missing_output_is_drift_with_reason(s3: S3Server) -> None:
    put(s3, "clips/a_0.mp4", b"first clip")
    put(s3, "clips/a_1.mp4", b"the second clip")
    put(s3, "clips/b_0.mp4", b"other job")
    records = {
        "a": recorded(finished("a", "clips/a_0.mp4", "clips/a_1.mp4")),
        "b": recorded(finished("b", "clips/b_0.mp4")),
    }
    s3.client().delete_object(Bucket=BUCKET, Key="clips/a_1.mp4")

    drift = gather_drift(records, ["a", "b"], s3_store())

    assert drift == {"a": ("output missing: media-out/clips/a_1.mp4",)}


def test_drift_s3_reuploaded_output_same_size_is_drift_by_etag(s3: S3Server) -> None:
    put(s3, "clips/a_0.mp4", b"first clip")
    records = {"a": recorded(finished("a", "clips/a_0.mp4"))}
    put(s3, "clips/a_0.mp4", b"FIRST CLIP")  # same size, other content

    drift = gather_drift(records, ["a"], s3_store())

    old, new = hashlib.md5(b"first clip").hexdigest(), hashlib.md5(b"FIRST CLIP").hexdigest()
    assert drift == {"a": (f"output changed: media-out/clips/a_0.mp4 ETag {old} → {new}",)}


def test_drift_s3_reuploaded_output_other_size_is_drift_by_size(s3: S3Server) -> None:
    put(s3, "clips/a_0.mp4", b"first clip")
    records = {"a": recorded(finished("a", "clips/a_0.mp4"))}
    put(s3, "clips/a_0.mp4", b"a longer first clip")

    (reason,) = gather_drift(records, ["a"], s3_store())["a"]

    assert reason.startswith("output changed: media-out/clips/a_0.mp4 size ")


class _Refusing:
    """A store whose every stat is refused, counting the attempts."""

    def __init__(self) -> None:
        self.stats = 0

    def stat(self, bucket: str, key: str) -> ObjectStat | None:
        self.stats += 1
        raise BackendError("HeadObject refused: 403 (HTTP 403)", code="403")

    def delete(self, bucket: str, key: str) -> bool:
        raise AssertionError("measuring never deletes")

    def describe(self, bucket: str, key: str) -> str:
        return f"oss://{bucket}/{key}"


def test_drift_s3_measure_keeps_outputs_when_store_missing_or_refusing(s3: S3Server) -> None:
    put(s3, "clips/a_0.mp4", b"first clip")
    outputs = list(finished("a", "clips/a_0.mp4", "clips/a_1.mp4").outputs)

    measured, note = measure_outputs(outputs, s3_store())
    assert [o.size for o in measured] == [10, None]
    assert note == "; not in the store yet: oss://media-out/clips/a_1.mp4"

    refusing = _Refusing()
    measured, note = measure_outputs(outputs, refusing)
    assert measured == outputs
    assert refusing.stats == 1  # the first refusal stops the rest
    assert note == "; sizes and checksums not recorded: HeadObject refused: 403 (HTTP 403)"


def test_drift_s3_measure_leaves_measured_outputs_alone() -> None:
    local = OutputRecord(index=0, bucket=BUCKET, object_key="k", size=3, sha256="ab" * 32)
    refusing = _Refusing()

    assert measure_outputs([local], refusing) == ([local], "")
    assert refusing.stats == 0


# --- end to end: segspec CLI, the ICE SDK against the emulator, outputs in the S3 server ---

SPEC = """\
version: 1
backend:
  type: ice
  region: cn-shanghai
  endpoint: {endpoint}
defaults:
  InputConfig: {{Type: OSS, Media: "https://media-in.oss-cn-shanghai.aliyuncs.com/raw/in.mp4"}}
  OutputConfig: {{OutputMediaTarget: oss-object, Bucket: media-out}}
jobs:
  cut0:
    JobParams: {{Mode: UserDefined, Ranges: [{{In: 0, Out: 10}}, {{In: 20, Out: 30}}]}}
    OutputConfig: {{ObjectKey: "clips/cut0_{{index}}.mp4"}}
  cut1:
    JobParams: {{Mode: UserDefined, Ranges: [{{In: 0, Out: 10}}, {{In: 20, Out: 30}}]}}
    OutputConfig: {{ObjectKey: "clips/cut1_{{index}}.mp4"}}
"""
KEYS = ("clips/cut0_0.mp4", "clips/cut0_1.mp4", "clips/cut1_0.mp4", "clips/cut1_1.mp4")


@pytest.fixture
def emulator() -> Iterator[IceEmulator]:
    emu = IceEmulator({KEY_ID: PLANTED_SECRET}, service=ServiceSettings(polls_to_finish=1)).start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def quick_ice(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry's ice factory, polling without waits and retrying on a fake clock."""
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    def factory(config: Any, store_root: Path) -> Any:
        return make_ice_backend(
            config,
            retry=RetryPolicy(max_attempts=5, max_total_seconds=1e6),
            sleep=sleep,
            clock=lambda: now[0],
            poll_seconds=0.0,
            seed=3,
        )

    entry = dataclasses.replace(registry.REGISTRY["ice"], make=factory)
    monkeypatch.setitem(registry.REGISTRY, "ice", entry)


def run(capsys: pytest.CaptureFixture[str], specs: Path, *args: str) -> tuple[int, str, str]:
    code = entrypoint(["--specs", str(specs), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_drift_s3_end_to_end_deleted_output_plans_replace_for_that_job_only(
    s3: S3Server,
    emulator: IceEmulator,
    quick_ice: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    specs = tmp_path / "proj" / "specs"
    specs.mkdir(parents=True)
    (specs / "jobs.yaml").write_text(SPEC.format(endpoint=emulator.url))
    bodies = {key: f"clip {key}".encode() * (i + 1) for i, key in enumerate(KEYS)}
    for key, body in bodies.items():  # where the service writes its outputs
        put(s3, key, body)

    code, out, err = run(capsys, specs, "apply", "--auto-approve")

    assert code == 0, err
    state = json.loads((specs.parent / "segspec.state.json").read_text())
    outputs = [o for job in ("cut0", "cut1") for o in state["jobs"][job]["outputs"]]
    assert [(o["object_key"], o["size"], o["etag"]) for o in outputs] == [
        (key, len(body), hashlib.md5(body).hexdigest()) for key, body in bodies.items()
    ]
    assert run(capsys, specs, "plan")[1].startswith("No changes.")

    s3.client().delete_object(Bucket=BUCKET, Key="clips/cut0_1.mp4")  # by hand, outside segspec

    code, out, err = run(capsys, specs, "plan", "--detailed-exitcode")
    assert code == 2, err
    assert "output missing: media-out/clips/cut0_1.mp4" in out
    code, out, _ = run(capsys, specs, "plan", "--json")
    changes = {c["address"]: c for c in json.loads(out)["changes"]}
    assert changes["cut0"]["actions"] == ["delete", "create"]
    assert changes["cut0"]["reasons"] == ["output missing: media-out/clips/cut0_1.mp4"]
    assert changes["cut1"]["actions"] == ["no-op"]

    code, out, _ = run(capsys, specs, "plan", "--refresh=false")
    assert out.startswith("No changes.")
    assert emulator.service.counters.jobs_created == 2
