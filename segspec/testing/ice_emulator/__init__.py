"""A loopback emulator of Alibaba Cloud ICE's smart segmentation API.

It speaks the wire protocol of the official SDK (RPC style, ACS3-HMAC-SHA256 signatures)
for SubmitSegmentationJob, GetSmartHandleJob, ListSmartJobs and DeleteSmartJob, so tests
can drive the real SDK without the network. See `python -m segspec.testing.ice_emulator
--help` for the command-line mode.
"""

from __future__ import annotations

from segspec.testing.ice_emulator.errors import ApiError
from segspec.testing.ice_emulator.faults import Fault, FaultPlan, FaultSettings
from segspec.testing.ice_emulator.server import IceEmulator, running_emulator
from segspec.testing.ice_emulator.service import IceService, ServiceCounters, ServiceSettings

__all__ = [
    "ApiError",
    "Fault",
    "FaultPlan",
    "FaultSettings",
    "IceEmulator",
    "IceService",
    "ServiceCounters",
    "ServiceSettings",
    "running_emulator",
]
