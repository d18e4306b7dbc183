"""Plan-time region checks: mismatches and custom domains, with file:line:col."""

from __future__ import annotations

from pathlib import Path

from segspec.backends.ice.checks import region_problems
from segspec.spec.loader import load_specs

SPEC = """\
version: 1
backend:
  type: ice
  region: cn-shanghai
defaults:
  OutputConfig:
    OutputMediaTarget: oss-object
    Bucket: media-out
    Endpoint: https://oss-cn-beijing.aliyuncs.com
jobs:
  good:
    InputConfig: {Type: OSS, Media: "https://media-in.oss-cn-shanghai.aliyuncs.com/a.mp4"}
    JobParams: {Mode: BasicClipSplit}
    OutputConfig:
      Endpoint: https://oss-cn-shanghai-internal.aliyuncs.com
      ObjectKey: "good/{index}.mp4"
  elsewhere:
    InputConfig:
      Type: OSS
      Media: "https://media-in.oss-cn-hangzhou.aliyuncs.com/a.mp4"
    JobParams: {Mode: BasicClipSplit}
    OutputConfig:
      ObjectKey: "elsewhere/{index}.mp4"
  cdn:
    InputConfig: {Type: OSS, Media: "https://cdn.example.com/a.mp4"}
    JobParams: {Mode: BasicClipSplit}
    OutputConfig:
      Endpoint: https://storage.example.com
      ObjectKey: "cdn/{index}.mp4"
  local:
    InputConfig: {Type: OSS, Media: media/sample.mp4}
    JobParams: {Mode: BasicClipSplit}
    OutputConfig:
      Endpoint: https://oss-cn-shanghai.aliyuncs.com
      ObjectKey: "local/{index}.mp4"
"""


def test_ice_checks_report_every_mismatch_with_position(tmp_path: Path) -> None:
    specs = load_specs(_write(tmp_path))
    problems = region_problems(
        specs.jobs.values(), "cn-shanghai", backend_where="jobs.yaml:2", display=lambda p: p.name
    )

    assert problems == [
        "jobs.yaml:25:30: jobs.cdn.InputConfig.Media: 'https://cdn.example.com/a.mp4' is not an "
        "OSS address and ICE takes no custom domain names — use "
        "http(s)://bucket.oss-<region>.aliyuncs.com/key or oss://bucket/key",
        "jobs.yaml:28:7: jobs.cdn.OutputConfig.Endpoint: 'https://storage.example.com' is not "
        "an OSS endpoint and ICE takes no custom domain names — write "
        "https://oss-cn-shanghai.aliyuncs.com or leave Endpoint out",
        "jobs.yaml:20:7: jobs.elsewhere.InputConfig.Media: the input is in OSS region "
        "cn-hangzhou but the backend's region is cn-shanghai (backend at jobs.yaml:2) — ICE "
        "only reads inputs from its own region; copy the object to a bucket in cn-shanghai or "
        "set backend.region: cn-hangzhou",
        "jobs.yaml:9:5: jobs.elsewhere.OutputConfig.Endpoint: the output endpoint is in region "
        "cn-beijing but the backend's region is cn-shanghai (backend at jobs.yaml:2) — write "
        "https://oss-cn-shanghai.aliyuncs.com or leave Endpoint out",
        "jobs.yaml:31:30: jobs.local.InputConfig.Media: 'media/sample.mp4' is a local file, "
        "which the ice backend cannot read — upload it to OSS and write oss://bucket/key, or "
        "use the local backend",
    ]


def test_ice_checks_need_a_region() -> None:
    (problem,) = region_problems([], None, backend_where="specs/a.yaml:2")
    assert problem.startswith("specs/a.yaml:2: backend.region: the ice backend needs one of")


def _write(directory: Path) -> Path:
    (directory / "jobs.yaml").write_text(SPEC)
    return directory
