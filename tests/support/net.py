"""Network conditions for the sandbox: latency, request accounting and injected faults.

:class:`NetworkMiddleware` wraps moto's WSGI app (``Sandbox(middleware=...)``). For every
request it names the AWS operation (``X-Amz-Target`` for JSON protocols such as cognito-idp,
the ``Action`` form field for query protocols such as sts and iam, else the HTTP method and
path, e.g. the OIDC discovery document), delays it by a set latency, records it, and can answer
it with a fault instead of moto: a ThrottlingException in the protocol's own error shape, an
HTTP 500 page, a response slower than the client's read timeout, or a reset connection (a TCP
RST before any response byte). :func:`dead_endpoint` gives a loopback URL where nothing listens.

Support code for the benchmark (bench/run.py) and the tests; the product never imports it.
Nothing here reads or keeps a secret: a request is recorded by its access key id (from the
Authorization header's credential scope), never by its signature or session token.
"""

from __future__ import annotations

import fnmatch
import io
import json
import re
import socket
import struct
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

# A WSGI application, loosely typed (werkzeug's and moto's types are not needed here).
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# A header the benchmark's traced run adds to every request to say which fact made it.
TRACE_HEADER = "X-Cognito-Doctor-Trace"
_TRACE_ENVIRON = "HTTP_" + TRACE_HEADER.upper().replace("-", "_")
_CREDENTIAL_SCOPE = re.compile(
    r"Credential=(?P<key>[^/,\s]+)/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request"
)
# X-Amz-Target prefixes of the JSON services cognito-doctor uses, for unsigned requests.
_TARGET_SERVICES = {"AWSCognitoIdentityProviderService": "cognito-idp"}


class Fault(StrEnum):
    """What a matching request gets instead of moto's answer."""

    THROTTLE = "throttle"  # ThrottlingException / Throttling in the protocol's error shape
    HTTP_500 = "http-500"  # an HTML "500 Internal Server Error" page, as a proxy would send
    SLOW = "slow"  # moto's answer, but only after `delay` seconds
    RESET = "reset"  # the connection is reset (TCP RST) before any response byte
    ERROR = "error"  # an AWS error of the rule's `code`, `message` and `status`
    HANG = "hang"  # no answer byte for `delay` seconds (default 30), then the connection closes
    DRIP = "drip"  # moto's answer, one byte every 0.3 s: each read succeeds, the whole never
    TRUNCATE = "truncate"  # moto's answer cut in half (its Content-Length says the cut length)
    GARBAGE = "garbage"  # a 200 of bytes that are not UTF-8 and not the protocol's format
    HTML_200 = "html-200"  # a 200 with a captive portal's HTML page
    EMPTY_200 = "empty-200"  # a 200 with `{}` (JSON) or an empty body
    WRONG_TYPE = "wrong-type"  # moto's answer labelled text/html
    PARTIAL = "partial"  # moto's answer with its first top-level member (or list half) left out


# Faults after which the call's answer cannot be AWS's: a check needing it may not pass.
DESTRUCTIVE = frozenset(
    {
        Fault.HTTP_500,
        Fault.RESET,
        Fault.HANG,
        Fault.DRIP,
        Fault.TRUNCATE,
        Fault.GARBAGE,
        Fault.HTML_200,
        Fault.EMPTY_200,
    }
)


@dataclass
class FaultRule:
    """Answer requests whose operation matches `operation` (a glob, e.g. "sts:*") with `fault`,
    the first `times` of them (None: every one)."""

    operation: str
    fault: Fault
    times: int | None = None
    delay: float = 0.0
    code: str = "InternalFailure"
    message: str = ""
    status: int = 400
    hits: int = 0

    def take(self, operation: str) -> bool:
        if not fnmatch.fnmatchcase(operation, self.operation):
            return False
        if self.times is not None and self.hits >= self.times:
            return False
        self.hits += 1
        return True


@dataclass(frozen=True)
class Request:
    """One request as the middleware saw it."""

    operation: str  # "cognito-idp:DescribeUserPool", "sts:GetCallerIdentity", "GET /…"
    service: str  # the signing service ("cognito-idp", "sts", "iam"), or "http"
    action: str  # "DescribeUserPool", or "GET /path" for a plain HTTP request
    method: str
    path: str
    region: str | None
    key_id: str | None  # the access key id it was signed with (not a secret)
    protocol: str  # json | query | rest | http
    body: str  # the body in a canonical form (JSON with sorted keys, sorted form fields)
    canonical: str  # equal for identical requests: identity, operation and canonical body
    started: float  # time.perf_counter() when it arrived
    ended: float  # when its answer (or fault) was complete
    status: int | None
    fault: Fault | None
    trace: str | None  # the TRACE_HEADER value, when the client sent one

    @property
    def is_aws(self) -> bool:
        return self.service != "http"


@dataclass(frozen=True)
class _Parsed:
    service: str
    action: str
    protocol: str  # json | query | rest | http
    region: str | None
    key_id: str | None
    canonical_body: str


def _canonical_body(body: bytes, content_type: str) -> tuple[str, str | None]:
    """(a canonical form of the body, the query protocol's Action if it has one)."""
    if not body:
        return "", None
    if "json" in content_type:
        try:
            return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")), None
        except ValueError:
            pass
    if "x-www-form-urlencoded" in content_type:
        pairs = sorted(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        action = next((value for key, value in pairs if key == "Action"), None)
        return "&".join(f"{key}={value}" for key, value in pairs), action
    return body.decode("utf-8", "replace"), None


def parse_request(environ: dict[str, Any], body: bytes) -> _Parsed:
    """Name the operation of a request from its headers and body."""
    method = str(environ.get("REQUEST_METHOD", "GET"))
    path = str(environ.get("PATH_INFO", "/"))
    scope = _CREDENTIAL_SCOPE.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    service = scope["service"] if scope else None
    region = scope["region"] if scope else None
    key_id = scope["key"] if scope else None
    content_type = str(environ.get("CONTENT_TYPE", ""))
    canonical, form_action = _canonical_body(body, content_type)
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target:
        prefix, _, action = target.rpartition(".")
        service = service or _TARGET_SERVICES.get(prefix.split("_")[0], prefix)
        return _Parsed(service, action, "json", region, key_id, canonical)
    if form_action:
        return _Parsed(service or "aws", form_action, "query", region, key_id, canonical)
    if service:
        return _Parsed(service, f"{method} {path}", "rest", region, key_id, canonical)
    return _Parsed("http", f"{method} {path}", "http", None, None, canonical)


class NetworkMiddleware:
    """Latency, accounting and faults in front of a WSGI app (moto's).

    Thread-safe: moto's server answers each request in its own thread.
    """

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self._app: WsgiApp | None = None
        self._lock = threading.Lock()
        self._requests: list[Request] = []
        self._rules: list[FaultRule] = []

    def wrap(self, app: WsgiApp) -> NetworkMiddleware:
        """Put the middleware in front of `app`; returns the WSGI app to serve."""
        self._app = app
        return self

    # --- configuration -------------------------------------------------------------

    def inject(
        self,
        operation: str,
        fault: Fault,
        *,
        times: int | None = None,
        delay: float = 0.0,
        code: str = "InternalFailure",
        message: str = "",
        status: int = 400,
    ) -> FaultRule:
        """From now on, answer `operation` (a glob) with `fault` (`times` times, or always):
        SLOW after `delay` seconds, ERROR with AWS error `code`, `message` and HTTP `status`."""
        rule = FaultRule(operation, fault, times, delay, code, message, status)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear_faults(self) -> None:
        with self._lock:
            self._rules.clear()

    def reset(self) -> None:
        """Forget every recorded request (faults stay)."""
        with self._lock:
            self._requests.clear()

    @contextmanager
    def recording(self) -> Iterator[list[Request]]:
        """Record from a clean slate; the yielded list is filled in when the block ends."""
        self.reset()
        seen: list[Request] = []
        try:
            yield seen
        finally:
            seen.extend(self.requests)

    # --- what was seen -------------------------------------------------------------

    @property
    def requests(self) -> list[Request]:
        with self._lock:
            return list(self._requests)

    def aws_requests(self) -> list[Request]:
        return [r for r in self.requests if r.is_aws]

    def counts(self) -> Counter[str]:
        """Requests per operation."""
        return Counter(r.operation for r in self.requests)

    def repeated(self) -> dict[str, int]:
        """Identical requests (same identity, operation and body) seen more than once."""
        counts = Counter(r.canonical for r in self.requests if r.fault is None)
        return {canonical: n for canonical, n in counts.items() if n > 1}

    # --- WSGI ----------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        started = time.perf_counter()
        body = self._read_body(environ)
        parsed = parse_request(environ, body)
        operation = (
            f"{parsed.service}:{parsed.action}" if parsed.service != "http" else parsed.action
        )
        with self._lock:
            rule = next((r for r in self._rules if r.take(operation)), None)
        if self.latency:
            time.sleep(self.latency)
        status: int | None = None
        captured: dict[str, Any] = {}

        def capture(status_line: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            captured["status"] = status_line
            return start_response(status_line, headers, *exc)

        try:
            if rule is not None and rule.fault is Fault.RESET:
                self._reset_connection(environ)
            if rule is not None and rule.fault is Fault.THROTTLE:
                chunks = _throttle(parsed, capture)
            elif rule is not None and rule.fault is Fault.ERROR:
                chunks = _aws_error(parsed, capture, rule.code, rule.message, rule.status)
            elif rule is not None and rule.fault is Fault.HTTP_500:
                chunks = _server_error(capture)
            elif rule is not None and rule.fault is Fault.HANG:
                time.sleep(rule.delay or 30)
                self._reset_connection(environ)
            elif rule is not None and rule.fault in _BODY_FAULTS:
                chunks = self._garbled(environ, capture, rule.fault, parsed)
            else:
                if rule is not None and rule.fault is Fault.SLOW:
                    time.sleep(rule.delay)
                assert self._app is not None, "wrap() the app first"
                result = self._app(environ, capture)
                try:
                    chunks = [b"".join(result)]
                finally:
                    close = getattr(result, "close", None)
                    if close is not None:
                        close()
            status = int(str(captured.get("status", "0")).split()[0] or 0)
            return chunks
        finally:
            trace = environ.get(_TRACE_ENVIRON)
            identity = parsed.key_id or "-"
            canonical = " ".join(
                (
                    identity,
                    str(parsed.region),
                    operation,
                    str(environ.get("QUERY_STRING", "")),
                    parsed.canonical_body,
                )
            )
            record = Request(
                operation=operation,
                service=parsed.service,
                action=parsed.action,
                method=str(environ.get("REQUEST_METHOD", "")),
                path=str(environ.get("PATH_INFO", "")),
                region=parsed.region,
                key_id=parsed.key_id,
                protocol=parsed.protocol,
                body=parsed.canonical_body,
                canonical=canonical,
                started=started,
                ended=time.perf_counter(),
                status=status,
                fault=rule.fault if rule is not None else None,
                trace=str(trace) if trace else None,
            )
            with self._lock:
                self._requests.append(record)

    def _garbled(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        fault: Fault,
        parsed: _Parsed,
    ) -> Any:
        """moto's answer, then spoiled as `fault` says."""
        assert self._app is not None, "wrap() the app first"
        answered: dict[str, Any] = {}

        def keep(status_line: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            answered["status"], answered["headers"] = status_line, headers
            return lambda data: None

        result = self._app(environ, keep)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        headers = [(k, v) for k, v in answered["headers"] if k.lower() != "content-length"]
        kind = next((v for k, v in headers if k.lower() == "content-type"), "text/plain")
        rest = [(k, v) for k, v in headers if k.lower() != "content-type"]
        status = str(answered["status"])
        match fault:
            case Fault.DRIP:
                start_response(status, [*headers, ("Content-Length", str(len(body)))])
                return _drip(body)
            case Fault.TRUNCATE:
                body = body[: len(body) // 2]
            case Fault.GARBAGE:
                status, body = "200 OK", b"\xff\xfe\x00garbage \xc3\x28 \x80\x81" * 8
            case Fault.HTML_200:
                status, kind = "200 OK", "text/html"
                body = b"<html><head><title>Sign in to the Wi-Fi</title></head><body/></html>"
            case Fault.EMPTY_200:
                status = "200 OK"
                body = b"{}" if parsed.protocol in ("json", "rest") else b""
            case Fault.WRONG_TYPE:
                kind = "text/html"
            case Fault.PARTIAL:
                body = _partial(body, parsed.protocol)
        start_response(status, [*rest, ("Content-Type", kind), ("Content-Length", str(len(body)))])
        return [body]

    @staticmethod
    def _read_body(environ: dict[str, Any]) -> bytes:
        """The request body, read once and put back for moto to read again."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        stream = environ.get("wsgi.input")
        if stream is None or length <= 0:
            environ["cognito_doctor.raw_input"] = stream
            return b""
        body = bytes(stream.read(length))
        environ["cognito_doctor.raw_input"] = stream
        environ["wsgi.input"] = io.BytesIO(body)
        return body

    @staticmethod
    def _reset_connection(environ: dict[str, Any]) -> None:
        """Close the client's connection with a TCP RST (SO_LINGER 0), before any answer.

        The socket is only really closed once the server's reader on it is closed too, so
        close that; werkzeug then treats the request as a dropped connection (no log).
        """
        sock = environ.get("werkzeug.socket")
        if isinstance(sock, socket.socket):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            raw = environ.get("cognito_doctor.raw_input")
            if raw is not None:
                raw.close()
            sock.close()
        raise ConnectionResetError("cognito-doctor sandbox: connection reset (injected)")


def _throttle(parsed: _Parsed, start_response: Callable[..., Any]) -> list[bytes]:
    """AWS's throttling error in the request's protocol (JSON, query XML, REST, plain)."""
    if parsed.protocol == "rest":
        return _aws_error(
            parsed, start_response, "TooManyRequestsException", "Too Many Requests", 429
        )
    if parsed.protocol == "http":
        start_response("429 Too Many Requests", [("Content-Type", "text/plain")])
        return [b"Rate exceeded"]
    code = "ThrottlingException" if parsed.protocol == "json" else "Throttling"
    return _aws_error(parsed, start_response, code, "Rate exceeded", 400)


_REASONS = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests"}


def _aws_error(
    parsed: _Parsed, start_response: Callable[..., Any], code: str, message: str, status: int
) -> list[bytes]:
    """An AWS error response in the request's protocol: JSON `__type` (cognito-idp), query
    XML `ErrorResponse` (sts, iam), or REST JSON with `x-amzn-ErrorType` (sesv2)."""
    request_id = str(uuid.uuid4())
    status_line = f"{status} {_REASONS.get(status, 'Error')}"
    if parsed.protocol == "query":
        namespace = {
            "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
            "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
        }.get(parsed.service, f"https://{parsed.service}.amazonaws.com/")
        xml = (
            f'<ErrorResponse xmlns="{namespace}"><Error><Type>Sender</Type>'
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        start_response(
            status_line, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
        )
        return [xml.encode()]
    headers = [("x-amzn-RequestId", request_id), ("x-amzn-ErrorType", code)]
    if parsed.protocol == "json":
        body = json.dumps({"__type": code, "message": message})
        start_response(status_line, [("Content-Type", "application/x-amz-json-1.1"), *headers])
        return [body.encode()]
    start_response(status_line, [("Content-Type", "application/json"), *headers])
    return [json.dumps({"message": message}).encode()]


def _server_error(start_response: Callable[..., Any]) -> list[bytes]:
    start_response("500 Internal Server Error", [("Content-Type", "text/html")])
    return [b"<html><body><h1>500 Internal Server Error</h1></body></html>"]


_BODY_FAULTS = frozenset(
    {
        Fault.DRIP,
        Fault.TRUNCATE,
        Fault.GARBAGE,
        Fault.HTML_200,
        Fault.EMPTY_200,
        Fault.WRONG_TYPE,
        Fault.PARTIAL,
    }
)


def _drip(body: bytes) -> Iterator[bytes]:
    for index in range(len(body)):
        time.sleep(0.3)
        yield body[index : index + 1]


def _partial(body: bytes, protocol: str) -> bytes:
    """The answer with its first top-level member left out (JSON), or the XML result's first
    element left out (query)."""
    if protocol in ("json", "rest"):
        try:
            data = json.loads(body)
        except ValueError:
            return body
        if isinstance(data, dict) and data:
            first = next(iter(data))
            if isinstance(data[first], list):
                data[first] = data[first][: len(data[first]) // 2]
            else:
                del data[first]
        return json.dumps(data).encode()
    text = body.decode("utf-8", "replace")
    match = re.search(r"<(\w+)Result>\s*(<(\w+)[ >].*?</\3>)", text, re.DOTALL)
    if match:
        text = text.replace(match.group(2), "", 1)
    return text.encode()


def free_port() -> int:
    """A loopback port nothing listens on (one just bound and released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def dead_endpoint() -> str:
    """http://127.0.0.1:PORT where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"


@dataclass
class ChainReport:
    """The longest chain of requests that must wait for each other, through the fact graph."""

    length: int
    path: list[tuple[str, int]] = field(default_factory=list)  # (fact, its sequential requests)


def sequential_depth(requests: Sequence[Request]) -> int:
    """The longest run of these requests in which each started after the previous ended
    (requests that overlapped in time were made in parallel)."""
    depth = 0
    last_end = float("-inf")
    for request in sorted(requests, key=lambda r: r.ended):
        if request.started >= last_end:
            depth += 1
            last_end = request.ended
    return depth


def longest_chain(
    needs: dict[str, Sequence[str]], weight: dict[str, int], wanted: Iterable[str]
) -> ChainReport:
    """The heaviest path through the facts `wanted` need (each fact after the facts it needs),
    a fact weighing its number of sequential requests."""
    best: dict[str, ChainReport] = {}

    def visit(name: str, stack: tuple[str, ...] = ()) -> ChainReport:
        if name in best:
            return best[name]
        if name in stack:  # a cycle: the runner reports it; count nothing here
            return ChainReport(0)
        before = max(
            (visit(dep, (*stack, name)) for dep in needs.get(name, ())),
            key=lambda c: c.length,
            default=ChainReport(0),
        )
        own = weight.get(name, 0)
        chain = ChainReport(before.length + own, [*before.path, (name, own)])
        best[name] = chain
        return chain

    return max((visit(name) for name in wanted), key=lambda c: c.length, default=ChainReport(0))


__all__ = [
    "TRACE_HEADER",
    "ChainReport",
    "Fault",
    "FaultRule",
    "NetworkMiddleware",
    "Request",
    "dead_endpoint",
    "longest_chain",
    "parse_request",
    "sequential_depth",
]
