"""The clients fact providers call: botocore's, with every error turned into one AwsError.

A provider catches `AwsError` (cognito_doctor.aws.failure) and nothing of botocore; anything
else a call raises is a bug and stays what it is. Listings go through botocore's paginators,
whose pages raise AwsError too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, TypeVar

from botocore.client import BaseClient

from cognito_doctor.aws.errors import to_aws_error
from cognito_doctor.aws.failure import AwsError, ErrorKind
from cognito_doctor.engine.redact import remember

T = TypeVar("T")
# Members of AWS answers that hold a secret: known to the redactor as soon as they arrive.
_SECRET_MEMBERS = ("ClientSecret", "SecretAccessKey", "SessionToken", "SecretString")

# What botocore's parsers raise on a garbled body they don't wrap (a non-UTF-8 body, a shape
# they don't expect): an answer that can't be read, not a bug of ours.
_GARBLED = (UnicodeError, KeyError, TypeError, AttributeError, IndexError, ValueError)


class Answer(dict[str, Any]):
    """An operation's answer: a member it lacks is an AwsError saying so (a garbled or empty
    200 is "couldn't verify"), never a KeyError from deep inside a fact."""

    operation = "the call"

    def __missing__(self, key: str) -> Any:
        raise AwsError(
            ErrorKind.CLIENT_FAILED,
            f"the answer to {self.operation} has no {key} (an empty or partial answer)",
        )


def answer(value: Any, operation: str) -> Any:
    """`value` with every dict in it an Answer for `operation`."""
    if isinstance(value, dict):
        remember(*(str(value[k]) for k in _SECRET_MEMBERS if isinstance(value.get(k), str)))
        wrapped = Answer({k: answer(v, operation) for k, v in value.items()})
        wrapped.operation = operation
        return wrapped
    if isinstance(value, list):
        return [answer(item, operation) for item in value]
    return value


def translated(call: Callable[[], T], operation: str = "the call") -> T:
    """`call()`, with a botocore exception raised as the AwsError it means."""
    try:
        return call()
    except AwsError:
        raise
    except _GARBLED as exc:
        error = to_aws_error(exc)
        raise error or AwsError(
            ErrorKind.CLIENT_FAILED,
            f"the answer to {operation} could not be read: it is not in the service's format "
            "(a proxy's or captive portal's page, or a cut-off or garbled body)",
        ) from None
    except Exception as exc:
        error = to_aws_error(exc)
        if error is None:
            raise
        raise error from None


class InFlight:
    """The AWS calls under way, by the thread making them: what a fact that timed out was
    still waiting for ("cognito-idp:DescribeUserPool, for 4.0 s")."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[object, tuple[str, str, float]] = {}

    @contextmanager
    def call(self, operation: str) -> Iterator[None]:
        """A context in which `operation` counts as under way on this thread."""
        key = object()
        with self._lock:
            self._calls[key] = (threading.current_thread().name, operation, time.monotonic())
        try:
            yield
        finally:
            with self._lock:
                del self._calls[key]

    def of_thread(self, thread_name: str) -> list[str]:
        """The calls thread `thread_name` (or a thread it started, `name/…`) is waiting on,
        each with how long it has waited."""
        now = time.monotonic()
        with self._lock:
            calls = list(self._calls.values())
        return [
            f"an answer to {operation} (asked {now - started:.1f} s before)"
            for thread, operation, started in calls
            if thread == thread_name or thread.startswith(f"{thread_name}/")
        ]


class Pages:
    """A botocore paginator whose `paginate` yields pages and raises AwsError."""

    def __init__(
        self,
        paginator: Any,
        underway: Callable[[], AbstractContextManager[None]],
        operation: str = "a listing",
    ) -> None:
        self._paginator = paginator
        self._underway = underway
        self._operation = operation

    def paginate(self, **params: Any) -> Iterator[dict[str, Any]]:
        """The pages of the listing, each a dict; AwsError if a page can't be read."""
        pages = iter(translated(lambda: self._paginator.paginate(**params)))
        while True:
            with self._underway():
                page = translated(lambda: next(pages, None))
            if page is None:
                return
            yield answer(page, self._operation)


class Client:
    """A botocore client whose operations raise AwsError, each counted as under way in
    `in_flight` while it waits for its answer.

    Every other attribute (`meta`, for botocore's Stubber in the tests) is the client's own.
    """

    def __init__(self, client: BaseClient, in_flight: InFlight | None = None) -> None:
        self.raw = client
        self._in_flight = in_flight

    def _underway(self, operation: str) -> AbstractContextManager[None]:
        if self._in_flight is None:
            return nullcontext()
        return self._in_flight.call(f"{self.raw.meta.service_model.service_name}:{operation}")

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.raw, name)
        if name in self.raw.meta.method_to_api_mapping:
            operation = self.raw.meta.method_to_api_mapping[name]

            def call(**params: Any) -> Any:
                with self._underway(operation):
                    value = translated(lambda: attribute(**params), operation)
                return answer(value, operation)

            return call
        return attribute

    def get_paginator(self, operation: str) -> Pages:
        """botocore's paginator for `operation`, raising AwsError."""
        api = self.raw.meta.method_to_api_mapping.get(operation, operation)
        return Pages(self.raw.get_paginator(operation), lambda: self._underway(api), api)
