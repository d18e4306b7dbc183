"""The local backend: runs jobs on this machine with ffmpeg and keeps them in a LocalStore.

`submit` runs the job to completion before returning (the engine above decides how many
run at once); it tells the job's reporter (`backends.progress`) that the job started as
soon as its record is written, and the cuts report how far they are. Job records are
written before and after the work, keyed by a job id derived from the client token, so
resubmitting a token returns the same job; a record left `Executing` by a process that
died is run again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import socket
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from segspec.backends.base import JobRequest, JobResult, JobState, OutputSegment, ai_result_for
from segspec.backends.local.clips import Clip
from segspec.backends.local.cut import cut_ranges
from segspec.backends.local.inputs import RemoteInputs, resolve_input
from segspec.backends.local.pictures import make_picture, picture_key, picture_record
from segspec.backends.local.store import LocalStore, sha256_file
from segspec.backends.progress import current
from segspec.errors import BackendError, MediaError, os_error_message
from segspec.media.probe import MediaInfo, probe
from segspec.state.model import now_utc

if TYPE_CHECKING:
    from segspec.backends.s3objects import S3Objects


class LocalBackend:
    """The embedded default engine."""

    name = "local"
    poll_seconds = 0.0

    def __init__(self, store: LocalStore, object_endpoint: str | None = None) -> None:
        self.store = store
        self.object_endpoint = object_endpoint
        """Where outputs go when a job's OutputConfig.Endpoint is unset (None: `store`)."""
        self._remote: dict[str, S3Objects] = {}
        self.inputs = RemoteInputs(object_endpoint, self.remote) if object_endpoint else None

    def endpoint_for(self, out: Mapping[str, Any]) -> str | None:
        """The S3-protocol endpoint a job's outputs are uploaded to (None: the local store)."""
        endpoint = out.get("Endpoint") or self.object_endpoint
        return str(endpoint) if endpoint else None

    def remote(self, endpoint: str) -> S3Objects:
        """The object store at `endpoint` (one client per endpoint, made on first use)."""
        if endpoint not in self._remote:
            from segspec.backends.s3objects import s3_objects_at

            self._remote[endpoint] = s3_objects_at(endpoint)
        return self._remote[endpoint]

    def submit(self, job: JobRequest) -> str:
        job_id = hashlib.sha256(f"local\n{job.client_token}".encode()).hexdigest()[:32]
        record = self.store.read_job(job_id)
        if record is not None and (
            record["state"] == "Failed"
            or (record["state"] == "Finished" and self._outputs_intact(record))
            or _alive(record)
        ):
            return job_id
        record = {
            "job_id": job_id,
            "address": job.address,
            "client_token": job.client_token,
            "request": dict(job.request),
            "local": dict(job.local),
            "base_dir": str(job.base_dir),
            "state": "Executing",
            "owner": {"pid": os.getpid(), "host": socket.gethostname()},
            "created": now_utc(),
        }
        try:
            self.store.write_job(job_id, record)
            current().submitted(job_id)  # the work starts now, not when it has finished
            self._run(job_id, record)
        except OSError as exc:
            raise BackendError(
                os_error_message(exc, f"the local engine running {job.address}"),
                code="LocalFileSystemError",
            ) from exc
        return job_id

    def _outputs_intact(self, record: dict[str, Any]) -> bool:
        """A finished job counts as done only while its outputs are still in place; else
        (outputs deleted or overwritten since, e.g. after `state rm`) it is cut again."""
        endpoint = self.endpoint_for(record["request"]["OutputConfig"])
        for seg in record.get("segments", []):
            if endpoint is not None:
                found = self.remote(endpoint).stat(seg["bucket"], seg["object_key"])
                if found is None or found.size != seg.get("size"):
                    return False
                continue
            path = self.store.object_path(seg["bucket"], seg["object_key"])
            if not path.is_file() or path.stat().st_size != seg.get("size"):
                return False
        return True

    def get(self, job_id: str) -> JobResult:
        record = self.store.read_job(job_id)
        if record is None:
            raise BackendError(
                f"local job {job_id} is not in {self.store.jobs_dir} — the store was "
                "removed; run `segspec apply --replace ADDRESS` to run the job again",
                code="JobNotFound",
            )
        if record["state"] == "Executing" and not _alive(record):
            record["owner"] = {"pid": os.getpid(), "host": socket.gethostname()}
            try:
                self.store.write_job(job_id, record)
                record = self._run(job_id, record)
            except OSError as exc:
                raise BackendError(
                    os_error_message(exc, f"the local engine running {record['address']}"),
                    code="LocalFileSystemError",
                ) from exc
        return _result(record)

    def _run(self, job_id: str, record: dict[str, Any]) -> dict[str, Any]:
        workdir = self.store.work_dir(job_id)
        try:
            segments, picture = self._work(record, workdir)
        except MediaError as exc:
            record.update(state="Failed", error_code=exc.code, error_message=str(exc))
        except OSError as exc:
            # the machine refused a read or write (disk full, permissions, ...): the job
            # failed for a reason the user can fix, and is recorded so, not left Executing
            message = os_error_message(exc, f"cutting {record['address']}")
            record.update(state="Failed", error_code="LocalFileSystemError", error_message=message)
        else:
            out = record["request"]["OutputConfig"]
            if picture is not None:
                record["picture"] = picture
            endpoint = self.endpoint_for(out) or self.store.objects.resolve().as_uri()
            record.update(
                state="Finished",
                segments=[vars(seg) for seg in segments],
                ai_result=ai_result_for(endpoint, out["Bucket"], segments),
            )
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        record["finished"] = now_utc()
        self.store.write_job(job_id, record)
        return record

    def _work(
        self, record: Mapping[str, Any], workdir: Path
    ) -> tuple[tuple[OutputSegment, ...], dict[str, Any] | None]:
        request = record["request"]
        out = request["OutputConfig"]
        src = resolve_input(
            request["InputConfig"], Path(record["base_dir"]), self.store, self.inputs
        )
        info = probe(src)
        suffix = PurePosixPath(out["ObjectKey"]).suffix or ".mp4"
        params = request["JobParams"]
        clips: list[Clip]
        if params["Mode"] == "UserDefined":
            clips = cut_ranges(src, info, params["Ranges"], out, record["local"], workdir, suffix)
        else:
            from segspec.backends.local.split import split_shots

            clips = split_shots(src, out, record["local"], workdir, suffix)
        segments = tuple(self._publish(clip, out) for clip in clips)
        picture = None
        if clips:
            # The picture is for reviewers; a job whose clips were made is not failed
            # for want of one (the record then simply has no picture).
            with contextlib.suppress(MediaError):
                picture = self._picture(src, info, params["Mode"], clips, out, workdir)
        return segments, picture

    def _picture(
        self,
        src: Path,
        info: MediaInfo,
        mode: str,
        clips: list[Clip],
        out: Mapping[str, Any],
        workdir: Path,
    ) -> dict[str, Any]:
        kind, path, captions = make_picture(src, info, mode, clips, workdir)
        key = picture_key(str(out["ObjectKey"]), kind)
        endpoint = self.endpoint_for(out)  # beside the outputs, wherever they go
        if endpoint is None:
            _, size, digest = self.store.put_object(path, out["Bucket"], key)
        else:
            digest = sha256_file(path)
            size = self.remote(endpoint).put(path, out["Bucket"], key).size
        return picture_record(kind, out["Bucket"], key, size, digest, captions)

    def _publish(self, clip: Clip, out: Mapping[str, Any]) -> OutputSegment:
        key = str(out["ObjectKey"]).replace("{index}", str(clip.index))
        endpoint = self.endpoint_for(out)
        etag = mtime_ns = None
        if endpoint is None:
            dest, size, digest = self.store.put_object(clip.path, out["Bucket"], key)
            mtime_ns = os.stat(dest).st_mtime_ns
        else:
            digest = sha256_file(clip.path)
            found = self.remote(endpoint).put(clip.path, out["Bucket"], key)
            size, etag = found.size, found.etag
        media_id = (
            self.store.register_media(out["Bucket"], key, size, digest)
            if out.get("ExportAsNewMedia")
            else None
        )
        return OutputSegment(
            index=clip.index,
            bucket=out["Bucket"],
            object_key=key,
            media_id=media_id,
            in_s=round(clip.in_s, 6),
            out_s=round(clip.out_s, 6),
            first_frame=clip.first_frame,
            last_frame=clip.last_frame,
            size=size,
            sha256=digest,
            etag=etag,
            mtime_ns=mtime_ns,
        )


def _alive(record: Mapping[str, Any]) -> bool:
    """True when the record's owner process is still running on this host."""
    owner = record.get("owner") or {}
    if record.get("state") != "Executing" or owner.get("host") != socket.gethostname():
        return False
    pid = int(owner.get("pid", 0))
    if pid == os.getpid():
        return False  # our own earlier attempt that raised: treat as orphaned
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _result(record: Mapping[str, Any]) -> JobResult:
    state = JobState(record["state"])
    segments = tuple(OutputSegment(**seg) for seg in record.get("segments", []))
    return JobResult(
        job_id=record["job_id"],
        state=state,
        error_code=record.get("error_code"),
        error_message=record.get("error_message"),
        ai_result=record.get("ai_result"),
        segments=segments,
        picture=record.get("picture"),
    )
