"""No-op plan time with the state in a bucket (moto's S3 server on loopback) beside the
local file, for the repository's example specs and for 1,000 jobs.

    python benchmarks/remote_state.py [--repeat 7] [--jobs 1000]

Run it with the test extra installed (moto). The example specs are applied once for real
(local engine, local outputs); the 1,000-job state is written directly (finished records
whose one tiny output each exists in the local store), so both sides plan the same thing
and only where the state lives differs. Each figure is the median of `--repeat` in-process
`segspec plan --detailed-exitcode` runs (all must exit 0); the machine is shared, so read
the ratio, not the absolute times.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from moto.server import ThreadedMotoServer  # noqa: E402

from segspec.backends.local.store import LocalStore  # noqa: E402
from segspec.cli.main import entrypoint  # noqa: E402
from segspec.engine.project import Project, gather_wants  # noqa: E402
from segspec.state.model import JobRecord, OutputRecord, now_utc  # noqa: E402
from segspec.state.store import StateStore  # noqa: E402

BUCKET = "bench-state"
MANY = """\
version: 1
jobs:
  ep:
    for_each: [{names}]
    InputConfig: {{Type: OSS, Media: media/sample.mp4}}
    JobParams: {{Mode: UserDefined, Ranges: [{{In: 0, Out: 1}}]}}
    OutputConfig:
      OutputMediaTarget: oss-object
      Bucket: many
      ObjectKey: "${{each.value}}/clip_{{index}}.mp4"
"""


def segspec(root: Path, *args: str) -> int:
    os.chdir(root)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return entrypoint(["--no-color", *args])


def timed_plans(root: Path, repeat: int, state: str | None) -> float:
    flags = ["--state", state] if state else []
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        code = segspec(root, *flags, "plan", "--detailed-exitcode")
        times.append(time.perf_counter() - start)
        if code != 0:
            raise SystemExit(f"plan in {root} exited {code}, expected a no-op")
    return statistics.median(times)


def example_project(work: Path) -> Path:
    root = work / "examples"
    shutil.copytree(REPO / "specs", root / "specs")
    if segspec(root, "apply", "--auto-approve") != 0:
        raise SystemExit("applying the example specs failed")
    return root


def many_jobs_project(work: Path, count: int) -> Path:
    root = work / "many"
    (root / "specs" / "media").mkdir(parents=True)
    shutil.copyfile(
        REPO / "specs" / "media" / "sample.mp4", root / "specs" / "media" / "sample.mp4"
    )
    names = ", ".join(f"e{n:04d}" for n in range(count))
    (root / "specs" / "jobs.yaml").write_text(MANY.format(names=names), encoding="utf-8")
    project = Project.locate(root / "specs", None)
    specs = project.load_specs()
    config = project.backend_config(specs)
    store = LocalStore(project.store_root(config))
    state = StateStore.open(root / "segspec.state.json")
    stamp = now_utc()
    for want in gather_wants(project, specs, config):
        key = f"{want.address[4:-2]}/clip_0.mp4"
        tmp = store.work_dir("bench") / "clip"
        tmp.write_bytes(want.address.encode())
        _, size, digest = store.put_object(tmp, "many", key)
        state.put(
            JobRecord(
                address=want.address,
                backend="local",
                request=dict(want.request),
                local=dict(want.local),
                fingerprint=want.fingerprint,
                input=dict(want.input) if want.input else None,
                client_token="t" * 32,
                job_id="j" * 32,
                status="Finished",
                submitted_at=stamp,
                updated_at=stamp,
                finished_at=stamp,
                outputs=[
                    OutputRecord(index=0, bucket="many", object_key=key, size=size, sha256=digest)
                ],
            )
        )
    state.compact()
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=1000)
    args = parser.parse_args()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "AWS_PROFILE"):
        os.environ.pop(name, None)
    os.environ.update(
        NO_PROXY="127.0.0.1",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
    )
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ["AWS_ENDPOINT_URL"] = f"http://{host}:{port}"
    import boto3

    boto3.client("s3").create_bucket(Bucket=BUCKET)
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="segspec-bench-") as tmp:
            work = Path(tmp)
            for label, root in (
                ("example specs (3 jobs)", example_project(work)),
                (f"{args.jobs:,} jobs", many_jobs_project(work, args.jobs)),
            ):
                url = f"s3://{BUCKET}/{root.name}/segspec.state.json"
                if segspec(root, "--state", url, "init", "--migrate-state") != 0:
                    raise SystemExit("migrating the state to the bucket failed")
                local = timed_plans(root, args.repeat, None)
                remote = timed_plans(root, args.repeat, url)
                size = (root / "segspec.state.json").stat().st_size
                rows.append((label, size, local, remote))
    finally:
        server.stop()
    print("| specs | state size | local file | remote (moto, loopback) | remote ÷ local |")
    print("|---|---|---|---|---|")
    for label, size, local, remote in rows:
        print(
            f"| {label} | {size / 1024:.0f} KiB | {local * 1000:.0f} ms | "
            f"{remote * 1000:.0f} ms | {remote / local:.2f} |"
        )


if __name__ == "__main__":
    main()
