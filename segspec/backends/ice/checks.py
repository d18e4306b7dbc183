"""Plan-time checks for the ice backend: what the service would refuse, caught before I/O.

The service requires the OSS region of the input and of the output endpoint to equal the
region of the API endpoint, and takes no custom domain names. These checks run on the
loaded specs (no network) and report every problem with the file:line:col of the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from segspec.spec.models import OSS_HTTP_RE, OSS_URL_RE, SUPPORTED_REGIONS
from segspec.spec.yamlpos import Located, Path_, read_yaml_file

OSS_ENDPOINT_RE = re.compile(
    r"^(?:https?://)?oss-(?P<region>[a-z0-9-]+?)(?P<internal>-internal)?\.aliyuncs\.com/?$"
)


class CheckedJob(Protocol):
    """What the checks read from a loaded job."""

    @property
    def address(self) -> str: ...
    @property
    def file(self) -> Path: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def request(self) -> Mapping[str, Any]: ...


def region_problems(
    jobs: Iterable[CheckedJob],
    region: str | None,
    *,
    backend_where: str | None = None,
    display: Any = str,
) -> list[str]:
    """Every `file:line:col: path: message — remedy` line for jobs ICE would refuse.

    `backend_where` (`file:line`) is where the backend block stands, for the messages;
    `display(path)` renders a file path the way the rest of segspec's messages do.
    """
    where = f" (backend at {backend_where})" if backend_where else ""
    if region is None or region not in SUPPORTED_REGIONS:
        at = backend_where or "backend"
        return [
            f"{at}: backend.region: the ice backend needs one of {', '.join(SUPPORTED_REGIONS)}, "
            f"got {region!r} — add region: cn-shanghai (or your region) to the backend block"
        ]
    problems: list[str] = []
    parsed: dict[Path, Located | None] = {}
    for job in jobs:
        for path, message in _job_problems(job.request, region, where):
            full: Path_ = ("jobs", job.address, *path)
            if job.file not in parsed:
                parsed[job.file] = _located(job.file)
            line, column = _position(parsed[job.file], full, job.line, job.column)
            problems.append(f"{display(job.file)}:{line}:{column}: {_render(full)}: {message}")
    return problems


def _job_problems(request: Mapping[str, Any], region: str, where: str) -> list[tuple[Path_, str]]:
    found: list[tuple[Path_, str]] = []
    source = request.get("InputConfig") or {}
    media = str(source.get("Media", ""))
    if source.get("Type") == "OSS":
        match = OSS_HTTP_RE.match(media)
        if media.startswith(("http://", "https://")) and match is None:
            found.append(
                (
                    ("InputConfig", "Media"),
                    f"{media!r} is not an OSS address and ICE takes no custom domain names — "
                    "use http(s)://bucket.oss-<region>.aliyuncs.com/key or oss://bucket/key",
                )
            )
        elif match is not None and match["region"] != region:
            found.append(
                (
                    ("InputConfig", "Media"),
                    f"the input is in OSS region {match['region']} but the backend's region is "
                    f"{region}{where} — ICE only reads inputs from its own region; copy the "
                    f"object to a bucket in {region} or set backend.region: {match['region']}",
                )
            )
        elif match is None and not OSS_URL_RE.match(media):
            found.append(
                (
                    ("InputConfig", "Media"),
                    f"{media!r} is a local file, which the ice backend cannot read — upload it "
                    "to OSS and write oss://bucket/key, or use the local backend",
                )
            )
    output = request.get("OutputConfig") or {}
    endpoint = output.get("Endpoint")
    if endpoint:
        match = OSS_ENDPOINT_RE.match(str(endpoint))
        if match is None:
            found.append(
                (
                    ("OutputConfig", "Endpoint"),
                    f"{endpoint!r} is not an OSS endpoint and ICE takes no custom domain names "
                    f"— write https://oss-{region}.aliyuncs.com or leave Endpoint out",
                )
            )
        elif match["region"] != region:
            found.append(
                (
                    ("OutputConfig", "Endpoint"),
                    f"the output endpoint is in region {match['region']} but the backend's "
                    f"region is {region}{where} — write https://oss-{region}.aliyuncs.com or "
                    "leave Endpoint out",
                )
            )
    return found


def _located(file: Path) -> Located | None:
    try:
        return read_yaml_file(file)
    except Exception:  # the loader already reported unreadable files
        return None


def _position(located: Located | None, path: Path_, line: int, column: int) -> tuple[int, int]:
    """Where `path` is written: in the job itself, else in the file's defaults, else the job."""
    if located is None:
        return line, column
    if located.has(path):
        return located.position(path)
    from_defaults: Path_ = ("defaults", *path[2:])
    if located.has(from_defaults):
        return located.position(from_defaults)
    return line, column


def _render(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
