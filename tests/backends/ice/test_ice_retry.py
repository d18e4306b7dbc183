"""Retries: throttling, 5xx, timeouts and lost connections are retried, within bounds."""

from __future__ import annotations

import random
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from segspec.backends.base import JobRequest, JobState
from segspec.backends.ice import IceBackend, Retrier, RetryPolicy, make_ice_backend
from segspec.errors import BackendError
from segspec.spec.models import BackendConfig
from segspec.testing.ice_emulator import Fault, FaultSettings, IceEmulator


def test_ice_retry_throttling_then_success(
    emulator: IceEmulator,
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
    fake_time: Any,
) -> None:
    emulator.faults.queue("SubmitSegmentationJob", Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE)
    job_id = backend_for(emulator).submit(make_user_defined())

    assert job_id
    assert emulator.requests["SubmitSegmentationJob"] == 4
    assert emulator.responses[("SubmitSegmentationJob", "Throttling.User")] == 3
    assert len(fake_time.sleeps) == 3
    # Full jitter: the n-th pause lies in [0, base * 2**n].
    assert all(0 <= pause <= 0.5 * 2**n for n, pause in enumerate(fake_time.sleeps))


def test_ice_retry_throttling_is_bounded_in_attempts(
    emulator_factory: Callable[..., IceEmulator],
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
) -> None:
    emu = emulator_factory(faults=FaultSettings(throttle_rate=1.0))
    backend = backend_for(emu, retry=RetryPolicy(max_attempts=4, max_total_seconds=1e6))
    with pytest.raises(BackendError) as caught:
        backend.submit(make_user_defined())

    assert caught.value.code == "Throttling.User"
    assert caught.value.retryable
    assert "segspec retried and gave up" in str(caught.value)
    assert emu.requests["SubmitSegmentationJob"] == 4
    assert emu.service.counters.jobs_created == 0


def test_ice_retry_is_bounded_in_total_time(
    emulator_factory: Callable[..., IceEmulator],
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
    fake_time: Any,
) -> None:
    emu = emulator_factory(faults=FaultSettings(server_error_rate=1.0))
    policy = RetryPolicy(max_attempts=100, base_delay=4.0, max_delay=8.0, max_total_seconds=30)
    with pytest.raises(BackendError) as caught:
        backend_for(emu, retry=policy).submit(make_user_defined())

    assert caught.value.code == "ServiceUnavailable"
    assert "HTTP 503" in str(caught.value)
    assert fake_time.now <= 30
    assert 1 < emu.requests["SubmitSegmentationJob"] < 100


def test_ice_retry_throttling_with_retry_after_header(
    emulator_factory: Callable[..., IceEmulator],
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
) -> None:
    emu = emulator_factory(faults=FaultSettings(retry_after_ms=200))
    emu.faults.queue("SubmitSegmentationJob", Fault.THROTTLE)
    backend_for(emu).submit(make_user_defined())

    assert emu.requests["SubmitSegmentationJob"] == 2
    assert emu.service.counters.jobs_created == 1


def test_ice_retry_server_error_after_create_keeps_one_job(
    emulator: IceEmulator,
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
) -> None:
    emulator.faults.queue("SubmitSegmentationJob", Fault.ERROR_AFTER_CREATE)
    backend = backend_for(emulator)
    job = make_user_defined()
    job_id = backend.submit(job)

    assert emulator.responses[("SubmitSegmentationJob", "InternalError")] == 1
    assert emulator.requests["SubmitSegmentationJob"] == 2
    assert emulator.service.counters.jobs_created == 1
    assert emulator.service.counters.by_address[job.address] == 1
    assert backend.get(job_id).state is JobState.FINISHED


def test_ice_retry_read_timeout_after_create_keeps_one_job(
    emulator_factory: Callable[..., IceEmulator],
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
) -> None:
    emu = emulator_factory(faults=FaultSettings(slow_seconds=2.0))
    emu.faults.queue("SubmitSegmentationJob", Fault.SLOW)
    backend = backend_for(emu, read_timeout_ms=250)
    job_id = backend.submit(make_user_defined())

    assert emu.faults.injected[Fault.SLOW] == 1
    assert emu.requests["SubmitSegmentationJob"] == 2
    assert emu.service.counters.jobs_created == 1
    assert backend.get(job_id).state is JobState.FINISHED


def test_ice_retry_timeouts_are_bounded(
    emulator_factory: Callable[..., IceEmulator],
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
) -> None:
    emu = emulator_factory(faults=FaultSettings(slow_rate=1.0, slow_seconds=2.0))
    backend = backend_for(emu, read_timeout_ms=200, retry=RetryPolicy(max_attempts=3))
    with pytest.raises(BackendError) as caught:
        backend.submit(make_user_defined())

    assert caught.value.code == "RequestTimeout"
    assert caught.value.retryable
    assert emu.requests["SubmitSegmentationJob"] == 3
    assert emu.service.counters.jobs_created == 1


def test_ice_retry_connection_refused_is_retryable_and_bounded(
    make_user_defined: Callable[..., JobRequest],
    credential_with: Callable[..., Any],
    fake_time: Any,
) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = make_ice_backend(
        BackendConfig(type="ice", region="cn-shanghai", endpoint=f"http://127.0.0.1:{port}"),
        credential=credential_with(),
        retry=RetryPolicy(max_attempts=3),
        connect_timeout_ms=500,
        sleep=fake_time.sleep,
        clock=fake_time.clock,
    )
    with pytest.raises(BackendError) as caught:
        backend.submit(make_user_defined())

    assert caught.value.code == "ConnectionError"
    assert caught.value.retryable
    assert len(fake_time.sleeps) == 2


def test_ice_retry_non_retryable_errors_pass_through_at_once() -> None:
    calls: list[int] = []

    def refuse() -> None:
        calls.append(1)
        raise BackendError("no", code="InvalidParameter")

    with pytest.raises(BackendError):
        Retrier(RetryPolicy(), sleep=lambda s: None).run("op", refuse)
    assert calls == [1]


def test_ice_retry_delays_use_full_jitter_under_the_cap() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0)
    rng = random.Random(3)
    delays = [[policy.delay(n, rng) for _ in range(200)] for n in range(6)]

    for n, sample in enumerate(delays):
        cap = min(5.0, 2.0**n)
        assert all(0 <= d <= cap for d in sample)
        assert max(sample) > cap * 0.9 and min(sample) < cap * 0.1


def test_ice_retry_parallel_submissions_under_faults_create_one_job_each(
    emulator_factory: Callable[..., IceEmulator],
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
) -> None:
    emu = emulator_factory(
        faults=FaultSettings(
            throttle_rate=0.3, server_error_rate=0.1, error_after_create_rate=0.1, seed=11
        )
    )
    backend = backend_for(emu, retry=RetryPolicy(max_attempts=12, max_total_seconds=1e6))
    jobs = [make_user_defined(f"job{i}") for i in range(24)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = list(pool.map(backend.submit, jobs))
        results = list(pool.map(backend.get, ids))

    assert len(set(ids)) == 24
    assert all(r.state is JobState.FINISHED for r in results)
    assert emu.faults.injected[Fault.THROTTLE] > 0
    assert emu.faults.injected[Fault.ERROR_AFTER_CREATE] > 0
    assert emu.service.counters.jobs_created == 24
    assert set(emu.service.counters.by_address.values()) == {1}
