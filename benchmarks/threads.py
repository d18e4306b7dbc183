"""Where a run's CPU goes: per-thread CPU seconds and core use over time, from /proc.

A `Sampler` reads `/proc/PID/task/*/stat` of a process and all its descendants every
`interval` seconds (Linux only) and the machine's `/proc/stat`, so a run reports how many
cores it kept busy second by second, which of its threads did the work, and how busy the
whole machine was meanwhile (the others' load on a shared machine).
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
_DIGITS = re.compile(r"\d+")


def _stat(path: Path) -> tuple[str, int, int, str] | None:
    """(thread name, parent pid, utime + stime ticks, state) of one /proc stat file."""
    try:
        text = path.read_text()
    except OSError:  # the thread or process ended between listing and reading
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    rest = text[text.rindex(")") + 2 :].split()
    return name, int(rest[1]), int(rest[11]) + int(rest[12]), rest[0]


def _family(root: int) -> list[int]:
    """`root` and every process descended from it."""
    parents: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if _DIGITS.fullmatch(entry):
            got = _stat(Path("/proc", entry, "stat"))
            if got is not None:
                parents[got[1]].append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += parents.get(pid, [])
    return out


def _machine_busy() -> tuple[int, int]:
    """(busy ticks, all ticks) of the whole machine so far."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


@dataclass
class Profile:
    """What a `Sampler` saw."""

    wall: float = 0.0
    threads: dict[str, float] = field(default_factory=dict)  # name -> CPU seconds
    cores: list[float] = field(default_factory=list)  # cores busy, per interval
    runnable: list[int] = field(default_factory=list)  # threads running or ready, per sample
    machine: float = 0.0  # cores busy on the whole machine, on average
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average at start and end

    @property
    def cpu(self) -> float:
        return sum(self.threads.values())

    def summary(self) -> dict[str, object]:
        cores = sorted(self.cores) or [0.0]
        spread = {f"p{q}": round(cores[min(len(cores) - 1, len(cores) * q // 100)], 2)
                  for q in (10, 50, 90)}  # fmt: skip
        return {"wall_s": round(self.wall, 2), "cpu_s": round(self.cpu, 2),
                "cores_mean": round(self.cpu / self.wall, 3) if self.wall else 0.0,
                "cores": spread, "machine_cores": round(self.machine, 2),
                "load": self.load,
                "runnable_mean": round(sum(self.runnable) / max(1, len(self.runnable)), 2),
                "threads": {k: round(v, 2) for k, v in sorted(
                    self.threads.items(), key=lambda kv: -kv[1])}}  # fmt: skip


class Sampler:
    """Samples a process tree's threads in the background: `with Sampler(pid) as s: ...`."""

    def __init__(self, pid: int | None = None, interval: float = 0.5) -> None:
        self.pid = pid if pid is not None else os.getpid()
        self.interval = interval
        self.profile = Profile()
        self._ticks: dict[tuple[int, int], tuple[str, int]] = {}
        self._base: dict[tuple[int, int], int] = {}
        self._initial = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sampler", daemon=True)

    def _read(self) -> int:
        ready = 0
        for pid in _family(self.pid):
            try:
                tids = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for tid in tids:
                got = _stat(Path(f"/proc/{pid}/task/{tid}/stat"))
                if got is None:
                    continue
                key = (pid, int(tid))
                self._ticks[key] = (got[0], got[2])
                ready += got[3] == "R" and int(tid) != self._thread.native_id
                # threads alive at the start count from there, later ones from zero
                self._base.setdefault(key, got[2] if self._initial else 0)
        self.profile.runnable.append(ready)
        # threads that ended keep their last ticks, so the total never goes down
        me = self._thread.native_id
        return sum(t - self._base[k] for k, (_, t) in self._ticks.items() if k[1] != me)

    def _loop(self) -> None:
        last = self._read()
        last_t = time.perf_counter()
        while not self._stop.wait(self.interval):
            now = self._read()
            t = time.perf_counter()
            self.profile.cores.append((now - last) / TICK / (t - last_t))
            last, last_t = now, t

    def __enter__(self) -> Sampler:
        self._initial = True
        self._read()
        self._initial = False
        self._start = time.perf_counter()
        self._machine = _machine_busy()
        self.profile.load = (os.getloadavg()[0], 0.0)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read()
        self.profile.wall = time.perf_counter() - self._start
        busy, total = _machine_busy()
        ncpu = os.cpu_count() or 1
        self.profile.machine = (busy - self._machine[0]) / max(1, total - self._machine[1]) * ncpu
        self.profile.load = (self.profile.load[0], os.getloadavg()[0])
        per: dict[str, float] = defaultdict(float)
        for key, (name, ticks) in self._ticks.items():
            if key[1] == self._thread.native_id:
                continue  # the sampler itself
            spent = (ticks - self._base.get(key, 0)) / TICK
            if key[1] == self.pid:
                name = "main"
            if spent > 0:  # thread names numbered per thread (x264 workers) are summed
                per[re.sub(r"\d+$", "#", name)] += spent
        self.profile.threads = dict(per)
