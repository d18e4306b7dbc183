"""`--json`: one JSON object per event on stdout (schema: schemas/events.schema.json)."""

from __future__ import annotations

import sys
import threading
import time

from segspec import __version__
from segspec.engine.events import Event
from segspec.render.events_json import event_data, render_line, version_line


class JsonLinesView:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._write(render_line(version_line(__version__, time.time())))

    def __call__(self, event: Event) -> None:
        line = render_line(event_data(event))
        with self._lock:
            self._write(line)

    def close(self) -> None:
        pass

    def _write(self, line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
