"""Where the ice backend's credentials come from: the `alibabacloud-credentials` chain.

The SDK's environment provider reads `ALIBABA_CLOUD_ACCESS_KEY_ID`/`_SECRET`/
`ALIBABA_CLOUD_SECURITY_TOKEN` once, when the credentials package is first imported. segspec
reads them when a backend is made instead, so a variable set later in the same process
(tests, long-lived tools) counts; without them the SDK's own default chain applies
(profile files, then instance RAM roles).

Nothing here ever formats a credential value into text.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from alibabacloud_credentials.client import Client as CredentialClient
from alibabacloud_credentials.provider import (
    StaticAKCredentialsProvider,
    StaticSTSCredentialsProvider,
)

ENV_ACCESS_KEY_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
ENV_ACCESS_KEY_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
ENV_SECURITY_TOKEN = "ALIBABA_CLOUD_SECURITY_TOKEN"


def default_credential() -> Any:
    """A credentials client: the environment first, then the SDK's default chain."""
    key_id = os.environ.get(ENV_ACCESS_KEY_ID)
    secret = os.environ.get(ENV_ACCESS_KEY_SECRET)
    token = os.environ.get(ENV_SECURITY_TOKEN)
    if key_id and secret:
        provider: Any
        if token:
            provider = StaticSTSCredentialsProvider(
                access_key_id=key_id, access_key_secret=secret, security_token=token
            )
        else:
            provider = StaticAKCredentialsProvider(access_key_id=key_id, access_key_secret=secret)
        return CredentialClient(provider=provider)
    return CredentialClient()


def secret_values(credential: Any) -> Callable[[], list[str]]:
    """A function listing the credential's secret parts, for scrubbing error text.

    It never raises: when the chain cannot produce a credential there is nothing to hide.
    """

    def values() -> list[str]:
        try:
            model = credential.get_credential()
        except Exception:
            return []
        found = [model.access_key_secret, model.security_token, getattr(model, "bearer_token", "")]
        return [str(v) for v in found if v]

    return values
