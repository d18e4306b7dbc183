"""The learned-stage experiment (segspec/detect/learned.py): train, cross-validate, evaluate.

    python benchmarks/learned.py cv          # by-part cross-validation on the tuning material
    python benchmarks/learned.py fit         # cv, then train on all of it and write the weights
    python benchmarks/learned.py heldout     # ONCE, after the weights are committed: the new parts
    python benchmarks/learned.py speed       # frames/s, hand-built vs learned vs ContentDetector
    python benchmarks/learned.py collect corpus heldout   # warm the candidate caches

Runs inside benchmarks/.venv (made as run.py makes it) and adds scikit-learn there, for
training only: the package's inference is numpy. Candidates are collected by running
`LearnedFinder` (with a model that keeps everything) on cached thumbnails
(`tune.thumbs`), so training sees exactly the vectors the shipped stage computes.
`cv`/`fit` read only the tuning folders; `heldout` refuses to run while the weights or
this file differ from the last commit, and runs only once (its result file is kept).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from run import REQUIREMENTS, VENV  # noqa: E402

TRAINING_ONLY = ["scikit-learn>=1.4"]


def ensure_venv() -> None:
    """Re-exec inside benchmarks/.venv (run.py's), with scikit-learn added for training."""
    if Path(sys.prefix).resolve() != VENV.resolve():
        python = VENV / "bin" / "python"
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
            pip = [str(python), "-m", "pip", "install", "-q"]
            subprocess.run([*pip, *REQUIREMENTS, "-e", str(REPO)], check=True)
            (VENV / ".requirements").write_text(json.dumps([*REQUIREMENTS, str(REPO)]))
        import os

        os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])
    try:
        import sklearn  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *TRAINING_ONLY], check=True)


ensure_venv()

from score import TOLERANCE, Score, score_file  # noqa: E402
from tune import TUNING, WORK, thumbs  # noqa: E402

from segspec.detect import DEFAULT_MIN_SHOT_SECONDS, ShotFinder, learned  # noqa: E402
from segspec.detect.learned import (  # noqa: E402
    FEATURES,
    WEIGHTS,
    LearnedFinder,
    Model,
    load_model,
    save_model,
)

NEW_PARTS = ("heldout_10900", "heldout2_12000", "heldout3_11600")
CANDIDATES = 2
"""Version of the candidates and features `LearnedFinder` makes (the caches' key): bump it
when segspec/detect/learned.py changes what it records."""
OUT = WORK / "learned"
CHUNK = 64


@dataclass
class FileCands:
    """One tuning file's candidates: frames, vectors, default-stage flags, labels."""

    folder: str
    truth: dict[str, Any]
    frames: np.ndarray
    vectors: np.ndarray
    hand: np.ndarray
    labels: np.ndarray
    hand_found: list[int]
    """What the hand-built detector (`ShotFinder`) reports on the same thumbnails."""


def keep_all(loose: float) -> Model:
    return Model(
        kind="logistic",
        base=50.0,
        accept=0.0,
        loose=loose,
        mean=np.zeros(len(FEATURES)),
        scale=np.ones(len(FEATURES)),
        weights=np.zeros(len(FEATURES)),
    )


def run_finder(finder: ShotFinder | LearnedFinder, arr: np.ndarray) -> list[int]:
    found = []
    for i in range(0, len(arr), CHUNK):
        found += [b.frame for b in finder.push(arr[i : i + CHUNK])]
    found += [b.frame for b in finder.finish()]
    return found


def matches(truth: dict[str, Any], frame: int) -> bool:
    for t in truth["transitions"]:
        if int(t["first"]) - TOLERANCE <= frame <= int(t["last"]) + TOLERANCE:
            return True
    return False


def collect(folder: str, loose: float) -> list[FileCands]:
    stage = hashlib.sha256(repr((CANDIDATES, FEATURES)).encode()).hexdigest()[:10]
    cache = OUT / f"cands_{folder}_{loose:.2f}_{stage}.pkl"
    if cache.is_file():
        return [FileCands(**d) for d in pickle.loads(cache.read_bytes())]
    out = []
    for meta in sorted((WORK / folder).glob("*.json")):
        truth = json.loads(meta.read_text())
        fps = float(truth["fps"])
        arr = thumbs(WORK / folder / truth["file"])
        finder = LearnedFinder(fps, model=keep_all(loose), record=True)
        run_finder(finder, arr)
        hand_found = run_finder(
            ShotFinder(fps, threshold=0.2, min_shot_seconds=DEFAULT_MIN_SHOT_SECONDS), arr
        )
        c = finder.candidates
        frames = np.array([s.frame for s in c], np.int64)
        vectors = np.array([s.vector for s in c]).reshape(len(c), len(FEATURES))
        hand = np.array([s.hand for s in c], bool)
        labels = np.array([matches(truth, int(f)) for f in frames], bool)
        # the default stage's candidates are exactly what the hand-built detector reports
        assert sorted(frames[hand].tolist()) == sorted(hand_found), (folder, truth["file"])
        out.append(FileCands(folder, truth, frames, vectors, hand, labels, hand_found))
        print(
            f"  {folder}/{truth['file']}: {len(c)} candidates ({int(hand.sum())} default, "
            f"{int(labels.sum())} true)",
            flush=True,
        )
    OUT.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps([vars(f) for f in out]))  # plain dicts: any importer reads them
    return out


def select(f: FileCands, probs: np.ndarray, accept: tuple[float, float], reach: int) -> list[int]:
    """The stage's final choice, as `LearnedFinder` makes it: default-stage candidates
    need accept[0], the others accept[1], then the most probable of close ones wins."""
    frames = f.frames
    idx = [i for i in range(len(frames)) if probs[i] >= accept[0 if f.hand[i] else 1]]
    kept = []
    for i in idx:
        rivals = [j for j in idx if j != i and abs(int(frames[j]) - int(frames[i])) < reach]
        if all((probs[j], -frames[j]) < (probs[i], -frames[i]) for j in rivals):
            kept.append(int(frames[i]))
    return kept


def score_files(files: list[FileCands], found: list[list[int]]) -> Score:
    total = Score()
    for f, det in zip(files, found, strict=True):
        t = f.truth
        total.add(score_file(t["transitions"], det, float(t["fps"]), t["negatives"]))
    return total


def make(config: tuple[Any, ...]) -> Any:
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if config[0] == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(C=config[1], max_iter=2000))
    _, depth, trees = config
    return GradientBoostingClassifier(
        n_estimators=trees, max_depth=depth, learning_rate=0.1, subsample=1.0, random_state=0
    )


def export(
    clf: Any, config: tuple[Any, ...], accept: tuple[float, float], loose: float, x: np.ndarray
) -> Model:
    """The fitted scikit-learn model as a numpy `Model`, checked against predict_proba."""
    if config[0] == "logistic":
        scaler, lr = clf.steps[0][1], clf.steps[1][1]
        model = Model(
            kind="logistic",
            base=float(lr.intercept_[0]),
            accept=accept[0],
            accept_new=accept[1],
            loose=loose,
            mean=scaler.mean_.astype(np.float64),
            scale=scaler.scale_.astype(np.float64),
            weights=lr.coef_[0].astype(np.float64),
        )
    else:
        trees = [e[0].tree_ for e in clf.estimators_]
        n = max(t.node_count for t in trees)
        shape = (len(trees), n)
        feature = np.zeros(shape, np.int64)
        threshold = np.zeros(shape, np.float64)
        left = np.tile(np.arange(n), (len(trees), 1))
        right = left.copy()
        value = np.zeros(shape, np.float64)
        for k, t in enumerate(trees):
            m = t.node_count
            inner = t.children_left[:m] >= 0
            feature[k, :m] = np.where(inner, t.feature[:m], 0)
            threshold[k, :m] = np.where(inner, t.threshold[:m], 0.0)
            left[k, :m] = np.where(inner, t.children_left[:m], np.arange(m))
            right[k, :m] = np.where(inner, t.children_right[:m], np.arange(m))
            value[k, :m] = clf.learning_rate * t.value[:m, 0, 0]
        depth = max(t.max_depth for t in trees)
        model = Model(
            kind="trees",
            base=0.0,
            accept=accept[0],
            accept_new=accept[1],
            loose=loose,
            depth=depth,
            feature=feature,
            threshold=threshold,
            left=left,
            right=right,
            value=value,
        )
        # the prior's log-odds: what the library adds before the trees
        raw = float(clf.decision_function(x[:1])[0])
        base = raw - np.log(model.probability(x[0]) / (1 - model.probability(x[0])))
        model = Model(**{**model.__dict__, "base": float(base)})
    ours = np.array([model.probability(v) for v in x])
    theirs = clf.predict_proba(x)[:, 1]
    assert np.allclose(ours, theirs, atol=1e-9), float(np.abs(ours - theirs).max())
    return model


CONFIGS: list[tuple[Any, ...]] = [
    ("logistic", 0.1),
    ("logistic", 1.0),
    ("logistic", 10.0),
    ("trees", 2, 50),
    ("trees", 2, 150),
    ("trees", 3, 50),
    ("trees", 3, 150),
]
LOOSE = (1.0, 0.6)
ACCEPT = [(a, b) for a in (0.0, 0.1, 0.2, 0.3, 0.5, 0.7) for b in (0.5, 0.7, 0.8, 0.9, 1.01)]
"""(default-stage candidates, the others): 0.0 keeps every default one, 1.01 adds none."""


def fmt(s: Score) -> str:
    o = s.overall
    return (
        f"F1 {o.f1:.3f} P {o.precision:.3f} R {o.recall:.3f} "
        f"cut {s.by_kind['cut'].recall:.3f} grad {s.gradual.recall:.3f} "
        f"neg {sum(s.in_negatives.values())}"
    )


def folds() -> tuple[str, ...]:
    """The tuning folders named on the command line (default: all of them)."""
    names = tuple(a for a in sys.argv[2:] if not a.startswith("-")) or TUNING
    for name in names:
        if name not in TUNING:
            sys.exit(f"learned.py trains only on the tuning folders {', '.join(TUNING)}")
    return names


def cross_validate() -> dict[str, Any]:
    """Leave one tuning folder out: train on the other six, choose on all seven's F1."""
    report: dict[str, Any] = {"rows": []}
    best: tuple[float, Any] = (-1.0, None)
    for loose in LOOSE:
        data = {folder: collect(folder, loose) for folder in folds()}
        everything = [f for fs in data.values() for f in fs]
        hand = score_files(everything, [f.hand_found for f in everything])
        cover = Score()
        for f in everything:
            cover.add(score_file(f.truth["transitions"], f.frames.tolist(), float(f.truth["fps"])))
        print(
            f"loose {loose}: hand-built {fmt(hand)}; candidates cover R {cover.overall.recall:.3f}",
            flush=True,
        )
        for config in CONFIGS:
            probs: dict[str, list[np.ndarray]] = {}
            for held in data:
                train = [f for k, fs in data.items() if k != held for f in fs]
                x = np.concatenate([f.vectors for f in train])
                y = np.concatenate([f.labels for f in train])
                clf = make(config).fit(x, y)
                probs[held] = [
                    clf.predict_proba(f.vectors)[:, 1] if len(f.frames) else np.zeros(0)
                    for f in data[held]
                ]
            for accept in ACCEPT:
                per_part = {}
                total = Score()
                for held in data:
                    files = data[held]
                    found = [
                        select(f, p, accept, reach(f))
                        for f, p in zip(files, probs[held], strict=True)
                    ]
                    s = score_files(files, found)
                    total.add(s)
                    per_part[held] = s.overall.f1
                row = {
                    "loose": loose,
                    "config": list(config),
                    "accept": accept,
                    "f1": total.overall.f1,
                    "summary": fmt(total),
                    "parts": per_part,
                }
                report["rows"].append(row)
                if total.overall.f1 > best[0]:
                    best = (total.overall.f1, row)
            top = max(
                (r for r in report["rows"] if r["loose"] == loose and r["config"] == list(config)),
                key=lambda r: r["f1"],
            )
            print(f"  {config} best accept {top['accept']}: {top['summary']}", flush=True)
        hand_parts = {
            k: score_files(fs, [f.hand_found for f in fs]).overall.f1 for k, fs in data.items()
        }
        report.setdefault("hand", {"summary": fmt(hand), "parts": hand_parts})
    report["best"] = best[1]
    print("chosen:", json.dumps(best[1]), flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "cv.json").write_text(json.dumps(report, indent=1))
    return report


def reach(f: FileCands) -> int:
    return max(1, round(DEFAULT_MIN_SHOT_SECONDS * float(f.truth["fps"])))


def fit() -> None:
    best = cross_validate()["best"]
    loose, config, accept = best["loose"], tuple(best["config"]), tuple(best["accept"])
    files = [f for folder in folds() for f in collect(folder, loose)]
    x = np.concatenate([f.vectors for f in files])
    y = np.concatenate([f.labels for f in files])
    clf = make(config).fit(x, y)
    model = export(clf, config, accept, loose, x)
    save_model(model, WEIGHTS)
    print(
        f"wrote {WEIGHTS} ({WEIGHTS.stat().st_size} bytes): {config}, accept {accept}, "
        f"loose {loose}, trained on {len(x)} candidates ({int(y.sum())} true)"
    )
    # the streaming stage with the written weights reproduces the offline selection
    model = load_model()
    for f in files[:: max(1, len(files) // 6)]:
        arr = thumbs(WORK / f.folder / f.truth["file"])
        streamed = run_finder(LearnedFinder(float(f.truth["fps"]), model=model), arr)
        probs = np.array([model.probability(v) for v in f.vectors])
        assert streamed == select(f, probs, accept, reach(f)), f.truth["file"]
    print("streaming stage reproduces the offline selection on sampled tuning files")


def committed(path: Path) -> bool:
    out = subprocess.run(
        ["git", "status", "--porcelain", "--", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip() == "" and path.is_file()


def heldout() -> None:
    """The one evaluation on the unseen parts: hand-built vs learned, same thumbnails."""
    result = OUT / "heldout.json"
    if result.is_file() and "--again" not in sys.argv:
        sys.exit(f"the held-out run was made already ({result}); it is run once")
    for path in (WEIGHTS, Path(__file__), Path(learned.__file__)):
        if not committed(path):
            sys.exit(f"{path} differs from the last commit: commit the frozen model first")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    model = load_model()
    runs: list[dict[str, Any]] = []
    for folder in NEW_PARTS:
        for meta in sorted((WORK / folder).glob("*.json")):
            truth = json.loads(meta.read_text())
            fps = float(truth["fps"])
            arr = thumbs(WORK / folder / truth["file"])
            hand = run_finder(
                ShotFinder(fps, threshold=0.2, min_shot_seconds=DEFAULT_MIN_SHOT_SECONDS), arr
            )
            found = run_finder(LearnedFinder(fps, model=model), arr)
            runs.append({"folder": folder, "truth": truth, "hand": hand, "learned": found})
    OUT.mkdir(parents=True, exist_ok=True)
    result.write_text(json.dumps({"commit": head, "runs": runs}, indent=1))
    render_heldout(runs)


def render_heldout(runs: list[dict[str, Any]]) -> None:
    for folder in NEW_PARTS:
        for side in ("hand", "learned"):
            total = Score()
            per_fps = []
            for r in runs:
                if r["folder"] != folder:
                    continue
                t = r["truth"]
                s = score_file(t["transitions"], r[side], float(t["fps"]), t["negatives"])
                total.add(s)
                per_fps.append(f"{float(t['fps']):.3f}:{s.overall.f1:.3f}")
            k = total.by_kind
            print(
                f"{folder} {side:<8} {fmt(total)} dissolve {k['dissolve'].recall:.3f} "
                f"fade {k['fade'].recall:.3f} wipe {k['wipe'].recall:.3f} "
                f"negatives {dict(sorted(total.in_negatives.items()))} "
                f"by length {[round(v.recall, 3) for v in total.by_length.values()]}"
            )
            print("     per fps F1", " ".join(per_fps))


def speed() -> None:
    """Frames/s on the 720p and 1080p files of two tuning folders, decode included."""
    from competitors import DETECTORS

    from segspec.detect import detect
    from segspec.detect.learned import detect_learned

    model = load_model()
    sides = {
        "hand-built": lambda p: detect(p),
        "learned": lambda p: detect_learned(p, model=model),
        "ContentDetector": lambda p: DETECTORS["PySceneDetect ContentDetector"](p, 25.0),
    }
    by_size: dict[str, dict[str, list[float]]] = {}
    metas = sorted((WORK / "corpus").glob("*.json")) + sorted((WORK / "heldout").glob("*.json"))
    for meta in metas:
        truth = json.loads(meta.read_text())
        size = str(truth["size"])
        if size not in ("1280x720", "1920x1080"):
            continue
        video = meta.with_name(truth["file"])
        for name, run in sides.items():  # interleaved: machine noise hits all alike
            start = time.perf_counter()
            run(video)
            elapsed = time.perf_counter() - start
            acc = by_size.setdefault(size, {}).setdefault(name, [0.0, 0.0])
            acc[0] += int(truth["frames"])
            acc[1] += elapsed
        print(f"  timed {meta.parent.name}/{truth['file']} ({size})", flush=True)
    rows = {}
    for size, sides_t in by_size.items():
        fps = {n: f / s for n, (f, s) in sides_t.items()}
        rows[size] = fps
        print(
            f"{size}: "
            + ", ".join(f"{n} {v:.0f} fps" for n, v in fps.items())
            + f"; learned / hand-built {fps['learned'] / fps['hand-built']:.3f}, "
            f"learned / ContentDetector {fps['learned'] / fps['ContentDetector']:.2f}, "
            f"hand-built / ContentDetector {fps['hand-built'] / fps['ContentDetector']:.2f}"
        )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "speed.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "cv"
    if command == "collect":  # warm the candidate caches of some tuning folders
        for folder in folds():
            for loose in LOOSE:
                collect(folder, loose)
    elif command == "heldout" and "--show" in sys.argv:
        render_heldout(json.loads((OUT / "heldout.json").read_text())["runs"])
    else:
        {"cv": cross_validate, "fit": fit, "heldout": heldout, "speed": speed}[command]()
