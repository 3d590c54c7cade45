"""The pool's OIDC discovery document and the signing keys (JWKS) it points at, over HTTPS."""

from __future__ import annotations

import json
from typing import Any

from cognito_doctor.aws.failure import ErrorKind
from cognito_doctor.engine.model import Cause, FactUnavailable, Status
from cognito_doctor.engine.registry import fact
from cognito_doctor.facts.context import CheckContext
from cognito_doctor.facts.records import Discovery, FetchProblem
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import PoolRef

HTTP_TIMEOUT_SECONDS = 10.0


def discovery_url(config: RunConfig, ref: PoolRef) -> str:
    """Where the pool's OIDC discovery document is served (moto serves it under the endpoint)."""
    base = config.endpoint_url.rstrip("/") if config.endpoint_url else ref.issuer
    if config.endpoint_url:
        base = f"{base}/{ref.pool_id}"
    return f"{base}/.well-known/openid-configuration"


def _get_json(url: str, timeout: float = HTTP_TIMEOUT_SECONDS) -> dict[str, Any]:
    import urllib.request  # network facts only: offline runs never pay for it

    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) URL: {url!r}")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = response.read(2_000_000)
    document = json.loads(body)
    if not isinstance(document, dict):
        raise ValueError("the response is JSON but not an object")
    return document


def _http_problem(url: str, exc: Exception, timeout: float = HTTP_TIMEOUT_SECONDS) -> str:
    import urllib.error

    if isinstance(exc, urllib.error.HTTPError):
        return f"GET {url} answered HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        if isinstance(exc.reason, TimeoutError):
            return f"GET {url} timed out after {timeout:g} s"
        return f"GET {url} failed: {exc.reason}"
    if isinstance(exc, json.JSONDecodeError):
        return f"GET {url} did not return JSON ({exc.msg} at char {exc.pos})"
    if isinstance(exc, TimeoutError):
        return f"GET {url} timed out after {timeout:g} s"
    if isinstance(exc, ConnectionResetError):
        return f"GET {url} failed: the connection was reset before an answer came"
    return f"GET {url} failed: {type(exc).__name__}: {exc}"


@fact("discovery", network=True)
def discovery_fact(ctx: CheckContext, pool_ref: PoolRef) -> Discovery:
    """The OIDC discovery document of the pool and the JWKS it points at."""
    found = discovery(ctx, pool_ref)
    if found.no_answer is not None:
        kind = ErrorKind(found.no_answer)
        raise _unreachable(ctx.config, found.url, found.problem or "no answer", kind)
    return found


def discovery(ctx: CheckContext, pool_ref: PoolRef) -> Discovery:
    """The OIDC discovery document of the pool and the JWKS it points at, or what went wrong
    (`no_answer`: the kind of a fetch that got no answer at all)."""
    url = discovery_url(ctx.config, pool_ref)
    # The connect and read timeouts of the AWS calls bound these two requests too.
    timeout = ctx.config.read_timeout
    try:
        document = _get_json(url, timeout)
    except (OSError, ValueError, http_client_errors()) as exc:
        kind = _no_answer_kind(exc)
        no_answer = kind.value if kind is not None else None
        problem = _http_problem(url, exc, timeout)
        return Discovery(url, None, problem, no_answer=no_answer, problem_kind=_problem_kind(exc))
    jwks_uri = document.get("jwks_uri")
    if not isinstance(jwks_uri, str):
        return Discovery(
            url,
            document,
            None,
            None,
            "the discovery document has no jwks_uri",
            jwks_problem_kind=FetchProblem.BAD_CONTENT,
        )
    try:
        return Discovery(url, document, None, _get_json(jwks_uri, timeout))
    except (OSError, ValueError, http_client_errors()) as exc:
        problem = _http_problem(jwks_uri, exc, timeout)
        return Discovery(url, document, None, None, problem, jwks_problem_kind=_problem_kind(exc))


def _problem_kind(exc: Exception) -> FetchProblem:
    """What a failed fetch means for the checks: an HTTP status of 5xx, 408 or 429 says "try
    later" and anything without an answer is unreachable; another 4xx means nothing is served
    there; an answer that is not a JSON object (or a URL that is not http(s)) is bad content."""
    import urllib.error

    if isinstance(exc, urllib.error.HTTPError):
        retry_later = exc.code >= 500 or exc.code in (408, 429)
        return FetchProblem.UNREACHABLE if retry_later else FetchProblem.NOT_SERVED
    if isinstance(exc, ValueError):  # json.JSONDecodeError too: a body that isn't the document
        return FetchProblem.BAD_CONTENT
    return FetchProblem.UNREACHABLE


def _no_answer_kind(exc: Exception) -> ErrorKind | None:
    """The kind of a fetch that got no answer at all (nothing listens, no route, no name, a
    timeout or a reset), the same kinds an AWS call meets; None for an answer (HTTP 4xx/5xx,
    bad JSON)."""
    import urllib.error

    reason: object = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(exc, urllib.error.HTTPError) or not isinstance(reason, OSError):
        return None
    if isinstance(reason, TimeoutError):
        return ErrorKind.READ_TIMEOUT
    if isinstance(reason, ConnectionResetError):
        return ErrorKind.CONNECTION_CLOSED
    return ErrorKind.CANNOT_CONNECT


def _unreachable(config: RunConfig, url: str, problem: str, kind: ErrorKind) -> FactUnavailable:
    """The error for a discovery document nothing served: its cause is the network's."""
    where = (
        "the server behind --endpoint-url is running"
        if config.endpoint_url
        else ("this machine can reach it over HTTPS (proxy, firewall, DNS)")
    )
    fix = f"Check that {where}, then run again."
    reason = (
        "could not fetch the pool's discovery document, so the issuer and signing keys are "
        f"unverified: {problem}"
    )
    base = url.split("/", 3)[:3]
    summary = (
        f"AWS can't be reached at {'/'.join(base)}/ ({kind.value}): no check that needs AWS "
        "could verify anything"
    )
    return FactUnavailable(Status.ERROR, reason, fix, Cause(kind.value, summary, fix))


def http_client_errors() -> type[Exception]:
    """http.client's errors for a connection that broke mid-answer (not OSErrors)."""
    import http.client

    return http.client.HTTPException
