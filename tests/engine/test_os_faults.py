"""OSErrors on the user's side during apply and media add: exit 1, the job recorded Failed
with the reason, no temporary file left, nothing recorded lost (fault injection at the
store's file-system calls; as root, permission bits would not stop the writes)."""

from __future__ import annotations

import errno
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from segspec.backends.local.store import LocalStore
from segspec.cli.main import entrypoint
from tests.spec.hostile import job

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.delenv("SEGSPEC_BACKEND", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = entrypoint(["--no-color", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (errno.EACCES, "permission denied"),
        (errno.ENOSPC, "the disk is full"),
        (errno.EROFS, "read-only"),
        (errno.ENAMETOOLONG, "too long"),
    ],
)
def test_os_fault_in_local_engine_records_failed(
    code: int,
    text: str,
    project: Callable[[str], Path],
    cli: Run,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = project(job() + "    local: {preset: ultrafast}\n")
    specs = str(root / "specs")

    def refuse(self: LocalStore, src: Path, bucket: str, key: str) -> tuple[Path, int, str]:
        raise OSError(code, "injected", str(self.objects / bucket / key))

    monkeypatch.setattr(LocalStore, "put_object", refuse)
    status, _, err = cli("--specs", specs, "apply", "--auto-approve")
    assert status == 1, err
    assert "Traceback" not in err
    state = json.loads((root / "segspec.state.json").read_text())
    record = state["jobs"]["a"]
    assert record["status"] == "Failed"
    assert record["error"]["code"] == "LocalFileSystemError"
    assert text in record["error"]["message"].lower()
    work = root / ".segspec" / "work"
    assert not work.exists() or not any(work.rglob("*.mp4"))  # no clip left behind
    monkeypatch.undo()
    status, _, err = cli("--specs", specs, "apply", "--auto-approve")
    assert status == 0, err  # fixed: the failed job is retried and finishes
    assert json.loads((root / "segspec.state.json").read_text())["jobs"]["a"]["status"] == (
        "Finished"
    )


def test_os_fault_in_media_add(
    project: Callable[[str], Path], cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(job())
    video = root / "specs" / "media" / "numbered.mp4"

    def full(src: object, dst: object, **kwargs: object) -> None:
        Path(str(dst)).write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(shutil, "copyfile", full)
    status, _, err = cli("--specs", str(root / "specs"), "media", "add", str(video))
    assert status == 1, err
    assert "No space left on device" in err and "free some space" in err
    assert "Traceback" not in err
    assert not list((root / ".segspec").rglob("numbered.mp4"))  # the partial copy is gone


@pytest.mark.slow
def test_clip_write_refused_in_one_pass_split_records_failed(
    project: Callable[[str], Path], cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # BasicClipSplit writes its clips from PyAV (one decode), not through the store: a
    # refused write there is the same user-facing failure, not "InputCorrupt"
    spec = job().replace("Mode: UserDefined, Ranges: [{In: 0, Out: 1}]", "Mode: BasicClipSplit")
    assert "BasicClipSplit" in spec
    root = project(spec)
    real = LocalStore.work_dir

    def blocked(self: LocalStore, name: str) -> Path:
        path = real(self, name)
        (path / "0.mp4").mkdir(exist_ok=True)  # the first clip cannot be written
        return path

    monkeypatch.setattr(LocalStore, "work_dir", blocked)
    status, _, err = cli("--specs", str(root / "specs"), "apply", "--auto-approve")
    assert status == 1, err
    assert "Traceback" not in err
    record = json.loads((root / "segspec.state.json").read_text())["jobs"]["a"]
    assert record["status"] == "Failed"
    assert record["error"]["code"] == "LocalFileSystemError"
    assert "is a directory" in record["error"]["message"].lower()
