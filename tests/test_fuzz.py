"""Property-based fuzzing of loader, normalization and planner: no exit 3, no traceback,
bounded memory, whatever the spec (inputs from tests/fuzzing.py; a longer run is
`python benchmarks/fuzz.py --minutes N`)."""

from __future__ import annotations

import random
import resource
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzzing import mutated_text, run_plan, spec_text

SETTINGS = settings(
    max_examples=150,
    deadline=None,  # wall time is measured in benchmarks/fuzz.py, not asserted here
    derandomize=True,
    database=None,  # derandomized: nothing to remember between runs, no .hypothesis/ dir
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def start_rss_mb() -> float:
    """The process's peak RSS when fuzzing starts: ru_maxrss only grows, so a baseline
    taken at import would charge fuzzing with the peaks of every test run before it."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_fuzz_specs_never_crash(workdir: Path, start_rss_mb: float, rng: random.Random) -> None:
    outcome = run_plan(spec_text(rng), workdir)
    assert not outcome.crashed, outcome.stderr
    assert outcome.peak_rss_mb < start_rss_mb + 400


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_fuzz_mutated_text_never_crashes(workdir: Path, rng: random.Random) -> None:
    outcome = run_plan(mutated_text(rng), workdir)
    assert not outcome.crashed, outcome.stderr


@settings(SETTINGS, max_examples=100)
@given(st.text(max_size=300))
def test_fuzz_arbitrary_text_never_crashes(workdir: Path, text: str) -> None:
    outcome = run_plan("version: 1\n" + text, workdir)
    assert not outcome.crashed, outcome.stderr
