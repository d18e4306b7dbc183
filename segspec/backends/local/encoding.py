"""The one-pass split's threads: the video encoder on its own thread, and what keeps it fed.

`EncoderThread` runs the encoder (libx264/libx265 through PyAV) on a thread of its own,
fed through a bounded queue by the thread that decodes and detects; `quick_switching`
shortens the interpreter's switch interval while a pass runs, so that thread gets the
interpreter lock back promptly; `thread_name` names OS threads (and the encoder's
workers, which inherit it) for `top -H` and the end-to-end benchmark.
"""

from __future__ import annotations

import contextlib
import ctypes
import queue
import sys
import threading
from collections.abc import Iterator
from typing import Any

import av

from segspec.errors import MediaError

THUMB_BATCH = 16
"""Decoded frames whose thumbnails go to the detector at once."""
ENCODE_QUEUE = 2 * THUMB_BATCH
"""Frames handed to the encoder thread and not yet encoded (bounded: memory stays flat).

Frames are released a detector batch at a time; a queue shorter than a batch blocks the
decoding thread on every batch, and the encoder then runs dry while it decodes the next
one (8 frames: the encoder waited for frames about 4.6-6.0 s of a 40-48 s 1-minute
split, 54-56 times; 32 frames: 1.3-1.6 s, 5-8 times, most of it the initial look-ahead;
see benchmarks/README.md). It costs 24 more decoded frames in memory, whatever the
video's length. They cross as lists of up to `THUMB_BATCH` frames (one queue hand-off and
one wake-up of the encoder thread per batch, not per frame): the batch being encoded
plus the batches waiting."""
SWITCH_INTERVAL = 0.0002
"""The interpreter's thread switch interval while a pass runs (Python's default: 0.005 s).

The encoder thread needs the interpreter lock for a moment after every frame x264 hands
back; with the default it may wait up to 5 ms each time the decoding thread runs Python
(detection, thumbnails), and meanwhile x264's own threads run dry. On the loaded 2-core
development machine, three interleaved pairs on the 1-minute 720p file gave 0.001 s
faster than 0.005 s in 3 of 3 and 0.0002 s faster than 0.001 s in 3 of 3 (median
wall/floor 1.08 against 1.26; benchmarks/README.md), at no measurable CPU cost."""
_switching = threading.Lock()
_switching_users: list[float] = []  # the interval saved by the first pass that changed it


@contextlib.contextmanager
def thread_name(name: str) -> Iterator[None]:
    """Name the calling OS thread (Linux only; up to 15 bytes) while inside the block.

    Threads started meanwhile inherit the name, so the encoder's worker threads show up
    as such in `top -H` and in the end-to-end benchmark's per-thread CPU accounting
    (libavcodec names its decoder threads itself; ffmpeg's CLI names its threads too).
    """
    if sys.platform != "linux":
        yield
        return
    prctl = ctypes.CDLL(None).prctl
    old = ctypes.create_string_buffer(16)
    prctl(16, old, 0, 0, 0)  # PR_GET_NAME
    prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME
    try:
        yield
    finally:
        prctl(15, old.value, 0, 0, 0)


@contextlib.contextmanager
def quick_switching() -> Iterator[None]:
    """`SWITCH_INTERVAL` while inside; the previous interval again once no pass runs
    (jobs may run in parallel threads: the first to enter saves, the last to leave restores)."""
    with _switching:
        _switching_users.append(sys.getswitchinterval())
        sys.setswitchinterval(min(SWITCH_INTERVAL, _switching_users[0]))
    try:
        yield
    finally:
        with _switching:
            saved = _switching_users.pop()
            if not _switching_users:
                sys.setswitchinterval(saved)


class EncoderThread:
    """The video encoder on its own thread, fed through a short queue.

    libx264's threads and PyAV's calls release the interpreter lock, so decoding,
    detection and audio on the main thread overlap with video encoding, as the ffmpeg
    CLI overlaps its own decoder and encoders. An error on the thread is raised again on
    the main thread at the next frame (or at the end).
    """

    def __init__(self, enc: av.VideoCodecContext, sink: Any, what: str) -> None:
        self.enc, self.sink, self.what = enc, sink, what
        # each item is a batch (or the end mark, None); the one being encoded is off it
        waiting = max(1, ENCODE_QUEUE // THUMB_BATCH - 1)
        self.queue: queue.Queue[list[av.VideoFrame] | None] = queue.Queue(maxsize=waiting)
        self.error: BaseException | None = None
        self.stopping = False
        self.thread = threading.Thread(target=self._work, name="segspec-encode", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        with thread_name("seg:encode"):
            self._loop()

    def _loop(self) -> None:
        ended = False  # the producer's end mark (None) has been taken off the queue
        try:
            while not ended:
                batch = self.queue.get()
                ended = batch is None
                packets: list[Any] = []
                for frame in batch if batch is not None else [None]:  # None: the flush
                    if self.stopping:
                        break
                    packets += self.enc.encode(frame)
                if self.stopping:
                    break  # a failure elsewhere: neither encode nor flush what is left
                self.sink(packets)  # one batch's packets, muxed under one lock
        except BaseException as exc:  # handed to the main thread, which raises it
            self.error = exc
            if isinstance(exc, av.FFmpegError):  # the encoder refused: not the input's fault
                self.error = MediaError(
                    f"encoding {self.what} with {self.enc.name} failed: {exc}",
                    code="FfmpegFailed",
                )
        while not ended:  # take batches up to the end mark, so the producer never blocks
            ended = self.queue.get() is None

    def put(self, frames: list[av.VideoFrame]) -> None:
        """Hand a batch of frames (in order, at most `THUMB_BATCH`) to the encoder."""
        if self.error is not None:
            raise self.error
        if frames:
            self.queue.put(frames)

    def finish(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        """End the thread after a failure elsewhere, promptly: the frames still queued are
        dropped, not encoded (what the thread has encoded is discarded with the clips)."""
        self.stopping = True
        with contextlib.suppress(queue.Empty):
            while True:
                self.queue.get_nowait()
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
