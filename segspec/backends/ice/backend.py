"""The ice backend: segmentation jobs on Alibaba Cloud ICE through the official SDK."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from alibabacloud_ice20201109 import models as ice_models
from alibabacloud_ice20201109.client import Client as IceClient
from alibabacloud_tea_openapi.models import Config
from darabonba.runtime import RuntimeOptions

from segspec.backends.base import JobRequest, JobResult
from segspec.backends.ice.credentials import default_credential, secret_values
from segspec.backends.ice.errors import translate
from segspec.backends.ice.retry import Retrier, RetryPolicy
from segspec.backends.ice.wire import IceJobInfo, parse_job, submit_request
from segspec.errors import BackendError
from segspec.spec.models import SUPPORTED_REGIONS, BackendConfig

T = TypeVar("T")
DEFAULT_CONNECT_TIMEOUT_MS = 5_000
DEFAULT_READ_TIMEOUT_MS = 10_000


class IceBackend:
    """Runs jobs on ICE; satisfies `segspec.backends.base.Backend`.

    Every call is retried under the `Retrier`'s policy when the failure is transient.
    `submit` is safe to retry because the engine's client token makes it idempotent on
    the service's side: a repeated request returns the job the first one created.
    """

    name = "ice"

    def __init__(
        self,
        client: Any,
        *,
        region: str,
        endpoint: str,
        retrier: Retrier,
        poll_seconds: float = 5.0,
        secrets: Callable[[], list[str]] = list,
    ) -> None:
        self.region = region
        self.endpoint = endpoint
        self.poll_seconds = poll_seconds
        self._client = client
        self._retrier = retrier
        self._secrets = secrets

    def __repr__(self) -> str:
        return f"IceBackend(region={self.region!r}, endpoint={self.endpoint!r})"

    def preflight(self) -> None:
        """One cheap signed call (ListSmartJobs, one row) to prove credentials and endpoint.

        Raises the same `BackendError` a submission would, before any job is touched.
        """
        request = ice_models.ListSmartJobsRequest(max_results=1)
        self._call(
            "ListSmartJobs",
            lambda runtime: self._client.list_smart_jobs_with_options(request, runtime),
        )

    def submit(self, job: JobRequest) -> str:
        request = submit_request(job)
        body = self._call(
            "SubmitSegmentationJob",
            lambda runtime: self._client.submit_segmentation_job_with_options(request, runtime),
        )
        job_id = body.get("JobId")
        if not job_id:
            raise BackendError(
                f"ICE SubmitSegmentationJob for {job.address} returned no JobId "
                f"(RequestId {body.get('RequestId')}) — run apply again; the client token "
                "keeps it from creating a second job",
                request_id=body.get("RequestId"),
                retryable=True,
            )
        return str(job_id)

    def get(self, job_id: str) -> JobResult:
        return self.describe(job_id).result

    def describe(self, job_id: str) -> IceJobInfo:
        """GetSmartHandleJob with everything it tells: result, UserData, input and output."""
        request = ice_models.GetSmartHandleJobRequest(job_id=job_id)
        body = self._call(
            "GetSmartHandleJob",
            lambda runtime: self._client.get_smart_handle_job_with_options(request, runtime),
        )
        return parse_job(body)

    def delete(self, job_ids: Sequence[str]) -> None:
        """DeleteSmartJob for the given ids (the service takes them comma-separated)."""
        if not job_ids:
            return
        request = ice_models.DeleteSmartJobRequest(job_id=",".join(job_ids))
        self._call(
            "DeleteSmartJob",
            lambda runtime: self._client.delete_smart_job_with_options(request, runtime),
        )

    def _call(self, action: str, send: Callable[[Any], Any]) -> dict[str, Any]:
        def attempt() -> dict[str, Any]:
            try:
                response = send(RuntimeOptions())
            except BackendError:
                raise
            except Exception as exc:
                raise translate(exc, action, self._secrets()) from exc
            body = response.body.to_map() if response.body is not None else {}
            return dict(body)

        return self._retrier.run(action, attempt)


def make_ice_backend(
    config: BackendConfig,
    *,
    credential: Any | None = None,
    retry: RetryPolicy | None = None,
    connect_timeout_ms: int = DEFAULT_CONNECT_TIMEOUT_MS,
    read_timeout_ms: int = DEFAULT_READ_TIMEOUT_MS,
    poll_seconds: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    seed: int | None = None,
) -> IceBackend:
    """Build the ice backend for a spec directory's `backend:` block.

    `config.region` is required; `config.endpoint` overrides the API endpoint and may
    carry a scheme (`http://127.0.0.1:8080` for the emulator; https is the default).
    Credentials come from `credential` or else the default chain (`default_credential`);
    they are read when a request is signed, not here.
    """
    region = config.region
    if region is None or region not in SUPPORTED_REGIONS:
        raise BackendError(
            f"the ice backend needs a region, got {region!r} — add `region:` with one of "
            f"{', '.join(SUPPORTED_REGIONS)} to the backend block"
        )
    protocol, endpoint = split_endpoint(config.endpoint or f"ice.{region}.aliyuncs.com")
    cred = credential if credential is not None else default_credential()
    client = IceClient(
        Config(
            credential=cred,
            endpoint=endpoint,
            protocol=protocol,
            region_id=region,
            connect_timeout=connect_timeout_ms,
            read_timeout=read_timeout_ms,
        )
    )
    retrier = Retrier(retry or RetryPolicy(), sleep=sleep, clock=clock, rng=random.Random(seed))
    return IceBackend(
        client,
        region=region,
        endpoint=f"{protocol}://{endpoint}",
        retrier=retrier,
        poll_seconds=poll_seconds,
        secrets=secret_values(cred),
    )


def split_endpoint(value: str) -> tuple[str, str]:
    """`("http", "127.0.0.1:8080")` from `http://127.0.0.1:8080/`; https when no scheme."""
    scheme, sep, rest = value.partition("://")
    if not sep:
        scheme, rest = "https", value
    if scheme not in ("http", "https"):
        raise BackendError(
            f"the ice endpoint {value!r} has scheme {scheme!r} — use https:// (or http:// for "
            "the local emulator)"
        )
    return scheme, rest.rstrip("/")
