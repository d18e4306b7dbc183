"""Probing inputs for the plan's foresight: once per content, then kept by content."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import segspec.media.probe as probing
from segspec.backends.local.inputs import HashCache
from segspec.backends.local.store import LocalStore
from segspec.engine.foresight import gather_media
from segspec.plan.model import Want


class Probes:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[Path] = []
        real = probing.probe

        def counting(path: Path) -> Any:
            self.paths.append(path)
            return real(path)

        monkeypatch.setattr(probing, "probe", counting)  # foresight imports it on a miss


def wants_for(files: list[Path], cache: HashCache) -> list[Want]:
    return [
        Want(
            address=f"job{n}",
            backend="local",
            request={"InputConfig": {"Type": "OSS", "Media": file.name}},
            local={},
            input=cache.identity(file),
            fingerprint="sha256:x",
            base_dir=str(file.parent),
        )
        for n, file in enumerate(files)
    ]


def test_foresight_probes_each_content_once_and_keeps_it(
    tmp_path: Path, numbered_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [tmp_path / f"ep{n}.mp4" for n in range(3)]
    for file in files:
        shutil.copyfile(numbered_video, file)
    store = LocalStore(tmp_path / ".segspec")
    hashes = HashCache(tmp_path / "sha256.json")
    probes = Probes(monkeypatch)
    first = gather_media(wants_for(files, hashes), store)
    assert len(probes.paths) == 1  # three files, one content
    assert {f.frames for f in first.values()} == {first["job0"].frames}
    assert first["job0"].frames and first["job0"].fps and first["job0"].duration

    again = gather_media(wants_for(files, hashes), store)  # a later plan: from the cache
    assert len(probes.paths) == 1
    assert again == first

    other = tmp_path / "other.mp4"
    data = numbered_video.read_bytes()
    other.write_bytes(data[: len(data) // 2])  # other content: probed (and found broken)
    found = gather_media(wants_for([other], hashes), store)
    assert len(probes.paths) == 2
    assert found["job0"] != first["job0"]


def test_foresight_corrupt_cache_is_probed_again(
    tmp_path: Path, numbered_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "ep.mp4"
    shutil.copyfile(numbered_video, file)
    store = LocalStore(tmp_path / ".segspec")
    hashes = HashCache(tmp_path / "sha256.json")
    first = gather_media(wants_for([file], hashes), store)
    (store.root / "cache" / "media.json").write_text("{not json", encoding="utf-8")
    probes = Probes(monkeypatch)
    assert gather_media(wants_for([file], hashes), store) == first
    assert len(probes.paths) == 1


def test_a_kept_probe_does_not_import_pyav(tmp_path: Path) -> None:
    """Foresight imports PyAV (~0.2 s) only to probe a content not kept yet."""
    code = (
        "import sys\n"
        "from segspec.engine.foresight import gather_media\n"
        "print('av' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]
