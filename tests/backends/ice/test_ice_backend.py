"""The ice backend against the emulator: submit, collect, idempotence, refusals."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from segspec.backends.base import Backend, JobRequest, JobState
from segspec.backends.ice import IceBackend
from segspec.errors import BackendError
from segspec.testing.ice_emulator import IceEmulator, ServiceSettings

PLANTED_SECRET = "planted-SECRET-7f3a9c1e5b"  # the emulator's secret, see conftest
ACCESS_KEY_ID = "LTAItestkey0001"


def test_ice_backend_satisfies_protocol(
    emulator: IceEmulator, backend_for: Callable[..., IceBackend]
) -> None:
    assert isinstance(backend_for(emulator), Backend)


def test_ice_backend_user_defined_job_parses_ai_result(
    emulator: IceEmulator,
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
) -> None:
    backend = backend_for(emulator)
    job_id = backend.submit(make_user_defined())
    result = backend.get(job_id)

    assert result.state is JobState.FINISHED
    assert result.job_id == job_id
    assert result.ai_result == {
        "SegmentationResult": {
            "OutputEndpoint": "http://oss-cn-shanghai.aliyuncs.com",
            "OutputBucket": "media-out",
            "OutputObjectResults": [
                {"ObjectKey": "clips/trailer_0.mp4"},
                {"ObjectKey": "clips/trailer_1.mp4"},
            ],
        }
    }
    assert [(s.index, s.bucket, s.object_key, s.media_id) for s in result.segments] == [
        (0, "media-out", "clips/trailer_0.mp4", None),
        (1, "media-out", "clips/trailer_1.mp4", None),
    ]
    assert result.media_url == "https://media-in.oss-cn-shanghai.aliyuncs.com/raw/trailer.mp4"


def test_ice_backend_basic_clip_split_exports_media_ids(
    emulator_factory: Callable[..., IceEmulator],
    backend_for: Callable[..., IceBackend],
    make_basic_clip: Callable[..., JobRequest],
) -> None:
    emu = emulator_factory(service=ServiceSettings(polls_to_finish=3, shots=4))
    backend = backend_for(emu)
    job_id = backend.submit(make_basic_clip(export=True))

    states = [backend.get(job_id).state for _ in range(3)]
    result = backend.get(job_id)

    assert states == [JobState.CREATED, JobState.EXECUTING, JobState.FINISHED]
    assert [s.object_key for s in result.segments] == [f"shots/shots_{i}.mp4" for i in range(4)]
    media_ids = [s.media_id for s in result.segments]
    assert all(m is not None and len(m) == 32 for m in media_ids)
    assert len(set(media_ids)) == 4


def test_ice_backend_same_client_token_creates_one_job(
    emulator: IceEmulator,
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
) -> None:
    backend = backend_for(emulator)
    job = make_user_defined()
    first = backend.submit(job)
    again = backend_for(emulator).submit(job)  # e.g. a rerun after a crash
    other = backend.submit(replace(job, client_token="segspec-trailer-0002"))

    assert first == again
    assert other != first
    assert emulator.service.counters.by_token["segspec-trailer-0001"] == 1
    assert emulator.service.counters.jobs_created == 2


def test_ice_backend_user_data_carries_address_and_fingerprint(
    emulator: IceEmulator,
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
) -> None:
    backend = backend_for(emulator)
    job = make_user_defined()
    info = backend.describe(backend.submit(job))

    assert info.address == job.address
    assert info.fingerprint == job.fingerprint
    assert info.user_data["team"] == "promo"
    assert info.input_file == job.request["InputConfig"]["Media"]
    assert (info.output_bucket, info.output_object) == ("media-out", "clips/trailer_{index}.mp4")
    assert emulator.service.counters.by_address[job.address] == 1


def test_ice_backend_user_data_over_limit_is_refused_before_sending(
    emulator: IceEmulator,
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
) -> None:
    job = make_user_defined(UserData={"note": "x" * 400})
    with pytest.raises(BackendError) as caught:
        backend_for(emulator).submit(job)

    assert "over the service's limit of 512" in str(caught.value)
    assert "shorten UserData to at most" in str(caught.value)
    assert sum(emulator.requests.values()) == 0


def test_ice_backend_reserved_user_data_key_is_refused(
    emulator: IceEmulator,
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
) -> None:
    with pytest.raises(BackendError, match="reserved"):
        backend_for(emulator).submit(make_user_defined(UserData={"segspec": 1}))


def test_ice_backend_failed_job_reports_service_error(
    emulator_factory: Callable[..., IceEmulator],
    backend_for: Callable[..., IceBackend],
    make_basic_clip: Callable[..., JobRequest],
) -> None:
    emu = emulator_factory(
        service=ServiceSettings(
            polls_to_finish=1, fail_media=frozenset({"oss://media-in/raw/shots.mp4"})
        )
    )
    backend = backend_for(emu)
    result = backend.get(backend.submit(make_basic_clip()))

    assert result.state is JobState.FAILED
    assert result.error_code == "InvalidInput.NotExist"
    assert result.error_message
    assert result.segments == ()


def test_ice_backend_invalid_parameter_is_not_retried(
    emulator: IceEmulator,
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
) -> None:
    job = make_user_defined(
        InputConfig={"Type": "OSS", "Media": "https://media-in.oss-cn-beijing.aliyuncs.com/a.mp4"}
    )
    with pytest.raises(BackendError) as caught:
        backend_for(emulator).submit(job)

    err = caught.value
    assert err.code == "InvalidParameter.RegionMismatch"
    assert not err.retryable
    assert err.request_id and err.request_id in str(err)
    assert "cn-beijing" in str(err)
    assert emulator.requests["SubmitSegmentationJob"] == 1


def test_ice_backend_wrong_secret_is_a_clear_unretried_error(
    emulator: IceEmulator,
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
    credential_with: Callable[..., Any],
) -> None:
    wrong = "wrong-secret-0000000000"
    backend = backend_for(emulator, credential=credential_with(secret=wrong))
    with pytest.raises(BackendError) as caught:
        backend.submit(make_user_defined())

    err = caught.value
    assert err.code == "SignatureDoesNotMatch"
    assert not err.retryable
    assert err.request_id
    assert "check the AccessKey secret" in str(err)
    assert wrong not in str(err) and PLANTED_SECRET not in str(err)
    assert emulator.requests["SubmitSegmentationJob"] == 1
    assert emulator.service.counters.jobs_created == 0


def test_ice_backend_unknown_access_key_is_reported(
    emulator: IceEmulator,
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
    credential_with: Callable[..., Any],
) -> None:
    backend = backend_for(emulator, credential=credential_with(key_id="LTAInobody"))
    with pytest.raises(BackendError) as caught:
        backend.submit(make_user_defined())

    assert caught.value.code == "InvalidAccessKeyId.NotFound"
    assert "HTTP 404" in str(caught.value)
    assert not caught.value.retryable


def test_ice_backend_never_shows_the_secret(
    emulator: IceEmulator,
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
) -> None:
    backend = backend_for(emulator)
    with pytest.raises(BackendError) as caught:
        backend.get("0" * 32)  # unknown job: a service error, signed with the real secret

    texts = [repr(backend), str(backend), str(caught.value), repr(caught.value)]
    assert caught.value.code == "NotFound"
    assert all(PLANTED_SECRET not in t for t in texts)
    assert all(ACCESS_KEY_ID not in t for t in texts[:2])


def test_ice_backend_delete_removes_jobs(
    emulator: IceEmulator,
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
) -> None:
    backend = backend_for(emulator)
    job_id = backend.submit(make_user_defined())
    backend.delete([job_id])

    with pytest.raises(BackendError) as caught:
        backend.get(job_id)
    assert caught.value.code == "NotFound"


def test_ice_backend_sends_service_json_strings(
    emulator: IceEmulator,
    backend_for: Callable[..., IceBackend],
    make_user_defined: Callable[..., JobRequest],
) -> None:
    backend = backend_for(emulator)
    job = make_user_defined()
    backend.submit(job)

    (stored,) = emulator.service._jobs.values()
    assert stored.submission.job_params == job.request["JobParams"]
    # None members are dropped rather than sent as null.
    assert "Endpoint" not in stored.submission.output_config
    assert stored.submission.client_token == job.client_token
    assert json.loads(stored.submission.user_data or "")["segspec"]["address"] == job.address
