"""Time and peak memory of every hostile spec, refused by a real `segspec validate`.

    python benchmarks/hostile.py            # the table
    python benchmarks/hostile.py --tmpfs    # also: apply onto a full 64 KB tmpfs (root)

Each case of tests/spec/hostile.py is written into a fresh project and validated in its
own subprocess; wall time and the child's own peak RSS come from `os.wait4`. A valid spec
is measured the same way in the same run as the baseline (Python start-up and imports
are most of it), so the ratios hold on a noisy machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.spec.hostile import CASES, job  # noqa: E402

SEGSPEC = [sys.executable, "-m", "segspec.cli.main"]
LOAD_ONLY = """
import resource, sys, time
from pathlib import Path
from segspec.errors import SpecError
from segspec.spec.loader import load_specs
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    load_specs(Path(sys.argv[1]))
except SpecError:
    pass
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(seconds, (after - before) / 1024)
"""


def load_only(text: str) -> tuple[float, float]:
    """(seconds, RSS growth MB) of `load_specs` alone, without interpreter start-up."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "spec.yaml").write_text(text, encoding="utf-8")
        out = subprocess.run(
            [sys.executable, "-c", LOAD_ONLY, tmp], capture_output=True, text=True, check=True
        ).stdout.split()
    return float(out[0]), float(out[1])


def measure(text: str, *args: str) -> tuple[int, float, float, str]:
    """(exit code, seconds, peak RSS MB, stderr) of `segspec ARGS validate` on `text`."""
    with tempfile.TemporaryDirectory() as tmp:
        specs = Path(tmp) / "specs"
        specs.mkdir()
        (specs / "spec.yaml").write_text(text, encoding="utf-8")
        start = time.perf_counter()
        child = subprocess.Popen(
            [*SEGSPEC, "--specs", str(specs), *args, "validate"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=tmp,
        )
        assert child.stderr is not None
        err = child.stderr.read().decode(errors="replace")
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
    return child.returncode, seconds, usage.ru_maxrss / 1024, err


def table() -> bool:
    base_code, base_s, base_mb, err = measure(job(media="oss://clips/in.mp4"))
    assert base_code == 0, err
    load_s, load_mb = load_only(job(media="oss://clips/in.mp4"))
    print(
        "| input | exit | validate s | ÷ valid spec | peak RSS MB | load s | load +MB | message |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| valid spec (baseline) | 0 | {base_s:.2f} | 1.00 | {base_mb:.0f} | {load_s:.3f} "
        f"| {load_mb:.1f} | |"
    )
    ok = True
    worst = (0.0, 0.0, "")
    for name, (text, fragment) in CASES.items():
        code, seconds, mb, err = measure(text)
        load_s, load_mb = load_only(text)
        good = code == 1 and fragment in err and "Traceback" not in err
        ok &= good and load_s < 1.0 and mb < 100
        worst = max(worst, (load_s, mb, name))
        message = (err.splitlines()[1:2] or ["?"])[0].split(": ", 1)[-1][:70]
        flag = "" if good else " **UNEXPECTED**"
        print(
            f"| {name} | {code}{flag} | {seconds:.2f} | {seconds / base_s:.2f} | {mb:.0f} "
            f"| {load_s:.3f} | {load_mb:.1f} | {message} |"
        )
    print(f"\nworst: {worst[2]} — load {worst[0]:.3f} s, {worst[1]:.0f} MB peak RSS of validate")
    return ok


def full_disk(journal: bool) -> bool:
    """Apply with the state on a 64 KB tmpfs filled to the brim: a real ENOSPC (at the
    lock, or with one page left, at the first journal append)."""
    mount = Path(tempfile.mkdtemp())
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], check=True)
    try:
        fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while os.write(fd, b"\0" * 512):
                pass
        except OSError:
            pass  # full
        finally:
            os.close(fd)
        if journal:  # leave one page: the lock fits, the journal's first append does not
            os.truncate(mount / "filler", (mount / "filler").stat().st_size - 4096)
        project = Path(tempfile.mkdtemp())
        shutil.copytree(REPO / "specs", project / "specs")
        state = mount / "segspec.state.json"
        run = subprocess.run(
            [*SEGSPEC, "--specs", str(project / "specs"), "--state", str(state), "apply",
             "--auto-approve"],
            capture_output=True,
            text=True,
            cwd=project,
        )  # fmt: skip
        left = sorted(p.name for p in mount.iterdir())
        where = "journal" if journal else "lock"
        print(f"\napply onto a full tmpfs ({where}): exit {run.returncode}; files left: {left}")
        print((run.stderr.strip().splitlines() or [""])[-1])
        shutil.rmtree(project)
        return (
            run.returncode == 1
            and "Traceback" not in run.stderr
            and left == ["filler", "segspec.state.json.lock"]
        )
    finally:
        subprocess.run(["umount", str(mount)], check=True)
        mount.rmdir()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tmpfs", action="store_true", help="also the real disk-full case")
    args = parser.parse_args()
    ok = table()
    if args.tmpfs:
        ok &= full_disk(journal=False) & full_disk(journal=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
