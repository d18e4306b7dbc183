"""Fixtures for driving the real ICE SDK against the loopback emulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from alibabacloud_credentials.client import Client as CredentialClient
from alibabacloud_credentials.provider import StaticAKCredentialsProvider
from alibabacloud_credentials.utils import auth_util

from segspec.backends.base import JobRequest
from segspec.backends.ice import IceBackend, RetryPolicy, make_ice_backend
from segspec.spec.models import BackendConfig
from segspec.testing.ice_emulator import FaultSettings, IceEmulator, ServiceSettings

ACCESS_KEY_ID = "LTAItestkey0001"
# A value that must never show up in anything segspec prints or writes.
PLANTED_SECRET = "planted-SECRET-7f3a9c1e5b"


@dataclass
class FakeTime:
    """A clock that only moves when something sleeps on it."""

    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _isolated_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real profile, no instance-metadata lookups, no proxies: loopback only."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    for name in ("ACCESS_KEY_ID", "ACCESS_KEY_SECRET", "SECURITY_TOKEN"):
        monkeypatch.delenv(f"ALIBABA_CLOUD_{name}", raising=False)
        monkeypatch.setattr(auth_util, f"environment_{name.lower()}", None)
    monkeypatch.setattr(auth_util, "environment_ecs_metadata_disabled", "true")
    monkeypatch.setattr(auth_util, "environment_cli_profile_disabled", "true")
    monkeypatch.setattr(auth_util, "environment_credentials_uri", None)


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., IceEmulator]]:
    started: list[IceEmulator] = []

    def make(
        *, service: ServiceSettings | None = None, faults: FaultSettings | None = None
    ) -> IceEmulator:
        emu = IceEmulator(
            {ACCESS_KEY_ID: PLANTED_SECRET},
            service=service or ServiceSettings(polls_to_finish=1),
            faults=faults,
        ).start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture
def emulator(emulator_factory: Callable[..., IceEmulator]) -> IceEmulator:
    return emulator_factory()


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def static_credential(key_id: str = ACCESS_KEY_ID, secret: str = PLANTED_SECRET) -> Any:
    return CredentialClient(
        provider=StaticAKCredentialsProvider(access_key_id=key_id, access_key_secret=secret)
    )


@pytest.fixture
def backend_for(fake_time: FakeTime) -> Callable[..., IceBackend]:
    def make(
        emu: IceEmulator,
        *,
        credential: Any | None = None,
        retry: RetryPolicy | None = None,
        read_timeout_ms: int = 5_000,
    ) -> IceBackend:
        return make_ice_backend(
            BackendConfig(type="ice", region="cn-shanghai", endpoint=emu.url),
            credential=credential if credential is not None else static_credential(),
            retry=retry or RetryPolicy(max_attempts=5, base_delay=0.5, max_total_seconds=60),
            read_timeout_ms=read_timeout_ms,
            connect_timeout_ms=1_000,
            poll_seconds=0.0,
            sleep=fake_time.sleep,
            clock=fake_time.clock,
            seed=7,
        )

    return make


def user_defined_job(name: str = "trailer", **overrides: Any) -> JobRequest:
    request: dict[str, Any] = {
        "InputConfig": {
            "Type": "OSS",
            "Media": "https://media-in.oss-cn-shanghai.aliyuncs.com/raw/trailer.mp4",
        },
        "JobParams": {
            "Mode": "UserDefined",
            "Ranges": [{"In": 0, "Out": 10}, {"In": 20, "Out": 30}],
        },
        "OutputConfig": {
            "OutputMediaTarget": "oss-object",
            "Bucket": "media-out",
            "ObjectKey": f"clips/{name}_{{index}}.mp4",
            "Endpoint": None,
        },
        "UserData": {"team": "promo"},
    }
    request.update(overrides)
    return JobRequest(
        address=f"specs/{name}.yaml:{name}",
        fingerprint="f" * 64,
        client_token=f"segspec-{name}-0001",
        request=request,
    )


def basic_clip_job(name: str = "shots", *, export: bool = False) -> JobRequest:
    return JobRequest(
        address=f"specs/{name}.yaml:{name}",
        fingerprint="a" * 64,
        client_token=f"segspec-{name}-0001",
        request={
            "InputConfig": {"Type": "OSS", "Media": "oss://media-in/raw/shots.mp4"},
            "JobParams": {"Mode": "BasicClipSplit"},
            "OutputConfig": {
                "OutputMediaTarget": "oss-object",
                "Endpoint": "https://oss-cn-shanghai.aliyuncs.com",
                "Bucket": "media-out",
                "ObjectKey": f"shots/{name}_{{index}}.mp4",
                "ExportAsNewMedia": export,
            },
        },
    )


@pytest.fixture
def make_user_defined() -> Callable[..., JobRequest]:
    return user_defined_job


@pytest.fixture
def make_basic_clip() -> Callable[..., JobRequest]:
    return basic_clip_job


@pytest.fixture
def credential_with() -> Callable[..., Any]:
    return static_credential


@pytest.fixture
def planted_secret() -> str:
    return PLANTED_SECRET


@pytest.fixture
def access_key_id() -> str:
    return ACCESS_KEY_ID
