"""The request models: the service's rules, each broken rule worded with a remedy."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from segspec.spec.messages import suggest, word_error
from segspec.spec.models import JobBody

MEDIA_ID = "0123456789abcdef0123456789ABCDEF"
_DELETE = object()


def body(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "InputConfig": {"Type": "OSS", "Media": "oss://in-bucket/a.mp4"},
        "JobParams": {"Mode": "UserDefined", "Ranges": [{"In": 0, "Out": 1}]},
        "OutputConfig": {
            "OutputMediaTarget": "oss-object",
            "Bucket": "clips",
            "ObjectKey": "c_{index}.mp4",
        },
    }
    for path, value in overrides.items():
        node = base
        *parents, leaf = path.split("__")
        for part in parents:
            node = node.setdefault(part, {})
        if value is _DELETE:
            node.pop(leaf)
        else:
            node[leaf] = value
    return base


def errors(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(dotted location, worded message) for each problem."""
    with pytest.raises(ValidationError) as caught:
        JobBody.model_validate(data)
    return [
        (".".join(str(p) for p in err["loc"]), word_error(JobBody, err))
        for err in caught.value.errors()
    ]


def test_models_valid_body_defaults() -> None:
    model = JobBody.model_validate(body())
    assert model.OutputConfig.ExportAsNewMedia is False
    assert model.JobParams.Ranges is not None and model.JobParams.Ranges[0].Out == 1.0


def test_models_media_id_accepted_for_type_media() -> None:
    model = JobBody.model_validate(
        body(InputConfig={"Type": "Media", "Media": MEDIA_ID}),
    )
    assert model.InputConfig.Media == MEDIA_ID


@pytest.mark.parametrize(
    ("overrides", "where", "needle"),
    [
        ({"JobParams__Ranges": []}, "JobParams.Ranges", "needs at least one range"),
        ({"JobParams__Ranges": _DELETE}, "JobParams.Ranges", "needs at least one range"),
        ({"JobParams__Mode": "BasicClipSplit"}, "JobParams.Ranges", "not allowed"),
        ({"JobParams__Mode": "Auto"}, "JobParams.Mode", "must be one of"),
        ({"JobParams__Ranges": [{"In": -1, "Out": 1}]}, "JobParams.Ranges.0.In", "at least 0"),
        ({"JobParams__Ranges": [{"In": 5, "Out": 5}]}, "JobParams.Ranges.0.Out", "greater than In"),
        ({"InputConfig__Type": "URL"}, "InputConfig.Type", "must be one of"),
        ({"InputConfig__Media": "oss://Bad_Bucket/a.mp4"}, "InputConfig.Media", "not a valid OSS"),
        ({"InputConfig__Media": "ftp://x/a.mp4"}, "InputConfig.Media", "unsupported URL scheme"),
        ({"OutputConfig__ObjectKey": "c.mp4"}, "OutputConfig.ObjectKey", '"c_{index}.mp4"'),
        ({"OutputConfig__ObjectKey": "../c_{index}.mp4"}, "OutputConfig.ObjectKey", "'..'"),
        ({"OutputConfig__Width": 0}, "OutputConfig.Width", "greater than 0"),
        ({"OutputConfig__Height": -4}, "OutputConfig.Height", "greater than 0"),
        ({"OutputConfig__Video": {"Crf": 52}}, "OutputConfig.Video.Crf", "at most 51"),
        ({"OutputConfig__Video": {"Crf": -1}}, "OutputConfig.Video.Crf", "at least 0"),
        ({"OutputConfig__Video": {"Codec": "h265"}}, "OutputConfig.Video.Codec", "'H.265'"),
        ({"OutputConfig__Video": {"Bitrate": 0}}, "OutputConfig.Video.Bitrate", "greater than"),
        ({"OutputConfig__Bucketname": "x"}, "OutputConfig.Bucketname", "did you mean 'Bucket'"),
        ({"OutputConfig__Width": "wide"}, "OutputConfig.Width", "a whole number"),
        ({"UserData": {"k": "x" * 600}}, "UserData", "over the service's limit of 512"),
    ],
)
def test_models_rule_broken_worded_with_remedy(
    overrides: dict[str, Any], where: str, needle: str
) -> None:
    found = errors(body(**overrides))
    assert [loc for loc, _ in found] == [where], found
    message = found[0][1]
    assert needle in message
    assert " — " in message  # every message names a remedy after the dash


def test_models_media_id_wrong_length() -> None:
    found = errors(body(InputConfig={"Type": "Media", "Media": MEDIA_ID[:-1]}))
    assert found == [
        (
            "InputConfig.Media",
            f"a media ID is 32 letters and digits, got {MEDIA_ID[:-1]!r} (31 characters) — "
            "copy the ID exactly, or use Type OSS with a URL or path",
        )
    ]


def test_models_unknown_top_key_did_you_mean() -> None:
    data = body()
    data["Jobparams"] = data.pop("JobParams")
    found = dict(errors(data))
    assert found["Jobparams"] == "unknown key 'Jobparams' — did you mean 'JobParams'?"
    assert found["JobParams"] == "required key 'JobParams' is missing — add it"


def test_models_suggest() -> None:
    assert suggest("Objectkey", ["Bucket", "ObjectKey"]) == "ObjectKey"
    assert suggest("zzz", ["Bucket", "ObjectKey"]) is None
