"""The report page's HTML, golden-filed from fixed data."""

from __future__ import annotations

from segspec.render.report import Report, ReportClip, ReportJob, render_report
from tests.conftest import check_golden

PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def sample_report() -> Report:
    cuts = ReportJob(
        address="trailer",
        status="Finished",
        mode="UserDefined",
        backend="local",
        source="media/source.mp4",
        duration=40.0,
        clips=(
            ReportClip(
                0, "clips/trailer/clip_0.mp4", 0.0, 10.0, 0, 249, 1_200_000, "file:///p/0.mp4"
            ),
            ReportClip(1, "clips/trailer/clip_1.mp4", 20.0, 30.0, 500, 749, 1_300_000),
        ),
        picture_kind="first-last-frames",
        picture_uri=PIXEL,
        pending="replace",
    )
    failed = ReportJob(
        address='ep["a<b>"]',
        status="Failed",
        mode="BasicClipSplit",
        backend="ice",
        source="oss://bucket/ep.mp4",
        duration=None,
        error="InputNotFound: input ep.mp4 does not exist — check the path",
    )
    return Report(
        title="segspec: demo",
        generated_at="2026-12-01T10:00:00Z",
        jobs=(cuts, failed),
        plan_text="segspec will perform these actions:\n\n  -/+ trailer (replace)\n",
        plan_summary="Plan: 0 to create, 1 to replace, 0 to delete.",
    )


def test_report_html_golden() -> None:
    check_golden("report.html", render_report(sample_report()))


def test_report_timeline_places_clips_on_the_source() -> None:
    page = render_report(sample_report())
    assert 'style="left:0.000%;width:25.000%"' in page
    assert 'style="left:50.000%;width:25.000%"' in page
    assert "ep[&quot;a&lt;b&gt;&quot;]" in page and "a<b>" not in page
    assert '<a href="file:///p/0.mp4">clips/trailer/clip_0.mp4</a>' in page
    assert "<td>clips/trailer/clip_1.mp4</td>" in page  # no local file: no link
    assert "will replace" in page


def test_report_without_jobs_says_so() -> None:
    page = render_report(Report(title="t", generated_at="now", jobs=()))
    assert "The state records no jobs yet" in page
    assert 'class="plan"' not in page
