"""The loopback HTTP front of the emulator: signature check, faults, JSON in and out."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from segspec.testing.ice_emulator.errors import ApiError
from segspec.testing.ice_emulator.faults import Fault, FaultPlan, FaultSettings
from segspec.testing.ice_emulator.service import IceService, ServiceSettings
from segspec.testing.ice_emulator.signature import verify

API_VERSION = "2020-11-09"


class IceEmulator:
    """An ICE look-alike on 127.0.0.1 that the official SDK can talk to over plain HTTP.

    `start()` binds (port 0 picks a free one) and serves on a daemon thread; `stop()`
    shuts down and releases any delayed responses. `endpoint` is what goes into the SDK's
    `Config(endpoint=..., protocol="http")`.
    """

    def __init__(
        self,
        keys: Mapping[str, str],
        *,
        service: ServiceSettings | None = None,
        faults: FaultSettings | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
    ) -> None:
        self.keys = dict(keys)
        self.service = IceService(service or ServiceSettings())
        self.faults = FaultPlan(faults or FaultSettings())
        self.requests: Counter[str] = Counter()
        """Requests received, by action (including refused ones)."""
        self.responses: Counter[tuple[str, str]] = Counter()
        """Responses sent, by (action, Code or "OK")."""
        self._nonces: set[str] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        """`127.0.0.1:PORT`, the SDK's endpoint setting."""
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT`, the form segspec's `backend.endpoint` takes."""
        return f"http://{self.endpoint}"

    def start(self) -> IceEmulator:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="ice-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def serve_forever(self) -> None:
        """Serve on the calling thread until interrupted (the command-line mode)."""
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def nonce_is_new(self, nonce: str) -> bool:
        with self._lock:
            if nonce in self._nonces:
                return False
            self._nonces.add(nonce)
            return True

    def handle(
        self, method: str, target: str, headers: Any, body: bytes
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Answer one HTTP request: (status, extra headers, JSON body)."""
        request_id = str(uuid.uuid4()).upper()
        action = headers.get("x-acs-action", "")
        with self._lock:
            self.requests[action] += 1
        extra: dict[str, str] = {"x-acs-request-id": request_id}
        try:
            verify(
                method=method,
                target=target,
                header_values=lambda name: headers.get_all(name) or [],
                body=body,
                keys=self.keys,
                nonce_is_new=self.nonce_is_new,
            )
            if headers.get("x-acs-version") != API_VERSION:
                raise ApiError(400, "InvalidVersion", "Specified parameter Version is not valid.")
            fault = self.faults.next_for(action)
            if fault is Fault.THROTTLE:
                retry_after = self.faults.settings.retry_after_ms
                if retry_after is not None:
                    extra["x-acs-retry-after"] = str(retry_after)
                raise ApiError(
                    400, "Throttling.User", "Request was denied due to user flow control."
                )
            if fault is Fault.SERVER_ERROR:
                raise ApiError(
                    503, "ServiceUnavailable", "The request has failed due to a temporary failure."
                )
            result = self.service.call(action, _params(target, headers, body))
            if fault is Fault.SLOW:
                # The service has acted; only the answer is late, past the client's timeout.
                self._stopping.wait(self.faults.settings.slow_seconds)
            if fault is Fault.ERROR_AFTER_CREATE:
                raise ApiError(
                    500,
                    "InternalError",
                    "The request processing has failed due to some unknown error.",
                )
        except ApiError as err:
            self._count(action, err.code)
            host = headers.get("host", "")
            error = {"RequestId": request_id, "HostId": host, "Code": err.code}
            return err.status, extra, error | {"Message": err.message}
        self._count(action, "OK")
        return 200, extra, {"RequestId": request_id, **result}

    def _count(self, action: str, code: str) -> None:
        with self._lock:
            self.responses[(action, code)] += 1


def _params(target: str, headers: Any, body: bytes) -> dict[str, str]:
    params = dict(parse_qsl(urlsplit(target).query, keep_blank_values=True))
    content_type = str(headers.get("content-type", ""))
    if body and content_type.startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
    return params


def _handler_for(emulator: IceEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "ice-emulator"

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            status, extra, payload = emulator.handle(self.command, self.path, self.headers, body)
            data = json.dumps(payload, separators=(",", ":")).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json;charset=utf-8")
                self.send_header("content-length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout we injected); nothing to tell it

        def log_message(self, format: str, *args: Any) -> None:
            pass  # tests read counters, not access logs

    return Handler


@contextmanager
def running_emulator(
    keys: Mapping[str, str],
    *,
    service: ServiceSettings | None = None,
    faults: FaultSettings | None = None,
) -> Iterator[IceEmulator]:
    """Start an emulator on a free loopback port for the duration of a `with` block."""
    emulator = IceEmulator(keys, service=service, faults=faults).start()
    try:
        yield emulator
    finally:
        emulator.stop()
