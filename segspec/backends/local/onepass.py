"""BasicClipSplit in one decode: the same decoded frames feed the detector and the encoder.

The source is decoded once (PyAV, on the same libav* libraries ffmpeg uses). Each frame
gives the detector its 64x36 thumbnail and waits in a bounded queue until the detector
has settled every boundary up to it (a fixed look-ahead of about four seconds of video,
whatever the video's length); then it goes to one libx264/libx265 encoder, with an IDR
frame forced on every shot's first frame. Encoded packets are routed by frame number to
one mp4 per shot, audio is re-encoded (AAC) into the clip whose time it falls in. So
clips are frame-exact, cover every frame once, and the job costs about one encode of the
whole file. Memory is the queue (look-ahead frames) plus the open clips, not the video.
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
from av.video.frame import PictureType

from segspec.backends.local.encoding import THUMB_BATCH, EncoderThread, quick_switching, thread_name
from segspec.backends.progress import current, frame_progress
from segspec.detect import Boundary, Shot, ShotFinder, settings
from segspec.detect.frames import FRAME_BYTES, THUMB_H, THUMB_W
from segspec.detect.shots import shots_from_boundaries
from segspec.errors import MediaError
from segspec.media.encode import DEFAULT_CRF, DEFAULT_PRESET, ENCODERS
from segspec.media.probe import MediaInfo
from segspec.spec.models import DetectorOptions

AUDIO_BITRATE = 128_000


def output_size(width: int, height: int, output: Mapping[str, Any]) -> tuple[int, int]:
    """The encoded size, as `media.encode.scale_filter` would make it (even, aspect kept)."""
    want_w, want_h = output.get("Width"), output.get("Height")
    if not want_w and not want_h:
        return width, height

    def even(v: Any) -> int:
        return max(2, int(v) - int(v) % 2)

    if want_w and want_h:
        return even(want_w), even(want_h)
    if want_w:
        w = even(want_w)
        return w, max(2, round(height * w / width / 2) * 2)
    h = even(want_h)
    return max(2, round(width * h / height / 2) * 2), h


def _encoder(
    output: Mapping[str, Any], local: Mapping[str, Any], size: tuple[int, int], fps: Fraction
) -> av.VideoCodecContext:
    video: Mapping[str, Any] = output.get("Video") or {}
    codec = ENCODERS[str(video.get("Codec") or "H.264")]
    enc = av.CodecContext.create(codec, "w")
    assert isinstance(enc, av.VideoCodecContext)
    enc.width, enc.height = size
    enc.pix_fmt = "yuv420p"
    enc.time_base = 1 / fps
    enc.framerate = fps
    options = {"preset": str(local.get("preset") or DEFAULT_PRESET), "forced-idr": "1"}
    if codec == "libx265":
        options["x265-params"] = "log-level=error"
    bitrate, crf = video.get("Bitrate"), video.get("Crf")
    if bitrate is not None:
        kbps = int(bitrate)
        options |= {"b": f"{kbps}k", "maxrate": f"{kbps * 3 // 2}k", "bufsize": f"{kbps * 2}k"}
        if crf is not None:
            options["crf"] = str(int(crf))
    else:
        options["crf"] = str(int(crf) if crf is not None else DEFAULT_CRF)
    enc.options = options
    # frame and slice threads, as ffmpeg's own CLI asks for: with SLICE alone (PyAV's
    # default) libx264 switches to sliced threads, which are far slower on few cores
    enc.thread_type = "AUTO"
    with thread_name(f"seg:{codec}"):  # x264/x265 start their worker threads here
        enc.open()
    return enc


@dataclass
class _Clip:
    container: av.container.OutputContainer
    video: av.video.stream.VideoStream
    audio: av.audio.stream.AudioStream | None
    first: int
    samples: int = 0


class _Clips:
    """The open clip files, in order; clip i holds source frames starts[i]..starts[i+1]-1."""

    def __init__(self, pattern: Path, suffix: str, codec: str, size: tuple[int, int],
                 fps: Fraction, audio: av.audio.stream.AudioStream | None) -> None:  # fmt: skip
        self.pattern, self.suffix, self.codec, self.size, self.fps = (
            pattern,
            suffix,
            codec,
            size,
            fps,
        )
        self.audio_src = audio
        self.starts: list[int] = [0]
        self.start_set: set[int] = {0}
        self.open: dict[int, _Clip] = {}
        self.written: list[Path] = []  # every clip file this pass created
        self.closed = -1  # every clip up to this index is finished

    def index_of(self, frame: int) -> int:
        return bisect.bisect_right(self.starts, frame) - 1

    def get(self, index: int) -> _Clip:
        clip = self.open.get(index)
        if clip is None:
            if index <= self.closed:
                raise MediaError("internal: a clip was written to after it was closed")
            path = self.pattern / f"{index}{self.suffix}"
            options = (
                {"movflags": "+faststart"}
                if self.suffix.lower() in (".mp4", ".mov", ".m4v")
                else {}
            )
            out = av.open(str(path), "w", options=options)
            self.written.append(path)
            name = "hevc" if self.codec == "libx265" else "h264"
            v = out.add_mux_stream(name, rate=self.fps, width=self.size[0], height=self.size[1])
            v.time_base = 1 / self.fps
            if name == "hevc":
                v.codec_tag = "hvc1"
            a = None
            if self.audio_src is not None:
                a = out.add_stream("aac", rate=self.audio_src.rate)
                a.layout = self.audio_src.layout
                a.bit_rate = AUDIO_BITRATE
            clip = _Clip(out, v, a, self.starts[index])  # type: ignore[arg-type]
            self.open[index] = clip
        return clip

    def take_before(self, index: int) -> list[_Clip]:
        """Take the open clips before `index` off the open list (to be `finish`ed)."""
        indices = sorted(k for k in self.open if k < index)
        if indices:
            self.closed = max(self.closed, indices[-1])
        return [self.open.pop(i) for i in indices]

    @staticmethod
    def finish(clip: _Clip) -> None:
        """Flush a taken clip's audio and close its file (`+faststart` rewrites it here)."""
        if clip.audio is not None:
            for p in clip.audio.encode(None):
                clip.container.mux(p)
        clip.container.close()

    def discard(self) -> None:
        """After a failure: close what is open and remove every clip written so far."""
        for clip in self.take_before(len(self.starts)):
            with contextlib.suppress(av.FFmpegError, OSError):
                clip.container.close()
        for path in self.written:
            path.unlink(missing_ok=True)

    def close_all(self) -> None:
        for clip in self.take_before(len(self.starts)):
            self.finish(clip)


def split_one_pass(
    src: Path,
    info: MediaInfo,
    output: Mapping[str, Any],
    local: Mapping[str, Any],
    workdir: Path,
    suffix: str,
    options: DetectorOptions | None,
) -> list[Shot]:
    """Detect and cut `src` in one decode; write shot i to `workdir / f"{i}{suffix}"`."""
    threshold, min_seconds = settings(options)
    finder = ShotFinder(info.fps, threshold=threshold, min_shot_seconds=min_seconds)
    found: list[Boundary] = []
    try:
        with av.open(str(src)) as inp:
            vs = inp.streams.video[0]
            vs.thread_type = "AUTO"
            a_src = inp.streams.audio[0] if info.has_audio and inp.streams.audio else None
            size = output_size(vs.codec_context.width, vs.codec_context.height, output)
            enc = _encoder(output, local, size, info.fps)
            clips = _Clips(workdir, suffix, enc.name, size, info.fps, a_src)
            run = _Run(finder, enc, clips, info.fps, size, found, Thumbnailer(vs), src.name)
            streams = [vs] if a_src is None else [vs, a_src]
            frames = info.frames or round(info.duration * float(info.fps)) or None
            # one decode detects and encodes: its progress is the frames decoded
            report = frame_progress(current(), frames, "split")
            with quick_switching():  # the encoder thread gets the lock back promptly
                try:
                    for packet in inp.demux(*streams):
                        for frame in packet.decode():
                            if isinstance(frame, av.VideoFrame):
                                run.video(frame)
                                if run.decoded % THUMB_BATCH == 0:
                                    report(run.decoded)
                            elif isinstance(frame, av.AudioFrame):
                                run.audio(frame)
                    run.finish()
                    report(frames or run.decoded)
                except BaseException:
                    run.worker.stop()  # never leave the encoder thread waiting for frames
                    clips.discard()  # all the clips or none: no partial clip is left behind
                    raise
    except OSError as exc:
        # the machine refused a write (disk full, permissions, a path that cannot be a
        # file): not a corrupt input; the local engine records it as LocalFileSystemError
        # with the reason and a remedy, like every other file-system failure of a job
        where = exc.filename if exc.filename is not None else str(workdir)
        raise OSError(exc.errno, exc.strerror or str(exc), where) from exc
    except av.FFmpegError as exc:
        raise MediaError(f"splitting {src.name} failed: {exc}", code="InputCorrupt") from exc
    return shots_from_boundaries(found, finder.frame_count, info.fps)


class Thumbnailer:
    """The detector's thumbnail of a decoded frame, made by the same libavfilter `scale`
    filter `segspec.detect.frames` asks ffmpeg for, so both paths see identical pixels."""

    def __init__(self, stream: av.video.stream.VideoStream) -> None:
        self.graph = av.filter.Graph()
        chain = [
            self.graph.add_buffer(template=stream),
            self.graph.add("scale", f"{THUMB_W}:{THUMB_H}:flags=area"),
            self.graph.add("format", "yuv420p"),
            self.graph.add("buffersink"),
        ]
        for a, b in itertools.pairwise(chain):
            a.link_to(b)
        self.graph.configure()

    def thumbnail(self, frame: av.VideoFrame, into: np.ndarray) -> None:
        """Write the frame's thumbnail (Y, U, V planes, rows of `FRAME_BYTES`) into `into`."""
        self.graph.push(frame)
        thumb = self.graph.pull()
        assert isinstance(thumb, av.VideoFrame)
        at = 0
        for p in thumb.planes:
            plane = np.frombuffer(memoryview(p), np.uint8).reshape(p.height, p.line_size)
            into[at : at + p.width * p.height].reshape(p.height, p.width)[:] = plane[:, : p.width]
            at += p.width * p.height


class _Run:
    """The state of one pass: frames waiting for the detector, audio waiting for clips."""

    def __init__(self, finder: ShotFinder, enc: av.VideoCodecContext, clips: _Clips,
                 fps: Fraction, size: tuple[int, int], found: list[Boundary],
                 scaler: Thumbnailer, what: str) -> None:  # fmt: skip
        self.finder, self.enc, self.clips, self.fps, self.size = finder, enc, clips, fps, size
        self.scaler = scaler
        self.time_base = 1 / fps
        self.frame_s = 1 / float(fps)
        self.found = found
        self.waiting: deque[av.VideoFrame] = deque()
        self.thumbs = np.empty((THUMB_BATCH, FRAME_BYTES), np.uint8)  # the batch being filled
        self.filled = 0  # thumbnails in it
        self.decoded = 0  # video frames decoded
        self.released = 0  # video frames handed to the encoder
        self.t0: float | None = None  # time of the first video frame
        self.sound: deque[tuple[float, av.AudioFrame]] = deque()
        self.sample_base: dict[int, Fraction] = {}
        self.packet_clip = 0  # clip of the newest video packet out of the encoder
        self.lock = threading.Lock()  # guards the open clips (muxing, opening, closing)
        self.worker = EncoderThread(enc, self.mux_video, what)

    def video(self, frame: av.VideoFrame) -> None:
        if self.t0 is None:
            self.t0 = float(frame.time) if frame.time is not None else 0.0
        self.scaler.thumbnail(frame, self.thumbs[self.filled])
        self.filled += 1
        self.waiting.append(frame)
        self.decoded += 1
        if self.filled == THUMB_BATCH:
            self._detect()

    def audio(self, frame: av.AudioFrame) -> None:
        self.sound.append((float(frame.time) if frame.time is not None else 0.0, frame))

    def _detect(self, final: bool = False) -> None:
        if self.filled:
            chunk = self.thumbs[: self.filled]
            # a new array for the next batch: the detector may keep views of this one
            self.thumbs, self.filled = np.empty_like(self.thumbs), 0
            self._boundaries(self.finder.push(chunk))
        if final:
            self._boundaries(self.finder.finish())
        self._release(self.decoded if final else self.finder.settled)

    def _boundaries(self, new: Any) -> None:
        for b in new:
            if b.frame > self.clips.starts[-1]:
                self.clips.starts.append(b.frame)
                self.clips.start_set.add(b.frame)
                self.found.append(b)

    def _release(self, upto: int) -> None:
        batch: list[av.VideoFrame] = []
        starts, width, height = self.clips.start_set, *self.size
        while self.released < upto and self.waiting:
            frame = self.waiting.popleft()
            n = self.released
            self.released += 1
            out = frame
            if frame.width != width or frame.height != height or frame.format.name != "yuv420p":
                out = frame.reformat(width, height, "yuv420p", interpolation="BICUBIC")
            out.pts = n
            out.time_base = self.time_base
            # an IDR frame on every shot's first frame: nothing after it refers back
            out.pict_type = PictureType.I if n in starts else PictureType.NONE
            batch.append(out)
            if len(batch) == THUMB_BATCH:  # the end's release is more than one batch
                self.worker.put(batch)
                batch = []
        self.worker.put(batch)
        self._audio_upto(self.released * self.frame_s)

    def mux_video(self, packets: list[Any]) -> None:
        """Route encoded packets (pts = source frame number) into their clips."""
        if not packets:
            return
        with self.lock:  # once per batch of packets
            for p in packets:
                assert p.pts is not None
                k = self.clips.index_of(int(p.pts))
                clip = self.clips.get(k)
                p.pts -= clip.first
                if p.dts is not None:
                    p.dts -= clip.first
                p.stream = clip.video
                clip.container.mux(p)
            self.packet_clip = k

    def _audio_upto(self, seconds: float) -> None:
        t0, fps = self.t0 or 0.0, float(self.fps)
        encoded: list[tuple[_Clip, list[Any]]] = []
        k, clip = -1, None
        while self.sound and self.sound[0][0] - t0 < seconds:
            t, frame = self.sound.popleft()
            at = self.clips.index_of(max(0, int((t - t0) * fps + 1e-6)))
            if at != k or clip is None:
                k = at
                with self.lock:
                    clip = self.clips.get(k)
            assert clip.audio is not None
            frame.pts = clip.samples
            frame.time_base = self.sample_base.setdefault(
                frame.sample_rate, Fraction(1, frame.sample_rate)
            )
            clip.samples += frame.samples
            # encoded outside the lock (the encoder thread keeps muxing meanwhile)
            encoded.append((clip, clip.audio.encode(frame)))
        if encoded:
            with self.lock:  # muxed once per release, not once per audio frame
                for into, packets in encoded:
                    for p in packets:
                        into.container.mux(p)
        if seconds == float("inf"):
            return
        # a clip is finished once the encoder's packets have moved past it (after the next
        # clip's IDR frame no packet refers back) and so has the released audio
        audio_clip = self.clips.index_of(int(seconds * float(self.fps)))
        with self.lock:
            done = self.clips.take_before(min(self.packet_clip, audio_clip))
        for clip in done:  # outside the lock: the encoder thread never waits for a close
            self.clips.finish(clip)

    def finish(self) -> None:
        self._detect(final=True)
        self.worker.finish()
        self._audio_upto(float("inf"))
        self.clips.close_all()
