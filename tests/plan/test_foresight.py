"""Plans that see what apply will do: objects, durations, frames, and problems found
before anything runs (facts about media are handed in; the planner does no I/O)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from segspec.plan.model import Action, Facts
from segspec.plan.outputs import MediaFacts, frame_span, key_clashes
from segspec.plan.planner import plan
from segspec.render.human import render_plan
from tests.plan.test_planner import keyed, record, want

MEDIA = MediaFacts(duration=40.0, fps=Fraction(25), frames=1000)


def test_foresight_objects_with_frames_from_media_facts() -> None:
    result = plan([want("a", keyed("a/clip_{index}.mp4", 10, 20.5))], {}, Facts(media={"a": MEDIA}))
    (change,) = result.changes
    assert change.objects == (
        {
            "index": 0,
            "bucket": "clips",
            "object_key": "a/clip_0.mp4",
            "in": 0.0,
            "out": 10.0,
            "duration": 10.0,
            "first_frame": 0,
            "last_frame": 249,
        },
        {
            "index": 1,
            "bucket": "clips",
            "object_key": "a/clip_1.mp4",
            "in": 10.0,
            "out": 20.52,
            "duration": 10.52,
            "first_frame": 250,
            "last_frame": 512,
        },
    )
    assert frame_span(10.0, 20.5, Fraction(25)) == (250, 512)
    assert change.problems == ()


def test_foresight_range_past_the_end_and_empty_range() -> None:
    req: dict[str, Any] = keyed("a_{index}.mp4", 10)
    req["JobParams"]["Ranges"] = [{"In": 0.0, "Out": 45.0}, {"In": 1.0, "Out": 1.00000001}]
    (change,) = plan([want("a", req)], {}, Facts(media={"a": MEDIA})).changes
    assert change.problems == (
        "JobParams.Ranges[0].Out is 45 s, past the end of the input (40.00 s long) — "
        "shorten the range",
        "JobParams.Ranges[1] holds no whole frame at 25 fps — widen the range",
    )


def test_foresight_missing_and_unreadable_inputs() -> None:
    missing = want("m", keyed("m_{index}.mp4"), identity={"error": "input x.mp4 does not exist"})
    corrupt = want("c", keyed("c_{index}.mp4"))
    facts = Facts(media={"c": MediaFacts(error="input c.mp4 is not a readable media file")})
    changes = plan([missing, corrupt], {}, facts).by_address()
    assert changes["m"].problems == ("input: input x.mp4 does not exist",)
    assert changes["c"].problems == ("input: input c.mp4 is not a readable media file",)
    text = render_plan(plan([missing, corrupt], {}, facts))
    assert "      ✗ input: input x.mp4 does not exist\n" in text
    assert text.endswith(
        "2 problems in 2 jobs: apply would fail them or overwrite another job's outputs — "
        "fix the inputs or specs first.\n"
    )


def test_foresight_two_jobs_writing_the_same_key() -> None:
    a = want("a", keyed("shared_{index}.mp4", 10, 20))
    b = want("b", keyed("shared_{index}.mp4", 10))
    ok = want("ok", keyed("own_{index}.mp4"))
    changes = plan([a, b, ok], {}, Facts()).by_address()
    assert changes["a"].problems == (
        "output clips/shared_0.mp4 is also written by b — give each job its own ObjectKey",
    )
    assert changes["b"].problems == (
        "output clips/shared_0.mp4 is also written by a — give each job its own ObjectKey",
    )
    assert changes["ok"].problems == ()
    # A clash with an unchanged job is still a clash for the job about to run.
    existing = plan([a, ok], {"a": record(a)}, Facts()).by_address()
    assert existing["a"].action is Action.NOOP


def test_foresight_split_jobs_clash_on_the_template() -> None:
    split: dict[str, Any] = keyed("s_{index}.mp4")
    split["JobParams"] = {"Mode": "BasicClipSplit"}
    assert key_clashes([("s", split), ("u", keyed("s_{index}.mp4"))]) == {
        "s": ["output clips/s_{index}.mp4 is also written by u — give each job its own ObjectKey"],
        "u": ["output clips/s_{index}.mp4 is also written by s — give each job its own ObjectKey"],
    }
    assert key_clashes([("u", keyed("s_{index}.mp4", 10)), ("v", keyed("s_{index}.mp4", 10))])[
        "u"
    ] == ["output clips/s_0.mp4 is also written by v — give each job its own ObjectKey"]


def test_foresight_previewed_shot_count() -> None:
    split: dict[str, Any] = keyed("s_{index}.mp4")
    split["JobParams"] = {"Mode": "BasicClipSplit"}
    (change,) = plan([want("s", split)], {}, Facts(shots={"s": 7})).changes
    assert change.shots == 7 and change.objects == ()
    assert "      will produce 7 clips (shot detection preview)\n" in render_plan(
        plan([want("s", split)], {}, Facts(shots={"s": 7}))
    )
