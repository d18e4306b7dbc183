"""The ice backend: Alibaba Cloud ICE smart segmentation through the official SDK."""

from __future__ import annotations

from segspec.backends.ice.backend import IceBackend, make_ice_backend, split_endpoint
from segspec.backends.ice.credentials import default_credential
from segspec.backends.ice.errors import translate
from segspec.backends.ice.retry import Retrier, RetryPolicy
from segspec.backends.ice.wire import IceJobInfo, parse_job, submit_request, user_data

__all__ = [
    "IceBackend",
    "IceJobInfo",
    "Retrier",
    "RetryPolicy",
    "default_credential",
    "make_ice_backend",
    "parse_job",
    "split_endpoint",
    "submit_request",
    "translate",
    "user_data",
]
