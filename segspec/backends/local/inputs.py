"""Resolve an InputConfig to a file on this machine, and describe its identity.

Accepted: a path (relative to the spec file), `file://`, `oss://bucket/key` and
`http(s)://bucket.oss-<region>.aliyuncs.com/key` (both looked up in the local object
store), other `http(s)://` URLs (downloaded once into the store's cache), and media IDs
from the local catalog.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from segspec.backends.local.store import LocalStore, sha256_file
from segspec.errors import BackendError, MediaError
from segspec.spec.models import OSS_HTTP_RE, OSS_URL_RE, S3_URL_RE
from segspec.spec.paths import FileStat, Resolver, local_file, local_path
from segspec.state.atomic import write_atomic

if TYPE_CHECKING:
    from segspec.backends.s3objects import S3Objects

HTTP_TIMEOUT = 30.0


@dataclass(frozen=True)
class RemoteInputs:
    """Where `oss://`, `s3://` and `http(s)://BUCKET.ENDPOINT/KEY` inputs are read from
    when the local engine has an `object_endpoint`; `open` makes the store (lazily)."""

    endpoint: str
    open: Callable[[str], S3Objects]

    def locate(self, media: str) -> tuple[str, str] | None:
        """(bucket, key) when `media` names an object of this store."""
        if match := OSS_URL_RE.match(media) or S3_URL_RE.match(media):
            return match["bucket"], match["key"]
        if media.startswith(("http://", "https://")):
            parts = urlsplit(media)
            host = urlsplit(self.endpoint).netloc
            bucket, _, rest = parts.netloc.partition(".")
            if rest == host and parts.path.strip("/"):
                return bucket, unquote(parts.path.lstrip("/"))
        return None

    def identity(self, media: str, bucket: str, key: str) -> dict[str, Any]:
        try:
            found = self.open(self.endpoint).stat(bucket, key)
        except BackendError as exc:
            return {"error": str(exc)}
        if found is None:
            return {"error": f"input {media} does not exist at {self.endpoint}"}
        return {"url": f"s3://{bucket}/{key}", "size": found.size, "etag": found.etag}

    def fetch(self, media: str, bucket: str, key: str, store: LocalStore) -> Path:
        """The object as a local file, downloaded once per ETag into the store's cache."""
        objects = self.open(self.endpoint)
        found = objects.stat(bucket, key)
        if found is None:
            raise MediaError(
                f"input {media} does not exist at {self.endpoint} — check the bucket and key",
                code="InputNotFound",
            )
        name = hashlib.sha256(f"{self.endpoint}\n{bucket}\n{key}".encode()).hexdigest()[:24]
        dest = store.root / "cache" / "objects" / f"{name}-{(found.etag or 'none')[:40]}"
        if dest.is_file() and dest.stat().st_size == found.size:
            return dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_suffix(".part")
        objects.download(bucket, key, tmp)
        tmp.replace(dest)
        return dest


def resolve_input(
    config: Mapping[str, Any],
    base_dir: Path,
    store: LocalStore,
    remote: RemoteInputs | None = None,
    resolver: Resolver | None = None,
) -> Path:
    """The local file an InputConfig names; raises `MediaError` when there is none."""
    media = str(config["Media"])
    if remote is not None and config["Type"] == "OSS":
        where = remote.locate(media)
        if where is not None:
            return remote.fetch(media, *where, store)
    if config["Type"] == "Media":
        path = store.media_path(media)
        if path is None:
            raise MediaError(
                f"media ID {media} is not in the local catalog {store.catalog_path} — "
                "register the file with `segspec media add FILE` or use Type OSS",
                code="InvalidParameter.MediaNotFound",
            )
        return path
    if match := OSS_URL_RE.match(media) or S3_URL_RE.match(media):
        return store.object_path(match["bucket"], match["key"])
    if match := OSS_HTTP_RE.match(media):
        return store.object_path(match["bucket"], unquote(match["key"]))
    if media.startswith(("http://", "https://")):
        return _download(media, store)
    path = local_path(media, base_dir, resolver)
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
    """sha256 of local files, kept by (path, size, mtime) so unchanged files are not reread.

    The file is read on first use only: a plan whose inputs and outputs all match their
    recorded size and mtime never opens it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, list[Any]] | None = None
        self._dirty = False
        self.hashed = 0
        """Files read to hash them through this cache (tests count them)."""

    @property
    def entries(self) -> dict[str, list[Any]]:
        if self._entries is None:
            self._entries = {}
            try:
                data = json.loads(self.path.read_text("utf-8"))
            except (OSError, ValueError):
                data = None  # a cache: losing it only costs rehashing
            if isinstance(data, dict):
                self._entries = data
        return self._entries

    def identity(
        self, file: Path | str, stat: os.stat_result | FileStat | None = None
    ) -> dict[str, Any]:
        """{path, size, mtime_ns, sha256} of `file`; raises OSError if it cannot be read.
        `stat` is the file's `os.stat` when the caller just made it."""
        stat = stat or os.stat(file)
        key = str(file)
        cached = self.entries.get(key)
        if cached and cached[0] == stat.st_size and cached[1] == stat.st_mtime_ns:
            digest = str(cached[2])
        else:
            digest = sha256_file(Path(file))
            self.hashed += 1
            self.remember(key, stat.st_size, stat.st_mtime_ns, digest)
        return {"path": key, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}

    def remember(self, file: Path | str, size: int, mtime_ns: int, digest: str) -> None:
        """Record a sha256 computed elsewhere (apply hashes what it writes)."""
        key = str(file)
        if self.entries.get(key) != [size, mtime_ns, digest]:
            self.entries[key] = [size, mtime_ns, digest]
            self._dirty = True

    def save(self) -> None:
        if self._dirty and self._entries is not None:
            with contextlib.suppress(OSError):  # only a cache
                write_atomic(self.path, json.dumps(self._entries, sort_keys=True).encode())
            self._dirty = False


def known_identity(
    path: str, info: os.stat_result | FileStat, known: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """The recorded identity of `path` when the file still has its recorded size and
    mtime (its sha256 is then taken as recorded, as the hash cache would), else None."""
    if (
        known is not None
        and known.get("path") == path
        and known.get("size") == info.st_size
        and known.get("mtime_ns") == info.st_mtime_ns
        and isinstance(known.get("sha256"), str)
    ):
        return {"path": path, "size": info.st_size, "mtime_ns": info.st_mtime_ns,
                "sha256": known["sha256"]}  # fmt: skip
    return None


def input_identity(
    config: Mapping[str, Any],
    base_dir: Path | str,
    store: LocalStore,
    cache: HashCache,
    remote: RemoteInputs | None = None,
    resolver: Resolver | None = None,
    known: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The identity of a local-engine input, or `{"error": ...}` when it cannot be read.

    Objects of the remote store are identified by size and ETag (a HEAD, no download);
    plain http(s) URLs by the URL alone (their content is read at apply). `known` is the
    identity the state recorded: a path input that still has its size and mtime keeps
    its recorded sha256 (one stat, no hash cache).
    """
    media = str(config["Media"])
    if remote is not None and config["Type"] == "OSS":
        where = remote.locate(media)
        if where is not None:
            return remote.identity(media, *where)
    if (
        config["Type"] == "OSS"
        and media.startswith(("http://", "https://"))
        and not OSS_HTTP_RE.match(media)
    ):
        return {"url": media}
    try:
        if config["Type"] == "OSS" and "://" not in media:  # a path: most jobs at scale
            base = os.fspath(base_dir)
            found = resolver.local(media, base) if resolver else local_file(media, base)
            if found is not None:
                info = (resolver.take_stat(found) if resolver else None) or os.stat(found)
                return known_identity(found, info, known) or cache.identity(found, info)
        path = resolve_input(config, Path(base_dir), store, resolver=resolver)
        return cache.identity(path)
    except MediaError as exc:
        return {"error": str(exc)}
    except OSError as exc:
        return {"error": f"cannot read input {media}: {exc.strerror or exc}"}
