"""`segspec report`: the project as one self-contained HTML page (pure rendering).

Everything the page shows is handed in as plain data (`Report`); pictures arrive as
data URIs, so the page needs no other file and no network. The only script checks
that every picture decoded and says so on the console, which is how the browser test
knows the page rendered whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from segspec.plan.reasons import human_size
from segspec.render.words import plural, timecode

STATUS_CLASS = {
    "Finished": "ok",
    "Failed": "bad",
    "Executing": "run",
    "Created": "run",
    "Submitting": "run",
}


@dataclass(frozen=True)
class ReportClip:
    index: int
    object_key: str
    in_s: float | None
    out_s: float | None
    first_frame: int | None = None
    last_frame: int | None = None
    size: int | None = None
    href: str | None = None
    """A link to the local file, when segspec can reach it."""


@dataclass(frozen=True)
class ReportJob:
    address: str
    status: str
    mode: str
    backend: str
    source: str
    duration: float | None
    """Length of the input in seconds (the timeline's width); None when unknown."""
    clips: Sequence[ReportClip] = ()
    picture_kind: str | None = None
    picture_uri: str | None = None
    error: str | None = None
    pending: str | None = None
    """What the pending plan does to this job (create, replace, read, delete), if anything."""


@dataclass(frozen=True)
class Report:
    title: str
    generated_at: str
    jobs: Sequence[ReportJob]
    plan_text: str | None = None
    """The pending plan as `segspec plan` prints it, when it has changes."""
    plan_summary: str | None = None
    notes: Sequence[str] = field(default_factory=tuple)


CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;background:#fafafa;color:#222}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:0}
.meta{color:#666;margin-bottom:16px}
.plan{background:#fff8e1;border:1px solid #f0c36d;padding:12px;margin-bottom:20px}
.plan pre{margin:8px 0 0;white-space:pre-wrap}
.job{background:#fff;border:1px solid #ddd;border-radius:6px;padding:14px;margin-bottom:18px}
.status{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;margin-left:8px}
.pending{background:#ef6c00}.ok{background:#2e7d32}.bad{background:#c62828}.run{background:#1565c0}.none{background:#777}
.timeline{position:relative;height:22px;background:#e0e0e0;border-radius:3px;margin:10px 0}
.clip{position:absolute;top:0;bottom:0;background:#42a5f5;border-right:1px solid #0d47a1;
 color:#fff;font-size:11px;text-align:center;overflow:hidden}
.clip:nth-child(even){background:#1e88e5}
table{border-collapse:collapse;margin-top:8px}td,th{padding:2px 10px;text-align:left}
th{color:#555;font-weight:600;border-bottom:1px solid #ddd}
img.picture{display:block;max-width:100%;margin-top:10px;border:1px solid #ccc}
.error{color:#c62828;white-space:pre-wrap}
"""
CHECK = (
    "window.addEventListener('load',()=>{for(const i of document.images){"
    "if(!i.complete||i.naturalWidth===0){console.error('picture did not load: '+i.alt)}}});"
)


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _timeline(job: ReportJob) -> str:
    ends = [c.out_s for c in job.clips if c.out_s is not None]
    length = job.duration or (max(ends) if ends else None)
    if not length or not job.clips:
        return ""
    parts = []
    for clip in job.clips:
        if clip.in_s is None or clip.out_s is None:
            continue
        left = 100 * clip.in_s / length
        width = max(0.2, 100 * (clip.out_s - clip.in_s) / length)
        title = f"#{clip.index} {timecode(clip.in_s)}–{timecode(clip.out_s)}"
        parts.append(
            f'<div class="clip" style="left:{left:.3f}%;width:{width:.3f}%" '
            f'title="{escape(title)}">{clip.index}</div>'
        )
    label = f"source {timecode(length)}"
    return f'<div class="timeline" aria-label="{label}">{"".join(parts)}</div>'


def _clip_row(clip: ReportClip) -> str:
    key = escape(clip.object_key)
    name = f'<a href="{escape(clip.href)}">{key}</a>' if clip.href else key
    frames = "" if clip.first_frame is None else f"{clip.first_frame}–{clip.last_frame}"
    length = "" if clip.in_s is None or clip.out_s is None else f"{clip.out_s - clip.in_s:.3f} s"
    size = "" if clip.size is None else human_size(clip.size)
    cells = [str(clip.index), _seconds(clip.in_s), _seconds(clip.out_s), length, frames, size]
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + f"<td>{name}</td></tr>"


def _job(job: ReportJob) -> str:
    status = STATUS_CLASS.get(job.status, "none")
    lines = [
        f'<section class="job" id="{escape(job.address)}">',
        f'<h2>{escape(job.address)}<span class="status {status}">{escape(job.status)}</span>'
        + (f'<span class="status pending">will {escape(job.pending)}</span>' if job.pending else "")
        + "</h2>",
        f'<div class="meta">{escape(job.mode)} on {escape(job.backend)} · {escape(job.source)}'
        + (f" · {timecode(job.duration)}" if job.duration else "")
        + f" · {plural(len(job.clips), 'clip')}</div>",
    ]
    if job.error:
        lines.append(f'<div class="error">{escape(job.error)}</div>')
    lines.append(_timeline(job))
    if job.clips:
        head = "".join(
            f"<th>{h}</th>" for h in ("#", "in (s)", "out (s)", "length", "frames", "size", "key")
        )
        rows = "".join(_clip_row(c) for c in job.clips)
        lines.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    if job.picture_uri:
        alt = f"{job.picture_kind} of {job.address}"
        lines.append(f'<img class="picture" src="{job.picture_uri}" alt="{escape(alt)}">')
    lines.append("</section>")
    return "\n".join(line for line in lines if line)


def render_report(report: Report) -> str:
    """The whole page; the same `Report` always renders to the same bytes."""
    body = [
        f"<h1>{escape(report.title)}</h1>",
        f'<div class="meta">{plural(len(report.jobs), "job")} · generated '
        f"{escape(report.generated_at)}</div>",
    ]
    if report.plan_text:
        summary = escape(report.plan_summary or "Pending changes")
        body.append(
            f'<section class="plan"><h2>{summary}</h2><pre>{escape(report.plan_text)}</pre>'
            "</section>"
        )
    body += [f'<div class="meta">{escape(note)}</div>' for note in report.notes]
    body += [_job(job) for job in report.jobs]
    if not report.jobs:
        body.append("<p>The state records no jobs yet. Run <code>segspec apply</code>.</p>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(report.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + f"\n<script>{CHECK}</script>\n</body>\n</html>\n"
    )
