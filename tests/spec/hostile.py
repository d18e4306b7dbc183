"""Hostile and careless spec texts, shared by the regression tests and benchmarks/hostile.py.

Each entry: name → (spec text, a fragment the refusal must contain).
"""

from __future__ import annotations

GOOD_JOB = """\
version: 1
jobs:
  a:
    InputConfig: {{Type: OSS, Media: {media}}}
    JobParams: {{Mode: UserDefined, Ranges: [{{In: 0, Out: 1}}]}}
    OutputConfig: {{OutputMediaTarget: oss-object, Bucket: {bucket}, ObjectKey: {key}}}
"""


def job(
    media: str = "media/numbered.mp4", bucket: str = "clips", key: str = '"a_{index}.mp4"'
) -> str:
    return GOOD_JOB.format(media=media, bucket=bucket, key=key.replace("{index}", "{{index}}"))


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["version: 1", "a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    lines.append(f"jobs: {{x: *a{levels}}}")
    return "\n".join(lines) + "\n"


def nested(depth: int, mapping: bool = False) -> str:
    inner = "{a: " * depth + "1" + "}" * depth if mapping else "[" * depth + "]" * depth
    return f"version: 1\njobs: {inner}\n"


CASES: dict[str, tuple[str, str]] = {
    "alias bomb": (alias_bomb(), "expands to more than"),
    "alias bomb of long strings": (
        "version: 1\ns: &s "
        + "x" * 60000
        + "\n"
        + "a: &a ["
        + ", ".join(["*s"] * 300)
        + "]\njobs: {x: *a}\n",
        "characters of text",
    ),
    "tag timestamp": (job(bucket="!!timestamp clips"), "YAML tag !!timestamp"),
    "tag bool": (job().replace("Out: 1", "Out: !!bool 5.5"), "YAML tag !!bool"),
    "tag float": (job().replace("Type: OSS", "Type: !!float OSS"), "YAML tag !!float"),
    "tag seq": ("version: !!seq 1\njobs: {}\n", "YAML tag !!seq"),
    "tag binary": (job() + "    UserData: {k: !!binary aGVsbG8=}\n", "YAML tag !!binary"),
    "tag python": ("version: 1\njobs: !!python/object:os.system {}\n", "YAML tag !!python"),
    "tag local": ("version: 1\njobs: !custom x\n", "YAML tag !custom"),
    "recursive alias": (
        "version: 1\ndefaults: &d\n  Self: *d\njobs: {}\n",
        "recursive alias",
    ),
    "nesting 500 lists": (nested(500), "nested more than"),
    "nesting 1000 mappings": (nested(1000, mapping=True), "nested more than"),
    "nesting 10000": (nested(10000), "nested more than"),
    "NUL escaped in Media": (job(media='"media/\\0sample.mp4"'), "control character NUL"),
    "escape in key": (job(key='"a\\x1b[31m_{index}.mp4"'), "control character U+001B"),
    "raw control character": (job().replace("clips", "cl\x07ips"), "control character U+0007"),
    "2 MB line of var refs": (
        "version: 1\nvariables: {x: {default: a}}\njobs: {a: {UserData: {k: '"
        + "${var.x}" * 250_000
        + "'}}}\n",
        "longer than the limit",
    ),
    "too big a file": (
        "version: 1\n" + ("#" * 99 + "\n") * 45_000 + "jobs: {}\n",
        "larger than the limit",
    ),
    "huge integer": (job().replace("Out: 1", "Out: " + "9" * 5000), "a number of 5,000 digits"),
}
"""Refused at validate, exit 1, with the fragment in the message."""
