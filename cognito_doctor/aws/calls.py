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

T = TypeVar("T")


def translated(call: Callable[[], T]) -> T:
    """`call()`, with a botocore exception raised as the AwsError it means."""
    try:
        return call()
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
            yield page


class Client:
    """A botocore client whose operations raise AwsError.

    Every other attribute (`meta`, for botocore's Stubber in the tests) is the client's own.
    """

    def __init__(self, client: BaseClient) -> None:
        self.raw = client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.raw, name)
        if name in self.raw.meta.method_to_api_mapping:

            def call(**params: Any) -> Any:
                return translated(lambda: attribute(**params))

            return call
        return attribute

    def get_paginator(self, operation: str) -> Pages:
        """botocore's paginator for `operation`, raising AwsError."""
        return Pages(self.raw.get_paginator(operation))
