"""Rough parameter checks for SubmitSegmentationJob, in the service's words.

Only what the reference documents is checked; anything subtler is accepted, as the real
service may be more lenient than segspec's own spec validation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from segspec.testing.ice_emulator.errors import ApiError, invalid, missing

USER_DATA_MAX_BYTES = 512
_OSS_HTTP = re.compile(
    r"^https?://[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\.oss-(?P<region>[a-z0-9-]+?)(?:-internal)?"
    r"\.aliyuncs\.com/.+$"
)
_OSS_ENDPOINT = re.compile(
    r"^(?:https?://)?oss-(?P<region>[a-z0-9-]+?)(?:-internal)?\.aliyuncs\.com/?$"
)
_MEDIA_ID = re.compile(r"^[0-9A-Za-z]{32}$")


@dataclass(frozen=True)
class Submission:
    """A SubmitSegmentationJob request that passed the checks, decoded."""

    input_config: dict[str, Any]
    job_params: dict[str, Any]
    output_config: dict[str, Any]
    user_data: str | None
    client_token: str | None


def check_submission(params: Mapping[str, str], region: str) -> Submission:
    """Decode and check the request's parameters; raise `ApiError` like the service would."""
    decoded: dict[str, dict[str, Any]] = {}
    for name in ("InputConfig", "JobParams", "OutputConfig"):
        raw = params.get(name)
        if raw is None or not raw.strip():
            raise missing(name)
        decoded[name] = _json_object(name, raw)
    _check_input(decoded["InputConfig"], region)
    _check_params(decoded["JobParams"])
    _check_output(decoded["OutputConfig"], region)
    user_data = params.get("UserData")
    if user_data is not None:
        if len(user_data.encode()) > USER_DATA_MAX_BYTES:
            raise invalid(f"UserData exceeds {USER_DATA_MAX_BYTES} bytes.")
        _json_object("UserData", user_data)
    return Submission(
        input_config=decoded["InputConfig"],
        job_params=decoded["JobParams"],
        output_config=decoded["OutputConfig"],
        user_data=user_data,
        client_token=params.get("ClientToken") or None,
    )


def _json_object(name: str, raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        raise invalid(f"The parameter {name} is not valid JSON.") from None
    if not isinstance(value, dict):
        raise invalid(f"The parameter {name} must be a JSON object.")
    return value


def _check_input(config: dict[str, Any], region: str) -> None:
    kind, media = config.get("Type"), config.get("Media")
    if kind not in ("OSS", "Media"):
        raise invalid("InputConfig.Type must be OSS or Media.")
    if not isinstance(media, str) or not media:
        raise missing("InputConfig.Media")
    if kind == "Media":
        if not _MEDIA_ID.match(media):
            raise invalid("InputConfig.Media is not a valid media ID.")
        return
    if media.startswith("oss://"):
        return
    match = _OSS_HTTP.match(media)
    if not match:
        raise invalid("InputConfig.Media: custom domain names are not supported.")
    if match["region"] != region:
        raise ApiError(
            400,
            "InvalidParameter.RegionMismatch",
            f"The region of InputConfig.Media ({match['region']}) does not match the region "
            f"of the endpoint ({region}).",
        )


def _check_params(params: dict[str, Any]) -> None:
    mode = params.get("Mode")
    if mode not in ("UserDefined", "BasicClipSplit"):
        raise invalid("JobParams.Mode must be UserDefined or BasicClipSplit.")
    if mode == "BasicClipSplit":
        return
    ranges = params.get("Ranges")
    if not isinstance(ranges, list) or not ranges:
        raise missing("JobParams.Ranges")
    for i, item in enumerate(ranges):
        start = item.get("In") if isinstance(item, dict) else None
        end = item.get("Out") if isinstance(item, dict) else None
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (start, end))
        if not numbers or start < 0 or end <= start:  # type: ignore[operator]
            raise invalid(f"JobParams.Ranges[{i}] needs numbers In >= 0 and Out > In.")


def _check_output(config: dict[str, Any], region: str) -> None:
    if config.get("OutputMediaTarget") != "oss-object":
        raise invalid("OutputConfig.OutputMediaTarget must be oss-object.")
    for name in ("Bucket", "ObjectKey"):
        if not isinstance(config.get(name), str) or not config[name]:
            raise missing(f"OutputConfig.{name}")
    if "{index}" not in config["ObjectKey"]:
        raise invalid("OutputConfig.ObjectKey must contain the placeholder {index}.")
    endpoint = config.get("Endpoint")
    if endpoint is None:
        return
    match = _OSS_ENDPOINT.match(str(endpoint))
    if not match:
        raise invalid("OutputConfig.Endpoint: custom domain names are not supported.")
    if match["region"] != region:
        raise ApiError(
            400,
            "InvalidParameter.RegionMismatch",
            f"The region of OutputConfig.Endpoint ({match['region']}) does not match the "
            f"region of the endpoint ({region}).",
        )
