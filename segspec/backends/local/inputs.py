"""Resolve an InputConfig to a file on this machine, and describe its identity.

Accepted: a path (relative to the spec file), `file://`, `oss://bucket/key` and
`http(s)://bucket.oss-<region>.aliyuncs.com/key` (both looked up in the local object
store), other `http(s)://` URLs (downloaded once into the store's cache), and media IDs
from the local catalog.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from segspec.backends.local.store import LocalStore, sha256_file
from segspec.errors import MediaError
from segspec.spec.models import OSS_HTTP_RE, OSS_URL_RE
from segspec.spec.paths import local_path
from segspec.state.atomic import write_atomic

HTTP_TIMEOUT = 30.0


def resolve_input(config: Mapping[str, Any], base_dir: Path, store: LocalStore) -> Path:
    """The local file an InputConfig names; raises `MediaError` when there is none."""
    media = str(config["Media"])
    if config["Type"] == "Media":
        path = store.media_path(media)
        if path is None:
            raise MediaError(
                f"media ID {media} is not in the local catalog {store.catalog_path} — "
                "register the file with `segspec media add FILE` or use Type OSS",
                code="InvalidParameter.MediaNotFound",
            )
        return path
    if match := OSS_URL_RE.match(media):
        return store.object_path(match["bucket"], match["key"])
    if match := OSS_HTTP_RE.match(media):
        return store.object_path(match["bucket"], unquote(match["key"]))
    if media.startswith(("http://", "https://")):
        return _download(media, store)
    path = local_path(media, base_dir)
    if path is None:
        raise MediaError(f"cannot resolve input {media!r} — use a path, file:// or oss:// URL")
    return path


def _download(url: str, store: LocalStore) -> Path:
    name = hashlib.sha256(url.encode()).hexdigest()[:24]
    dest = store.root / "cache" / "http" / name
    if dest.exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".part")
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as response, tmp.open("wb") as out:
            shutil.copyfileobj(response, out)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        tmp.unlink(missing_ok=True)
        raise MediaError(
            f"cannot download {url} ({exc}) — check the URL", code="InputNotFound"
        ) from exc
    tmp.replace(dest)
    return dest


class HashCache:
    """sha256 of local files, kept by (path, size, mtime) so unchanged files are not reread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, list[Any]] = {}
        self._dirty = False
        if path.exists():
            try:
                self._entries = json.loads(path.read_text("utf-8"))
            except (OSError, json.JSONDecodeError):
                self._entries = {}  # a cache: losing it only costs rehashing

    def identity(self, file: Path) -> dict[str, Any]:
        """{path, size, mtime_ns, sha256} of `file`; raises OSError if it cannot be read."""
        stat = file.stat()
        key = str(file)
        cached = self._entries.get(key)
        if cached and cached[0] == stat.st_size and cached[1] == stat.st_mtime_ns:
            digest = str(cached[2])
        else:
            digest = sha256_file(file)
            self._entries[key] = [stat.st_size, stat.st_mtime_ns, digest]
            self._dirty = True
        return {"path": key, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}

    def save(self) -> None:
        if self._dirty:
            write_atomic(self.path, json.dumps(self._entries, sort_keys=True).encode())
            self._dirty = False


def input_identity(
    config: Mapping[str, Any], base_dir: Path, store: LocalStore, cache: HashCache
) -> dict[str, Any]:
    """The identity of a local-engine input, or `{"error": ...}` when it cannot be read.

    Plain http(s) URLs are identified by the URL alone (their content is read at apply).
    """
    media = str(config["Media"])
    if (
        config["Type"] == "OSS"
        and media.startswith(("http://", "https://"))
        and not OSS_HTTP_RE.match(media)
    ):
        return {"url": media}
    try:
        path = resolve_input(config, base_dir, store)
        return cache.identity(path)
    except MediaError as exc:
        return {"error": str(exc)}
    except OSError as exc:
        return {"error": f"cannot read input {media}: {exc.strerror or exc}"}
