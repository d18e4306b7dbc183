"""Small wording helpers shared by every renderer."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """`count` and `word`, pluralised: plural(1, "output") == "1 output"."""
    return f"{count} {word if count == 1 else (many or word + 's')}"
