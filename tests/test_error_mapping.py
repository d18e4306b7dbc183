"""Every exception type the SDKs and the OS can raise through segspec's calls becomes a
message and an exit code (as httpx tests that every httpcore exception is mapped).

The types are enumerated from the libraries themselves, so a new exception class in an
upgrade is covered (or fails here) without anyone listing it.
"""

from __future__ import annotations

import builtins
import errno
import inspect
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore.exceptions
import pytest
import Tea.exceptions
import Tea.request
from alibabacloud_credentials import exceptions as credential_exceptions
from alibabacloud_tea_openapi import exceptions as openapi_exceptions

from segspec.backends.ice import translate
from segspec.backends.s3objects import S3Objects
from segspec.cli.main import entrypoint
from segspec.engine.project import Project
from segspec.errors import BackendError, SegspecError


def exception_types(module: ModuleType, root: str) -> list[type[BaseException]]:
    return sorted(
        (
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, BaseException) and cls.__module__.startswith(root)
        ),
        key=lambda cls: cls.__qualname__,
    )


def make(cls: type[BaseException]) -> BaseException:
    """An instance of `cls`, built through its own constructor where its signature allows."""
    if issubclass(cls, openapi_exceptions.AlibabaCloudException):
        return cls(code="Some.Code", message="boom", status_code=400, request_id="RID")  # type: ignore[call-arg]
    if cls is Tea.exceptions.TeaException:
        return cls({"code": "Some.Code", "message": "boom", "data": {}})  # type: ignore[call-arg]
    if cls is Tea.exceptions.UnretryableException:
        return cls(Tea.request.TeaRequest(), ConnectionError("reset by peer"))  # type: ignore[call-arg]
    if issubclass(cls, botocore.exceptions.ClientError):
        response: Any = {"Error": {"Code": "AccessDenied", "Message": "boom"}}
        return cls(response, "HeadObject")  # type: ignore[call-arg]
    if issubclass(cls, botocore.exceptions.BotoCoreError):
        # `fmt` names the keyword arguments it needs; give every one of them a value
        # (and a class with its own constructor gets every parameter it names)
        names = set(_fields(cls.fmt))  # type: ignore[attr-defined]
        params = inspect.signature(cls.__init__).parameters.values()
        names |= {p.name for p in params if p.name != "self" and p.kind == p.POSITIONAL_OR_KEYWORD}
        return cls(**{n: "x" for n in names})
    try:
        return cls("boom")
    except TypeError:
        return cls()


def _fields(fmt: str) -> Iterator[str]:
    import string

    for _, name, _, _ in string.Formatter().parse(fmt):
        if name:
            yield name


ICE_TYPES = [
    *exception_types(Tea.exceptions, "Tea"),
    *exception_types(openapi_exceptions, "alibabacloud_tea_openapi"),
    *exception_types(credential_exceptions, "alibabacloud_credentials"),
]
BOTO_TYPES = [
    cls
    for cls in exception_types(botocore.exceptions, "botocore")
    if issubclass(cls, botocore.exceptions.BotoCoreError | botocore.exceptions.ClientError)
]


def test_error_mapping_enumerates_the_libraries() -> None:
    assert len(ICE_TYPES) >= 9 and len(BOTO_TYPES) >= 90  # the enumeration found them


@pytest.mark.parametrize("cls", ICE_TYPES, ids=lambda c: c.__qualname__)
def test_error_mapping_ice_sdk_exception(cls: type[BaseException]) -> None:
    err = translate(make(cls), "SubmitSegmentationJob", secrets=("s3cr3tvalue",))
    assert isinstance(err, BackendError) and err.exit_code == 1
    assert str(err).startswith("ICE SubmitSegmentationJob ")
    assert err.code


class _RaisingClient:
    """Stands in for the boto3 client only to raise the SDK's own exception types."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def head_object(self, **kwargs: Any) -> Any:
        raise self.exc


@pytest.mark.parametrize("cls", BOTO_TYPES, ids=lambda c: c.__qualname__)
def test_error_mapping_botocore_exception(cls: type[BaseException]) -> None:
    store = S3Objects(_RaisingClient(make(cls)), endpoint="http://127.0.0.1:9")
    with pytest.raises(BackendError) as caught:
        store.stat("clips", "a.mp4")
    assert caught.value.exit_code == 1
    assert "HeadObject s3://clips/a.mp4" in str(caught.value)


def os_error_types() -> list[type[OSError]]:
    found = [
        cls for cls in vars(builtins).values() if isinstance(cls, type) and issubclass(cls, OSError)
    ]
    return sorted(set(found), key=lambda cls: cls.__name__)


@pytest.mark.parametrize("code", sorted(errno.errorcode), ids=lambda c: errno.errorcode[c])
def test_error_mapping_every_errno_exits_1(
    code: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    exc = OSError(code, f"strerror {code}", str(tmp_path / "f"))

    def fail(self: Project) -> Any:
        raise exc

    monkeypatch.setattr(Project, "load_specs", fail)
    if code == errno.EPIPE:  # click's own handling of a closed stdout: exit 1, quietly
        with pytest.raises(SystemExit) as done:
            entrypoint(["--specs", str(tmp_path), "validate"])
        assert done.value.code == 1
        return
    assert entrypoint(["--specs", str(tmp_path), "validate"]) == 1
    err = capsys.readouterr().err
    assert f"strerror {code}" in err and str(tmp_path / "f") in err
    assert "Traceback" not in err and "(" in err  # the remedy in parentheses


@pytest.mark.parametrize("cls", os_error_types(), ids=lambda c: c.__name__)
def test_error_mapping_every_oserror_type_exits_1(
    cls: type[OSError], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(self: Project) -> Any:
        raise cls("boom")

    monkeypatch.setattr(Project, "load_specs", fail)
    assert entrypoint(["validate"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "boom" in err and "Traceback" not in err


def test_error_mapping_segspec_errors_keep_their_exit_code() -> None:
    assert all(cls.exit_code == 1 for cls in [SegspecError, *SegspecError.__subclasses__()])
