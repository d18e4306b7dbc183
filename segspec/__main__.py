"""`python -m segspec`: the same as the `segspec` command."""

from __future__ import annotations

from segspec.cli.main import run

if __name__ == "__main__":
    run()
