"""Small wording helpers shared by every renderer."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """`count` and `word`, pluralised: plural(1, "output") == "1 output"."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def timecode(seconds: float) -> str:
    """H:MM:SS.ss, e.g. 0:01:23.45."""
    hundredths = round(seconds * 100)  # round once, so 59.999 reads 0:01:00.00
    hours, rest = divmod(hundredths, 360000)
    minutes, rest = divmod(rest, 6000)
    return f"{hours}:{minutes:02d}:{rest // 100:02d}.{rest % 100:02d}"
