"""Lock → open state → operate → fold → unlock: the sequence every operation shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from segspec.engine.events import Emit, StateSaved, ignore
from segspec.engine.project import Project
from segspec.state.base import State


@contextmanager
def locked_state(
    project: Project, lock_timeout: float, emit: Emit = ignore, *, fold_first: bool = False
) -> Iterator[State]:
    """Hold the project's state lock and yield its opened state.

    Whatever happens inside (an error, Ctrl-C), every recorded transition is folded into
    the state (`compact()`: the fold, which may defer rewriting a large state) before the
    lock is released; an operation that changed the state emits `StateSaved`.
    `fold_first` also folds a journal an interrupted run left before the block starts
    (for read-mostly commands that want a tidy state file).
    """
    with project.lock(lock_timeout):
        state = project.open_state()
        before = state.serial
        if fold_first:
            state.compact()
        try:
            yield state
        finally:
            state.compact()
            if state.serial != before:
                emit(StateSaved(state.location, state.serial))
