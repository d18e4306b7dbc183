"""Views: how the events of an operation are shown (Terraform's `command/views`).

`plain` writes one line per event (logs, pipes, no animation, colour only on a terminal
without NO_COLOR/--no-color), `json_lines` one JSON object per event (`--json`), and
`live` a rich display on a terminal. `live` imports rich only when it is chosen.
"""

from __future__ import annotations

from typing import Protocol

from segspec.cli.ui import UI
from segspec.engine.events import Event


class View(Protocol):
    def __call__(self, event: Event) -> None:
        """Show one event (called from worker threads too; views serialise)."""
        ...

    def close(self) -> None:
        """Stop any animation and leave the terminal as it was."""
        ...


def choose_view(ui: UI, as_json: bool) -> View:
    """JSON lines under --json; the live display on a terminal; plain lines otherwise."""
    if as_json:
        from segspec.cli.views.json_lines import JsonLinesView

        return JsonLinesView()
    if ui.terminal:
        from segspec.cli.views.live import LiveView

        return LiveView(ui)
    from segspec.cli.views.plain import PlainView

    return PlainView(ui)
