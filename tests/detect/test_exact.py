"""The detector's fast paths give the same thumbnails and the same numbers, bit for bit.

`frames.iter_thumbnails` (widened pipe, chunked reads) is compared with one plain ffmpeg
run of the thumbnail command as it was first written, and `features.distance`,
`coverage`, `out_of_range` and `out_of_range_rows` (summed with `np.add.reduce`, fewer
temporaries, many middle frames at once) with their plain numpy formulation (`np.mean`,
as they were written before), on generated video at four picture sizes and on random
data; then every score of a whole `ScoreStream` run is compared with the same run on the
plain formulation.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

import segspec.detect.scores as scores_module
from segspec.detect import features as feat
from segspec.detect.frames import CHUNK_FRAMES, FRAME_BYTES, iter_thumbnails
from segspec.detect.scores import ScoreStream, Timing, as_arrays
from segspec.media.ffmpeg import ffmpeg_exe, run_ffmpeg

Floats = feat.Floats


def plain_distance(grid_a: Floats, hist_a: Floats, grid_b: Floats, hist_b: Floats) -> float:
    pix = float(np.abs(grid_a - grid_b).mean()) / 64.0
    hist = 0.5 * float(np.abs(hist_a - hist_b).sum())
    return 0.5 * (min(pix, 1.0) + hist)


def plain_coverage(grid_a: Floats, grid_b: Floats) -> float:
    change = np.abs(grid_b - grid_a).reshape(3, feat.LUMA_BLOCKS).sum(axis=0)
    return float((change > feat.COVER_LEVEL).mean())


def plain_out_of_range(grid_a: Floats, grid_b: Floats, grid_mid: Floats) -> float:
    lo = np.minimum(grid_a, grid_b)
    hi = np.maximum(grid_a, grid_b)
    outside = np.maximum(lo - grid_mid, 0) + np.maximum(grid_mid - hi, 0)
    span = float(np.abs(grid_a - grid_b).mean()) + 1.0
    return float(outside.mean()) / span


def plain_out_of_range_rows(grid_a: Floats, grid_b: Floats, mids: Floats) -> np.ndarray:
    return np.array([plain_out_of_range(grid_a, grid_b, m) for m in mids])


def plain_thumbnails(path: Path) -> bytes:
    """The thumbnail command as first written, run once, its whole output."""
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error",
           "-skip_loop_filter", "all", "-i", str(path), "-map", "0:v:0", "-an", "-sn", "-dn",
           "-vf", "scale=64:36:flags=area", "-fps_mode", "passthrough",
           "-pix_fmt", "yuv420p", "-f", "rawvideo", "-"]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, check=True).stdout


def same(a: float, b: float) -> bool:
    return a.hex() == b.hex()


SIZES = ["160x90", "640x360", "1280x720", pytest.param("1920x1080", marks=pytest.mark.slow)]


@pytest.fixture(scope="module", params=SIZES)
def video(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 frames of moving, noisy test pictures with a cut and a dissolve, at one size."""
    size = request.param
    out = tmp_path_factory.mktemp("exact") / f"v{size}.mp4"
    graph = (
        "[0:v]trim=end_frame=20,setpts=PTS-STARTPTS[a];"
        "[1:v]trim=end_frame=30,setpts=PTS-STARTPTS[b];"
        "[2:v]trim=end_frame=20,setpts=PTS-STARTPTS[c];"
        "[a][b]xfade=transition=fade:duration=0.4:offset=0.4[ab];"
        "[ab][c]concat=n=2:v=1,noise=alls=12:allf=t,format=yuv420p[v]"
    )
    args = []
    for src in ("testsrc2", "rgbtestsrc", "smptebars"):
        args += ["-f", "lavfi", "-i", f"{src}=s={size}:r=25"]
    args += ["-filter_complex", graph, "-map", "[v]", "-c:v", "libx264", "-preset",
             "ultrafast", "-y", str(out)]  # fmt: skip
    run_ffmpeg(args, what=f"making test video {size}")
    return out


@pytest.fixture(scope="module")
def thumbs(video: Path) -> np.ndarray:
    chunks = list(iter_thumbnails(video))
    assert all(0 < len(c) <= CHUNK_FRAMES for c in chunks)
    return np.concatenate(chunks)


def test_thumbnails_are_the_plain_commands_bytes(video: Path, thumbs: np.ndarray) -> None:
    want = plain_thumbnails(video)
    assert len(want) == len(thumbs) * FRAME_BYTES and len(thumbs) >= 50
    assert thumbs.tobytes() == want


def test_features_and_every_score_are_bit_identical(
    thumbs: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    grid, hist, spread = feat.features(thumbs)
    n = len(grid)
    for i in range(n):
        for j in (i + 1, i + 3, i + 10, n - 1 - i):
            j = min(max(j, 0), n - 1)
            assert same(feat.distance(grid[i], hist[i], grid[j], hist[j]),
                        plain_distance(grid[i], hist[i], grid[j], hist[j]))  # fmt: skip
            assert same(feat.coverage(grid[i], grid[j]), plain_coverage(grid[i], grid[j]))
            mid = grid[(i + j) // 2]
            assert same(feat.out_of_range(grid[i], grid[j], mid),
                        plain_out_of_range(grid[i], grid[j], mid))  # fmt: skip
        mids = grid[i : i + 13 : 2]
        assert (feat.out_of_range_rows(grid[i], grid[-1], mids).tobytes()
                == plain_out_of_range_rows(grid[i], grid[-1], mids).tobytes())  # fmt: skip

    def run() -> dict[str, np.ndarray]:
        stream = ScoreStream(Timing.for_fps(25.0), gate=0.2)
        return as_arrays([*stream.push(grid, hist, spread), *stream.finish()])

    fast = run()
    monkeypatch.setattr(scores_module, "distance", plain_distance)
    monkeypatch.setattr(scores_module, "coverage", plain_coverage)
    monkeypatch.setattr(scores_module, "out_of_range_rows", plain_out_of_range_rows)
    plain = run()
    assert fast.keys() == plain.keys()
    for name in fast:
        assert fast[name].tobytes() == plain[name].tobytes(), name
    assert fast["cut"].max() > 0.2  # the video's cuts are there to be scored


def test_random_and_degenerate_frames_are_bit_identical() -> None:
    rng = np.random.default_rng(11)
    grids = rng.uniform(0, 255, (200, 432)).astype(np.float32)
    grids[5] = grids[4]  # identical frames: zero distance
    grids[6] = 0.0
    grids[7] = 255.0
    grids[8::7] = np.round(grids[8::7])  # whole numbers, as on flat pictures
    hists = rng.dirichlet(np.full(128, 0.3), 200).astype(np.float32)
    for i in range(len(grids) - 2):
        a, b, m = grids[i], grids[i + 1], grids[i + 2]
        assert same(feat.distance(a, hists[i], b, hists[i + 1]),
                    plain_distance(a, hists[i], b, hists[i + 1]))  # fmt: skip
        assert same(feat.coverage(a, b), plain_coverage(a, b))
        assert same(feat.out_of_range(a, b, m), plain_out_of_range(a, b, m))
        assert same(feat.out_of_range(a, a, m), plain_out_of_range(a, a, m))
    for i in range(len(grids) - 30):
        a, b, mids = grids[i], grids[i + 29], grids[i + 1 : i + 29 : 4]
        rows = feat.out_of_range_rows(a, b, mids)
        assert rows.tobytes() == plain_out_of_range_rows(a, b, mids).tobytes()
