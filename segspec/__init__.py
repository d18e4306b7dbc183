"""segspec: video segmentation jobs as code (specs → plan → apply → state)."""

from __future__ import annotations

__version__ = "0.1.0"
