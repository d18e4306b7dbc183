"""What every command receives (`Context`) and the exit-code contract.

Exit codes: 0 ok, 1 user-facing error, 2 changes present under `plan --detailed-exitcode`,
3 internal error (a bug), 130 interrupted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from segspec.cli.globals import Settings

if TYPE_CHECKING:
    from segspec.cli.ui import UI
    from segspec.engine.project import Project

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


@dataclass(frozen=True)
class Context:
    project: Project
    ui: UI
    lock_timeout: float
    settings: Settings = field(default_factory=Settings)

    @classmethod
    def build(cls, settings: Settings) -> Context:
        from segspec.cli.ui import UI  # imported here: `--help` and `--version` need neither
        from segspec.engine.project import Project

        project = Project.locate(settings.specs, settings.state, settings.backend)
        return cls(project, UI.detect(settings.no_color), settings.lock_timeout, settings)
