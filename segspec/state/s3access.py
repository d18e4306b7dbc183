"""The requests a remote state makes (S3-compatible), each failure translated to a
StateError that names the object, the endpoint and the remedy."""

from __future__ import annotations

from segspec.errors import SegspecError, StateError
from segspec.storage.s3 import (
    S3Client,
    describe_failure,
    error_code,
    is_missing,
    is_precondition_failed,
    sdk_errors,
)

DELETE_BATCH = 1000


class S3Access:
    """The requests a remote state makes, each failure translated to a SegspecError."""

    def __init__(self, s3: S3Client, bucket: str, key: str, scheme: str) -> None:
        self.s3, self.bucket, self.key, self.scheme = s3, bucket, key, scheme
        self.errors = sdk_errors()

    def url(self, key: str | None = None) -> str:
        return f"{self.scheme}://{self.bucket}/{key if key is not None else self.key}"

    def fail(self, exc: Exception, action: str, key: str) -> SegspecError:
        text = describe_failure(
            exc, f"{action} {self.url(key)} at {self.s3.endpoint}", self.s3.secrets
        )
        return StateError(
            f"{text} — check the bucket name, the endpoint and that the credentials may read "
            "and write it (`segspec init` checks all three)"
        )

    def get(self, key: str) -> tuple[bytes, str] | None:
        """(body, ETag) or None when there is no such object."""
        try:
            response = self.s3.client.get_object(Bucket=self.bucket, Key=key)
            return response["Body"].read(), str(response["ETag"])
        except self.errors as exc:
            if is_missing(exc) and error_is_key(exc):
                return None
            raise self.fail(exc, "GetObject", key) from exc

    def etag(self, key: str) -> str | None:
        """The object's ETag (a HEAD), or None when there is no such object."""
        try:
            response = self.s3.client.head_object(Bucket=self.bucket, Key=key)
        except self.errors as exc:
            if is_missing(exc):
                return None
            raise self.fail(exc, "HeadObject", key) from exc
        return str(response["ETag"])

    def get_range(self, key: str, offset: int, length: int, *, if_match: str) -> bytes | None:
        """`length` bytes of `key` from `offset` (the whole object when `length` is -1)
        while its ETag is `if_match`; None when it changed (or is gone)."""
        extra = {"Range": f"bytes={offset}-{offset + length - 1}"} if length >= 0 else {}
        try:
            response = self.s3.client.get_object(
                Bucket=self.bucket, Key=key, IfMatch=if_match, **extra
            )
            return bytes(response["Body"].read())
        except self.errors as exc:
            if is_precondition_failed(exc) or (is_missing(exc) and error_is_key(exc)):
                return None
            raise self.fail(exc, "GetObject", key) from exc

    def put(
        self, key: str, body: bytes, *, if_match: str | None = None, create: bool = False
    ) -> str | None:
        """Write `key`; None when the condition failed (412), else the new ETag."""
        extra: dict[str, str] = {}
        if create:
            extra["IfNoneMatch"] = "*"
        elif if_match is not None:
            extra["IfMatch"] = if_match
        try:
            response = self.s3.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=body,
                ContentType="application/json",
                **extra,
            )
        except self.errors as exc:
            if extra and is_precondition_failed(exc):
                return None
            raise self.fail(exc, "PutObject", key) from exc
        return str(response.get("ETag") or "")

    def copy(self, src: str, dest: str, *, if_match: str) -> bool:
        """Server-side copy of `src` (only while its ETag is `if_match`) to `dest`."""
        try:
            self.s3.client.copy_object(
                Bucket=self.bucket,
                Key=dest,
                CopySource={"Bucket": self.bucket, "Key": src},
                CopySourceIfMatch=if_match,
            )
        except self.errors as exc:
            if is_precondition_failed(exc):
                return False  # the state changed: the conditional write after this fails too
            raise self.fail(exc, "CopyObject", dest) from exc
        return True

    def delete(self, key: str, *, if_match: str | None = None) -> bool:
        """Delete `key`; False when the condition failed."""
        extra = {"IfMatch": if_match} if if_match else {}
        try:
            self.s3.client.delete_object(Bucket=self.bucket, Key=key, **extra)
        except self.errors as exc:
            if is_precondition_failed(exc):
                return False
            if is_missing(exc):
                return True
            raise self.fail(exc, "DeleteObject", key) from exc
        return True

    def keys(self, prefix: str) -> list[str]:
        keys: list[str] = []
        try:
            pages = self.s3.client.get_paginator("list_objects_v2")
            for page in pages.paginate(Bucket=self.bucket, Prefix=prefix):
                keys += [item["Key"] for item in page.get("Contents", [])]
        except self.errors as exc:
            raise self.fail(exc, "ListObjectsV2", prefix) from exc
        return sorted(keys)

    def delete_many(self, keys: list[str]) -> None:
        for start in range(0, len(keys), DELETE_BATCH):
            batch = [{"Key": k} for k in keys[start : start + DELETE_BATCH]]
            try:
                response = self.s3.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                )
            except self.errors as exc:
                raise self.fail(exc, "DeleteObjects", keys[start]) from exc
            errors = response.get("Errors") or []
            if errors:
                first = errors[0]
                raise StateError(
                    f"DeleteObjects {self.url(first.get('Key', '?'))} was refused: "
                    f"{first.get('Code')}: {first.get('Message')} — the journal objects stay "
                    "(they are folded again next time); check delete permission"
                )


def error_is_key(exc: Exception) -> bool:
    """A 404 for a missing object (NoSuchKey), not a missing bucket (NoSuchBucket)."""
    return error_code(exc) != "NoSuchBucket"
