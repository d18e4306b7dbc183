"""The one-decode split's pipeline: IDR frames at clip starts, audio per clip, and what a
failure or an interrupt in the middle of the pass leaves behind (nothing)."""

from __future__ import annotations

import errno
import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import pytest

from segspec.backends.local import encoding, onepass
from segspec.backends.local.split import split_shots
from segspec.cli.main import entrypoint
from segspec.errors import MediaError
from segspec.media.ffmpeg import run_ffmpeg
from tests.spec.hostile import job

FPS = 25
RATE = 48000


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 one-second shots of distinct hues, with a tone: more shots than the look-ahead."""
    src = tmp_path_factory.mktemp("onepass") / "many.mp4"
    graph = "[0:v]hue=h='floor(t)*97':s=2,drawgrid=w=16:h=16:c=white@0.4[v]"
    run_ffmpeg(
        ["-f", "lavfi", "-i", f"color=c=red:s=96x54:r={FPS}:d=12",
         "-f", "lavfi", "-i", f"sine=f=440:r={RATE}:d=12", "-filter_complex", graph,
         "-map", "[v]", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-y", str(src)],
        what="making many-shot source",
    )  # fmt: skip
    return src


def _video_and_audio(path: Path) -> tuple[list[bool], int]:
    """Key flags of the clip's video packets, in decode order, and its audio samples."""
    with av.open(str(path)) as container:
        keys = [p.is_keyframe for p in container.demux(video=0) if p.size]
    with av.open(str(path)) as container:
        samples = sum(f.samples for f in container.decode(audio=0))
    return keys, samples


@pytest.mark.slow
def test_every_clip_starts_on_an_idr_frame_and_keeps_its_own_audio(
    many: Path, tmp_path: Path
) -> None:
    clips = split_shots(many, {}, {"preset": "ultrafast"}, tmp_path / "o", ".mp4")
    assert len(clips) == 12
    for clip in clips:
        keys, samples = _video_and_audio(clip.path)
        frames = clip.last_frame - clip.first_frame + 1
        assert len(keys) == frames
        assert keys[0], f"clip {clip.index} does not start on a keyframe"
        # a keyframe in mp4 is a sync sample: decoding may start there, with nothing before
        with av.open(str(clip.path)) as container:
            first = next(container.decode(video=0))
        assert first.key_frame
        # the audio of the clip's own time: within one AAC frame (1024 samples) plus the
        # encoder's priming at either end
        assert abs(samples - frames / FPS * RATE) <= 3 * 1024, (clip.index, samples)


def _fail_after(packets: int, exc: BaseException) -> Any:
    """A `_Run.mux_video` that muxes `packets` packets and then raises `exc`."""
    real = onepass._Run.mux_video
    seen = [0]

    def mux(self: onepass._Run, batch: list[Any]) -> None:
        seen[0] += len(batch)
        if seen[0] > packets:
            raise exc
        real(self, batch)

    return mux


def _encoder_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "segspec-encode"]


@pytest.mark.slow
def test_a_write_failing_on_the_encoder_thread_leaves_no_clip(
    many: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the disk fills up after five clips' worth of video: the error raised on the encoder
    # thread reaches the caller, the thread ends, and no clip (whole or partial) is left
    full = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "o" / "5.mp4"))
    monkeypatch.setattr(onepass._Run, "mux_video", _fail_after(5 * FPS, full))
    out = tmp_path / "o"
    with pytest.raises(OSError) as caught:
        split_shots(many, {}, {"preset": "ultrafast"}, out, ".mp4")
    assert caught.value.errno == errno.ENOSPC
    assert caught.value.filename is not None
    assert list(out.iterdir()) == []
    assert _encoder_threads() == []


@pytest.mark.slow
def test_an_interrupt_mid_pass_stops_the_encoder_and_leaves_no_clip(
    many: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = onepass._Run.video
    count = [0]

    def video(self: onepass._Run, frame: av.VideoFrame) -> None:
        count[0] += 1
        if count[0] == 8 * FPS:  # Ctrl-C while clips are open and frames are queued
            raise KeyboardInterrupt
        real(self, frame)

    monkeypatch.setattr(onepass._Run, "video", video)
    out = tmp_path / "o"
    with pytest.raises(KeyboardInterrupt):
        split_shots(many, {}, {"preset": "ultrafast"}, out, ".mp4")
    assert list(out.iterdir()) == []
    assert _encoder_threads() == []


class _Refusing:
    """The job's real encoder, which refuses (with libav's own error) after `frames` frames."""

    def __init__(self, enc: av.VideoCodecContext, frames: int) -> None:
        self.enc, self.left, self.name = enc, frames, enc.name

    def encode(self, frame: av.VideoFrame | None) -> list[av.Packet]:
        self.left -= 1
        if self.left < 0:
            raise av.error.ExternalError(-542398533, "Generic error in an external library")
        return self.enc.encode(frame)


@pytest.mark.slow
@pytest.mark.parametrize("frames", [100, 12 * FPS], ids=["mid-pass", "at-the-flush"])
def test_an_encoder_refusal_is_a_media_error_and_leaves_no_clip(
    many: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, frames: int
) -> None:
    # 12 * FPS: every frame is taken, then the final flush (encode(None)) fails, which
    # must neither hang the pass (the thread waiting for a second end mark) nor pass
    real = encoding.EncoderThread.__init__

    def refusing(self: encoding.EncoderThread, enc: Any, sink: Any, what: str) -> None:
        real(self, _Refusing(enc, frames), sink, what)  # type: ignore[arg-type]

    monkeypatch.setattr(encoding.EncoderThread, "__init__", refusing)
    out = tmp_path / "o"
    with pytest.raises(MediaError, match=r"encoding many\.mp4 with libx264 failed") as caught:
        split_shots(many, {}, {"preset": "ultrafast"}, out, ".mp4")
    assert caught.value.code == "FfmpegFailed"
    assert list(out.iterdir()) == []
    assert _encoder_threads() == []


@pytest.mark.slow
def test_a_failed_encode_records_the_job_failed_with_its_reason(
    project: Callable[[str], Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = job().replace("Mode: UserDefined, Ranges: [{In: 0, Out: 1}]", "Mode: BasicClipSplit")
    root = project(spec + "    local: {preset: ultrafast}\n")
    real = encoding.EncoderThread.__init__

    def refusing(self: encoding.EncoderThread, enc: Any, sink: Any, what: str) -> None:
        real(self, _Refusing(enc, 40), sink, what)  # type: ignore[arg-type]

    monkeypatch.setattr(encoding.EncoderThread, "__init__", refusing)

    def apply() -> tuple[int, str]:
        capsys.readouterr()
        code = entrypoint(["--no-color", "--specs", str(root / "specs"), "apply", "--auto-approve"])
        return code, capsys.readouterr().err

    code, err = apply()
    assert code == 1, err
    assert "Traceback" not in err
    record = json.loads((root / "segspec.state.json").read_text())["jobs"]["a"]
    assert record["status"] == "Failed"
    assert record["error"]["code"] == "FfmpegFailed"
    assert "encoding numbered.mp4 with libx264 failed" in record["error"]["message"]
    assert "external library" in record["error"]["message"]
    assert not list((root / ".segspec").rglob("*.mp4"))  # no clip, whole or partial
    assert _encoder_threads() == []
    monkeypatch.undo()
    code, err = apply()
    assert code == 0, err  # the failed job is run again and finishes


def test_quick_switching_restores_the_interval_when_the_last_pass_ends() -> None:
    before = sys.getswitchinterval()
    first, second = encoding.quick_switching(), encoding.quick_switching()
    first.__enter__()
    assert sys.getswitchinterval() == pytest.approx(encoding.SWITCH_INTERVAL)
    second.__enter__()  # a second job's pass, on another thread, overlapping the first
    first.__exit__(None, None, None)
    assert sys.getswitchinterval() == pytest.approx(
        encoding.SWITCH_INTERVAL
    )  # the second still runs
    second.__exit__(None, None, None)
    assert sys.getswitchinterval() == before
