"""pydantic models that mirror the service's request parameters exactly.

Names are the service's own and case-sensitive (`InputConfig`, `JobParams`, ...), so a
job body in a spec reads like the service's documentation. segspec's own settings live in
lower-case blocks (`local`, `lifecycle`) that are never sent to the service.

Every custom error message ends with a remedy; the loader prefixes file:line:col and the
key path.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from segspec.spec.paths import key_problem

SUPPORTED_REGIONS = (
    "cn-shanghai",
    "cn-beijing",
    "cn-hangzhou",
    "cn-shenzhen",
    "us-west-1",
    "ap-southeast-1",
)
USER_DATA_MAX_BYTES = 512
# Bucket names as OSS and S3 define them: 3-63 lower-case letters, digits and hyphens.
BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
OSS_URL_RE = re.compile(r"^oss://(?P<bucket>[^/]+)/(?P<key>.+)$")
S3_URL_RE = re.compile(r"^s3://(?P<bucket>[^/]+)/(?P<key>.+)$")
OSS_HTTP_RE = re.compile(
    r"^https?://(?P<bucket>[a-z0-9][a-z0-9-]{1,61}[a-z0-9])\.oss-(?P<region>[a-z0-9-]+?)"
    r"(?P<internal>-internal)?\.aliyuncs\.com/(?P<key>.+)$"
)
MEDIA_ID_RE = re.compile(r"^[0-9A-Za-z]{32}$")
JOB_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _fail(kind: str, message: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, ctx or None)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Range(_Strict):
    """One UserDefined time range, in seconds of the input."""

    In: float = Field(ge=0, description="Start of the range in seconds (e.g. 0).")
    Out: float = Field(description="End of the range in seconds (e.g. 10); greater than In.")

    @field_validator("Out")
    @classmethod
    def _out_after_in(cls, value: float, info: ValidationInfo) -> float:
        start = info.data.get("In")
        if start is not None and value <= start:
            raise _fail(
                "range_order",
                "must be greater than In ({start}), got {value} — make Out the later time",
                start=_num(start),
                value=_num(value),
            )
        return value


class JobParams(_Strict):
    """How to segment: by explicit ranges or by shot detection."""

    Mode: Literal["UserDefined", "BasicClipSplit"] = Field(
        description="UserDefined: cut the Ranges. BasicClipSplit: split at scene changes."
    )
    Ranges: list[Range] | None = Field(
        default=None,
        validate_default=True,
        description="Time ranges to cut; required and non-empty for UserDefined only.",
    )

    @field_validator("Ranges")
    @classmethod
    def _ranges_match_mode(cls, value: list[Range] | None, info: ValidationInfo) -> Any:
        mode = info.data.get("Mode")
        if mode == "UserDefined" and not value:
            raise _fail(
                "ranges_required",
                "Mode UserDefined needs at least one range — add "
                "Ranges: [{In: 0, Out: 10}] or use Mode BasicClipSplit",
            )
        if mode == "BasicClipSplit" and value is not None:
            raise _fail(
                "ranges_forbidden",
                "Ranges is not allowed with Mode BasicClipSplit (shots are found "
                "automatically) — remove Ranges or use Mode UserDefined",
            )
        return value


class InputConfig(_Strict):
    """What to segment: an OSS object (or a local file, for the local engine) or a media ID."""

    Type: Literal["OSS", "Media"] = Field(description="OSS: an object URL. Media: a media ID.")
    Media: str = Field(
        description=(
            "Type OSS: oss://bucket/key or http(s)://bucket.oss-<region>.aliyuncs.com/key "
            "(local engine also: s3://bucket/key, a path or file:// URL). Type Media: a "
            "32-character media ID."
        )
    )

    @field_validator("Media")
    @classmethod
    def _media_matches_type(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("Type")
        if kind == "Media":
            if not MEDIA_ID_RE.match(value):
                raise _fail(
                    "media_id",
                    "a media ID is 32 letters and digits, got {value} ({n} characters) — "
                    "copy the ID exactly, or use Type OSS with a URL or path",
                    value=repr(value),
                    n=len(value),
                )
        elif kind == "OSS":
            check_oss_media(value)
        return value


def is_oss_http_url(value: str) -> bool:
    """True for http(s)://bucket.oss-<region>.aliyuncs.com/key, the only HTTP form ICE takes."""
    return OSS_HTTP_RE.match(value) is not None


def check_oss_media(value: str) -> None:
    """Raise a custom error unless `value` is a URL or path the OSS input type accepts."""
    if not value.strip():
        raise _fail("media_empty", "must not be empty — give oss://bucket/key or a path")
    if value.startswith(("oss://", "s3://")):
        match = OSS_URL_RE.match(value) or S3_URL_RE.match(value)
        if not match or not BUCKET_RE.match(match["bucket"]):
            raise _fail(
                "oss_url",
                "{value} is not a valid OSS URL — write oss://bucket/key with a bucket "
                "name of 3-63 lower-case letters, digits and hyphens",
                value=repr(value),
            )
        _check_input_key(match["key"])
        return
    if http := OSS_HTTP_RE.match(value):
        _check_input_key(unquote(http["key"]))
    if value.startswith(("http://", "https://")):
        # Any http(s) URL is fine for the local engine; the ice backend's plan-time checks
        # reject custom domains (see `is_oss_http_url`).
        return
    if "://" in value and not value.startswith("file://"):
        raise _fail(
            "url_scheme",
            "unsupported URL scheme in {value} — use oss://, s3://, http(s)://, file:// or a path",
            value=repr(value),
        )


def _check_input_key(key: str) -> None:
    problem = key_problem(key)
    if problem is not None:
        raise _fail("oss_key", "the object key {key} {problem}", key=repr(key), problem=problem)


class VideoConfig(_Strict):
    """Output video stream settings."""

    Codec: Literal["H.264", "H.265"] | None = Field(
        default=None, description="Video codec; default H.264."
    )
    Bitrate: int | None = Field(default=None, gt=0, description="Target bitrate in kbps.")
    Crf: int | None = Field(default=None, ge=0, le=51, description="Constant rate factor 0-51.")
    Fps: float | None = Field(default=None, gt=0, le=120, description="Output frame rate.")


class OutputConfig(_Strict):
    """Where and how the clips are written."""

    OutputMediaTarget: Literal["oss-object"] = Field(description="Target type: oss-object.")
    Endpoint: str | None = Field(
        default=None, description="S3-protocol endpoint; default: the region's OSS endpoint."
    )
    Bucket: str = Field(description="Output bucket.")
    ObjectKey: str = Field(description="Object name; must contain {index} (counts from 0).")
    ExportAsNewMedia: bool = Field(
        default=False, description="Also register each output as a new media asset."
    )
    Width: int | None = Field(default=None, gt=0, description="Output width in px.")
    Height: int | None = Field(default=None, gt=0, description="Output height in px.")
    Video: VideoConfig | None = Field(default=None, description="Output video settings.")

    @field_validator("Bucket")
    @classmethod
    def _bucket_name(cls, value: str) -> str:
        if not BUCKET_RE.match(value):
            raise _fail(
                "bucket_name",
                "{value} is not a valid bucket name — use 3-63 lower-case letters, digits "
                "and hyphens, starting and ending with a letter or digit",
                value=repr(value),
            )
        return value

    @field_validator("ObjectKey")
    @classmethod
    def _object_key(cls, value: str) -> str:
        if "{index}" not in value:
            stem, dot, ext = value.rpartition(".")
            example = f"{stem}_{{index}}.{ext}" if dot and stem else f"{value}_{{index}}.mp4"
            raise _fail(
                "object_key_index",
                'must contain {placeholder} — e.g. "{example}"',
                placeholder="{index}",
                example=example,
            )
        problem = key_problem(value)
        if problem is not None:
            raise _fail(
                "object_key_path",
                '{problem} (e.g. "{example}")',
                problem=problem,
                example="clips/shot_{index}.mp4",
            )
        return value

    @field_validator("Endpoint")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+/?$", value):
            raise _fail(
                "endpoint",
                "{value} is not an endpoint URL — write it like "
                "https://oss-cn-shanghai.aliyuncs.com",
                value=repr(value),
            )
        return value


class DetectorOptions(_Strict):
    """Shot-detector knobs for BasicClipSplit on the local engine (never sent to ICE)."""

    threshold: float | None = Field(
        default=None, gt=0, description="Cut sensitivity (0..1); lower finds more. Default 0.2."
    )
    min_shot_seconds: float | None = Field(
        default=None, gt=0, description="No two boundaries closer than this. Default 0.5 s."
    )


class LocalOptions(_Strict):
    """Settings for the embedded local engine only; the ice backend ignores them."""

    preset: (
        Literal[
            "ultrafast",
            "superfast",
            "veryfast",
            "faster",
            "fast",
            "medium",
            "slow",
            "slower",
            "veryslow",
        ]
        | None
    ) = Field(default=None, description="x264/x265 speed preset; default veryfast.")
    detector: DetectorOptions | None = Field(default=None, description="BasicClipSplit knobs.")
    allow_outside_project: bool | None = Field(
        default=None,
        description="Allow a path or file:// input outside the project directory (default: "
        "refused, since specs may come from untrusted pull requests).",
    )


class Lifecycle(_Strict):
    """What segspec does with a job's outputs when the job goes away."""

    prune_outputs: bool = Field(
        default=False,
        description="Delete the recorded outputs when the job is removed from the specs.",
    )


class JobBody(_Strict):
    """One segmentation job: the service's request plus segspec's own blocks."""

    InputConfig: InputConfig
    JobParams: JobParams
    OutputConfig: OutputConfig
    UserData: dict[str, Any] | None = Field(
        default=None, description="Free-form data echoed back by the service (≤ 512 bytes)."
    )
    local: LocalOptions | None = None
    lifecycle: Lifecycle | None = None

    @field_validator("UserData")
    @classmethod
    def _user_data_size(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            size = len(json.dumps(value, sort_keys=True, separators=(",", ":")).encode())
            if size > USER_DATA_MAX_BYTES:
                raise _fail(
                    "user_data_size",
                    "is {size} bytes as JSON, over the service's limit of {limit} — shorten it",
                    size=size,
                    limit=USER_DATA_MAX_BYTES,
                )
        return value


class BackendConfig(_Strict):
    """Which engine runs the jobs of a spec directory."""

    type: Literal["local", "ice"] = Field(default="local", description="local or ice.")
    region: str | None = Field(default=None, description="ICE region, e.g. cn-shanghai.")
    endpoint: str | None = Field(default=None, description="Override the ICE API endpoint.")
    store: str | None = Field(
        default=None, description="Local engine: object store directory (default .segspec)."
    )
    object_endpoint: str | None = Field(
        default=None,
        description="Local engine: S3-protocol endpoint of the object store that outputs are "
        "uploaded to (unless a job's OutputConfig.Endpoint says otherwise) and oss:// and "
        "s3:// inputs are read from (default: the local store directory).",
    )

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and value not in SUPPORTED_REGIONS:
            raise _fail(
                "region",
                "{value} is not a region the service supports — use one of {regions}",
                value=repr(value),
                regions=", ".join(SUPPORTED_REGIONS),
            )
        return value


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class StateConfig(_Strict):
    """Where the state lives: a local file (the default) or an object in a bucket."""

    type: Literal["local", "s3", "oss"] = Field(
        default="local", description="local (a file), s3 (any S3-compatible store) or oss."
    )
    path: str | None = Field(
        default=None, description="local: the state file (default segspec.state.json)."
    )
    bucket: str | None = Field(default=None, description="s3/oss: the bucket.")
    key: str | None = Field(
        default=None, description="s3/oss: the state object's key, e.g. clips/segspec.state.json."
    )
    endpoint: str | None = Field(
        default=None,
        description="s3/oss: endpoint URL (default: AWS_ENDPOINT_URL; for oss the region's).",
    )
    region: str | None = Field(default=None, description="s3/oss: region, e.g. cn-shanghai.")

    @field_validator("key")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        if value is not None and (not value or value.startswith("/") or value.endswith("/")):
            raise _fail(
                "state_key",
                "{value} is not an object key — use a relative key such as "
                '"clips/segspec.state.json"',
                value=repr(value),
            )
        return value
