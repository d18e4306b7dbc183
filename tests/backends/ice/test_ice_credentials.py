"""Credentials come from the environment (read late) or the SDK's default chain."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from segspec.backends.base import JobRequest
from segspec.backends.ice import make_ice_backend
from segspec.errors import BackendError
from segspec.spec.models import BackendConfig
from segspec.testing.ice_emulator import IceEmulator


def test_ice_credentials_from_environment_set_after_import(
    emulator: IceEmulator,
    make_user_defined: Callable[..., JobRequest],
    monkeypatch: pytest.MonkeyPatch,
    access_key_id: str,
    planted_secret: str,
) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", access_key_id)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", planted_secret)
    backend = make_ice_backend(
        BackendConfig(type="ice", region="cn-shanghai", endpoint=emulator.url)
    )

    assert backend.submit(make_user_defined())
    assert planted_secret not in repr(backend)


def test_ice_credentials_missing_everywhere_is_a_clear_error(
    emulator: IceEmulator, make_user_defined: Callable[..., JobRequest]
) -> None:
    backend = make_ice_backend(
        BackendConfig(type="ice", region="cn-shanghai", endpoint=emulator.url)
    )
    with pytest.raises(BackendError) as caught:
        backend.submit(make_user_defined())

    assert caught.value.code == "NoCredentials"
    assert not caught.value.retryable
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in str(caught.value)
    assert sum(emulator.requests.values()) == 0


@pytest.mark.parametrize("region", [None, "eu-central-1"])
def test_ice_credentials_factory_needs_a_supported_region(region: str | None) -> None:
    config = BackendConfig.model_construct(type="ice", region=region, endpoint=None)
    with pytest.raises(BackendError, match="needs a region"):
        make_ice_backend(config)


def test_ice_credentials_factory_rejects_odd_endpoint_schemes() -> None:
    config = BackendConfig(type="ice", region="cn-beijing", endpoint="ftp://x")
    with pytest.raises(BackendError, match="https://"):
        make_ice_backend(config)


def test_ice_credentials_factory_defaults_to_the_regional_https_endpoint() -> None:
    backend = make_ice_backend(BackendConfig(type="ice", region="ap-southeast-1"))
    assert backend.endpoint == "https://ice.ap-southeast-1.aliyuncs.com"
