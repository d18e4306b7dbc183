"""The emulator as the raw SDK sees it: signatures, validation, listing, progress."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from alibabacloud_ice20201109 import models as ice_models
from alibabacloud_ice20201109.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_openapi.utils import Utils
from darabonba.request import DaraRequest

from segspec.testing.ice_emulator import ApiError, IceEmulator, ServiceSettings
from segspec.testing.ice_emulator.signature import verify


def sdk_client(emu: IceEmulator, credential: Any, **extra: Any) -> Any:
    return Client(
        Config(
            endpoint=emu.endpoint,
            protocol="http",
            region_id="cn-shanghai",
            credential=credential,
            read_timeout=5000,
            **extra,
        )
    )


def submit_request(**overrides: Any) -> Any:
    params: dict[str, Any] = {
        "client_token": "tok",
        "input_config": json.dumps({"Type": "OSS", "Media": "oss://media-in/a b.mp4"}),
        "job_params": json.dumps({"Mode": "UserDefined", "Ranges": [{"In": 1, "Out": 2.5}]}),
        "output_config": json.dumps(
            {"OutputMediaTarget": "oss-object", "Bucket": "media-out", "ObjectKey": "o_{index}.mp4"}
        ),
        "user_data": json.dumps({"note": "ünïcode & spaces"}),
    }
    params.update(overrides)
    return ice_models.SubmitSegmentationJobRequest(**params)


def test_ice_emulator_accepts_real_sdk_signature(
    emulator: IceEmulator, credential_with: Callable[..., Any]
) -> None:
    client = sdk_client(emulator, credential_with())
    job_id = client.submit_segmentation_job(submit_request()).body.job_id
    job = client.get_smart_handle_job(ice_models.GetSmartHandleJobRequest(job_id=job_id)).body

    assert job.state == "Finished"
    assert json.loads(job.user_data) == {"note": "ünïcode & spaces"}


@pytest.mark.parametrize(
    ("key_id", "secret", "status", "code"),
    [
        ("LTAItestkey0001", "not-the-secret", 400, "SignatureDoesNotMatch"),
        ("LTAIunknown", "planted-SECRET-7f3a9c1e5b", 404, "InvalidAccessKeyId.NotFound"),
    ],
)
def test_ice_emulator_rejects_bad_credentials(
    emulator: IceEmulator,
    credential_with: Callable[..., Any],
    key_id: str,
    secret: str,
    status: int,
    code: str,
) -> None:
    client = sdk_client(emulator, credential_with(key_id=key_id, secret=secret))
    with pytest.raises(ClientException) as caught:
        client.submit_segmentation_job(submit_request())

    assert (caught.value.status_code, caught.value.code) == (status, code)
    assert set(caught.value.data) >= {"RequestId", "Code", "Message", "HostId"}
    assert emulator.service.counters.jobs_created == 0


def test_ice_emulator_signature_covers_the_body(planted_secret: str) -> None:
    """Sign a request with the SDK's own routine, then alter the body: refused."""
    request = DaraRequest()
    request.method, request.pathname = "POST", "/"
    request.query = {"JobParams": '{"Mode":"BasicClipSplit"}', "ClientToken": "t"}
    body = b"InputConfig=%7B%22Type%22%3A%22OSS%22%7D"
    request.headers = {
        "host": "127.0.0.1:1",
        "x-acs-action": "SubmitSegmentationJob",
        "x-acs-version": "2020-11-09",
        "x-acs-date": Utils.get_timestamp(),
        "x-acs-signature-nonce": Utils.get_nonce(),
        "content-type": "application/x-www-form-urlencoded",
    }
    payload = Utils.hash(body, "ACS3-HMAC-SHA256").hex()
    request.headers["x-acs-content-sha256"] = payload
    request.headers["Authorization"] = Utils.get_authorization(
        request, "ACS3-HMAC-SHA256", payload, "AK", planted_secret
    )
    headers = {k.lower(): v for k, v in request.headers.items()}
    target = "/?JobParams=%7B%22Mode%22%3A%22BasicClipSplit%22%7D&ClientToken=t"

    def check(sent_body: bytes, sent_headers: dict[str, str]) -> str:
        return verify(
            method="POST",
            target=target,
            header_values=lambda n: [sent_headers[n]] if n in sent_headers else [],
            body=sent_body,
            keys={"AK": planted_secret},
            nonce_is_new=lambda _: True,
        )

    assert check(body, headers) == "AK"
    with pytest.raises(ApiError, match="SignatureDoesNotMatch"):
        check(body + b"x", headers)
    forged = dict(
        headers, **{"x-acs-content-sha256": Utils.hash(body + b"x", "ACS3-HMAC-SHA256").hex()}
    )
    with pytest.raises(ApiError, match="SignatureDoesNotMatch"):
        check(body + b"x", forged)


def test_ice_emulator_rejects_replayed_nonce(
    emulator: IceEmulator, credential_with: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Utils, "get_nonce", staticmethod(lambda: "same-nonce"))
    client = sdk_client(emulator, credential_with())
    client.submit_segmentation_job(submit_request())
    with pytest.raises(ClientException) as caught:
        client.submit_segmentation_job(submit_request())

    assert caught.value.code == "SignatureNonceUsed"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"input_config": None}, "MissingInputConfig"),
        ({"job_params": "{not json"}, "InvalidParameter"),
        ({"job_params": json.dumps({"Mode": "UserDefined"})}, "MissingJobParams.Ranges"),
        (
            {"output_config": json.dumps({"OutputMediaTarget": "oss-object", "Bucket": "b-1"})},
            "MissingOutputConfig.ObjectKey",
        ),
        ({"user_data": json.dumps({"x": "y" * 600})}, "InvalidParameter"),
        (
            {"input_config": json.dumps({"Type": "OSS", "Media": "https://cdn.example.com/a.mp4"})},
            "InvalidParameter",
        ),
    ],
)
def test_ice_emulator_validates_parameters(
    emulator: IceEmulator,
    credential_with: Callable[..., Any],
    overrides: dict[str, Any],
    code: str,
) -> None:
    client = sdk_client(emulator, credential_with())
    with pytest.raises(ClientException) as caught:
        client.submit_segmentation_job(submit_request(**overrides))

    assert caught.value.code == code
    assert caught.value.status_code == 400


def test_ice_emulator_same_token_different_request_is_refused(
    emulator: IceEmulator, credential_with: Callable[..., Any]
) -> None:
    client = sdk_client(emulator, credential_with())
    client.submit_segmentation_job(submit_request())
    with pytest.raises(ClientException) as caught:
        client.submit_segmentation_job(submit_request(job_params='{"Mode":"BasicClipSplit"}'))

    assert caught.value.code == "IdempotentParameterMismatch"


def test_ice_emulator_lists_jobs_in_pages(
    emulator_factory: Callable[..., IceEmulator], credential_with: Callable[..., Any]
) -> None:
    emu = emulator_factory(service=ServiceSettings(polls_to_finish=5))
    client = sdk_client(emu, credential_with())
    ids = [
        client.submit_segmentation_job(submit_request(client_token=f"t{i}")).body.job_id
        for i in range(5)
    ]
    first = client.list_smart_jobs(ice_models.ListSmartJobsRequest(max_results=3)).body
    rest = client.list_smart_jobs(
        ice_models.ListSmartJobsRequest(max_results=3, next_token=first.next_token)
    ).body

    listed = [j.job_id for j in first.smart_job_list + rest.smart_job_list]
    assert first.total_count == 5
    assert listed == list(reversed(ids))  # newest first by default
    assert rest.next_token is None
    assert {j.job_state for j in first.smart_job_list} == {"Created"}


def test_ice_emulator_job_progress_follows_the_clock(
    emulator_factory: Callable[..., IceEmulator], credential_with: Callable[..., Any]
) -> None:
    now = [0.0]
    emu = emulator_factory(
        service=ServiceSettings(polls_to_finish=1, job_seconds=30, clock=lambda: now[0])
    )
    client = sdk_client(emu, credential_with())
    job_id = client.submit_segmentation_job(submit_request()).body.job_id
    get = ice_models.GetSmartHandleJobRequest(job_id=job_id)

    before = [client.get_smart_handle_job(get).body.state for _ in range(2)]
    now[0] = 31.0
    after = client.get_smart_handle_job(get).body

    assert before == ["Created", "Executing"]
    assert after.state == "Finished"
    assert json.loads(after.job_result.ai_result)["SegmentationResult"]["OutputBucket"] == (
        "media-out"
    )


def test_ice_emulator_rejects_v2_signatures(
    emulator: IceEmulator, credential_with: Callable[..., Any]
) -> None:
    client = sdk_client(emulator, credential_with(), signature_algorithm="v2")
    with pytest.raises(ClientException) as caught:
        client.submit_segmentation_job(submit_request())

    assert caught.value.code == "MissingAuthorization"
