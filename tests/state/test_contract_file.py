"""The state contract on the local file store."""

from __future__ import annotations

from pathlib import Path

import pytest

from segspec.state.store import FileStateBackend
from tests.state.contract import Factory, StateContract


class TestFileState(StateContract):
    @pytest.fixture
    def backend(self, tmp_path: Path) -> Factory:
        return lambda: FileStateBackend(tmp_path / "segspec.state.json")
