"""`python -m segspec.testing.ice_emulator`: serve the emulator until interrupted."""

from __future__ import annotations

import argparse
import os
import sys

from segspec.testing.ice_emulator.faults import FaultSettings
from segspec.testing.ice_emulator.server import IceEmulator
from segspec.testing.ice_emulator.service import ServiceSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m segspec.testing.ice_emulator",
        description="Serve an emulated ICE smart-segmentation API on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--access-key-id", default=os.environ.get("ICE_EMULATOR_ACCESS_KEY_ID"))
    parser.add_argument(
        "--access-key-secret",
        default=os.environ.get("ICE_EMULATOR_ACCESS_KEY_SECRET"),
        help="the secret requests must be signed with (or $ICE_EMULATOR_ACCESS_KEY_SECRET)",
    )
    parser.add_argument("--region", default="cn-shanghai")
    parser.add_argument("--polls-to-finish", type=int, default=2)
    parser.add_argument("--shots", type=int, default=3, help="outputs of a BasicClipSplit job")
    parser.add_argument("--throttle-rate", type=float, default=0.0)
    parser.add_argument("--server-error-rate", type=float, default=0.0)
    parser.add_argument("--slow-rate", type=float, default=0.0)
    parser.add_argument("--slow-seconds", type=float, default=15.0)
    parser.add_argument("--error-after-create-rate", type=float, default=0.0)
    parser.add_argument("--fail-rate", type=float, default=0.0, help="share of jobs that fail")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.access_key_id or not args.access_key_secret:
        parser.error("--access-key-id and --access-key-secret are required")
    emulator = IceEmulator(
        {args.access_key_id: args.access_key_secret},
        service=ServiceSettings(
            region=args.region,
            polls_to_finish=args.polls_to_finish,
            shots=args.shots,
            fail_rate=args.fail_rate,
            seed=args.seed,
        ),
        faults=FaultSettings(
            throttle_rate=args.throttle_rate,
            server_error_rate=args.server_error_rate,
            slow_rate=args.slow_rate,
            slow_seconds=args.slow_seconds,
            error_after_create_rate=args.error_after_create_rate,
            seed=args.seed,
        ),
        port=args.port,
    )
    print(f"ICE emulator ({args.region}) listening on {emulator.url}", flush=True)
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
