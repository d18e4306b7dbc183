"""Which state store a project uses: `--state`, `SEGSPEC_STATE`, a `state:` block, or the
default local file, strongest first. A value is a path or `s3://BUCKET/KEY` /
`oss://BUCKET/KEY`. Making a remote store sends nothing; the first request is the lock.
"""

from __future__ import annotations

import re
from pathlib import Path

from segspec.errors import SegspecError
from segspec.spec.models import StateConfig
from segspec.state.base import StateBackend

ENV_STATE = "SEGSPEC_STATE"
DEFAULT_FILE = "segspec.state.json"
_URL = re.compile(r"^(?P<scheme>s3|oss)://(?P<bucket>[^/]+)/(?P<key>.*[^/])$")


def parse_state_url(value: str, base: StateConfig | None = None) -> StateConfig:
    """`s3://BUCKET/KEY`, `oss://BUCKET/KEY` or a path, as a StateConfig. A URL keeps the
    endpoint and region of the `state:` block `base`, when it has them."""
    if "://" not in value:
        return StateConfig(type="local", path=value)
    match = _URL.match(value)
    if match is None:
        raise SegspecError(
            f"--state {value!r} is not a state location — use a file path, "
            "s3://BUCKET/KEY or oss://BUCKET/KEY"
        )
    endpoint = base.endpoint if base is not None and base.type != "local" else None
    region = base.region if base is not None and base.type != "local" else None
    return StateConfig(
        type=match["scheme"],  # type: ignore[arg-type]
        bucket=match["bucket"],
        key=match["key"],
        endpoint=endpoint,
        region=region,
    )


def make_state_backend(config: StateConfig | None, root: Path) -> StateBackend:
    """The store `config` names (None: the default file `root/segspec.state.json`; a
    relative `path` is relative to `root`)."""
    if config is None or config.type == "local":
        raw = Path(config.path) if config is not None and config.path else Path(DEFAULT_FILE)
        path = raw if raw.is_absolute() else root / raw
        from segspec.state.store import FileStateBackend

        return FileStateBackend(path)
    from segspec.state.s3 import S3Access, S3StateBackend
    from segspec.storage.s3 import S3Place, make_client

    assert config.bucket and config.key  # checked when the block was read
    client = make_client(S3Place(config.type, config.endpoint, config.region))
    return S3StateBackend(S3Access(client, config.bucket, config.key, config.type))
