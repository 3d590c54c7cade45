"""The clients fact providers call: botocore's, with every error turned into one AwsError.

A provider catches `AwsError` (cognito_doctor.aws.failure) and nothing of botocore; anything
else a call raises is a bug and stays what it is. Listings go through botocore's paginators,
whose pages raise AwsError too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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


class Pages:
    """A botocore paginator whose `paginate` yields pages and raises AwsError."""

    def __init__(self, paginator: Any) -> None:
        self._paginator = paginator

    def paginate(self, **params: Any) -> Iterator[dict[str, Any]]:
        """The pages of the listing, each a dict; AwsError if a page can't be read."""
        pages = iter(translated(lambda: self._paginator.paginate(**params)))
        while True:
            page = translated(lambda: next(pages, None))
            if page is None:
                return
            yield answer(page, "a listing")


class Client:
    """A botocore client whose operations raise AwsError.

    Every other attribute (`meta`, for botocore's Stubber in the tests) is the client's own.
    """

    def __init__(self, client: BaseClient) -> None:
        self.raw = client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.raw, name)
        if name in self.raw.meta.method_to_api_mapping:
            operation = self.raw.meta.method_to_api_mapping[name]

            def call(**params: Any) -> Any:
                return answer(translated(lambda: attribute(**params), operation), operation)

            return call
        return attribute

    def get_paginator(self, operation: str) -> Pages:
        """botocore's paginator for `operation`, raising AwsError."""
        return Pages(self.raw.get_paginator(operation))
