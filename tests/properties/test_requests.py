"""What a check asks AWS, seen by the middleware: each request once, the ones that don't need
each other's answers in flight together, the environments of one run sharing their clients;
and the middleware's own accounting (operation names, identical requests, chains)."""

from __future__ import annotations

import io
import socket
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from cognito_doctor.aws.shared import SharedClients
from cognito_doctor.demo.sandbox import SANDBOX_OPERATOR_ENV, Sandbox
from cognito_doctor.engine.registry import Registry
from cognito_doctor.facts.context import run_checks
from cognito_doctor.platform.settings import RunConfig
from tests.conftest import statuses
from tests.support.net import (
    Request,
    dead_endpoint,
    longest_chain,
    parse_request,
    sequential_depth,
)
from tests.support.netkit import middleware_sandbox

HEALTHY_REQUESTS = {
    "sts:GetCallerIdentity": 1,  # once, for creds.identity and the iam principal both
    "cognito-idp:DescribeUserPool": 1,
    "cognito-idp:DescribeUserPoolClient": 1,
    "iam:GetUser": 1,
    # The required and risky actions in one call; the policy documents are read only when
    # the simulation denies something or can't run (the healthy setup: never).
    "iam:SimulatePrincipalPolicy": 1,
}


def test_a_healthy_check_makes_each_request_once(
    sandbox: Sandbox, tmp_path: Path, registry: Registry
) -> None:
    setup = sandbox.create_setup(tmp_path)
    with middleware_sandbox() as net, net.middleware.recording() as seen:
        report = run_checks(RunConfig(root=setup.root, endpoint_url=net.endpoint_url), registry)
        assert net.middleware.repeated() == {}
    assert not {"fail", "error"} & {s.value for s in statuses(report).values()}
    assert Counter(r.operation for r in seen if r.is_aws) == HEALTHY_REQUESTS
    assert sorted(r.path.rsplit("/", 1)[1] for r in seen if not r.is_aws) == [
        "jwks.json",
        "openid-configuration",
    ]


def overlap(a: Request, b: Request) -> bool:
    return a.started < b.ended and b.started < a.ended


def test_requests_that_need_no_other_answer_are_in_flight_together(
    sandbox: Sandbox, tmp_path: Path, registry: Registry
) -> None:
    setup = sandbox.create_setup(tmp_path)
    # A latency much longer than moto's own work, so "at the same time" is unmistakable.
    with middleware_sandbox(latency=0.3) as net, net.middleware.recording() as seen:
        run_checks(RunConfig(root=setup.root, endpoint_url=net.endpoint_url), registry)
    by_op = {r.operation: r for r in seen}
    # The pool, the client and the service's identity are looked up at once.
    first = [
        by_op["sts:GetCallerIdentity"],
        by_op["cognito-idp:DescribeUserPool"],
        by_op["cognito-idp:DescribeUserPoolClient"],
    ]
    assert all(overlap(a, b) for a in first for b in first if a is not b)
    # Once sts:GetCallerIdentity names the principal, its simulation and iam:GetUser go out
    # together: the simulation needs only the ARN…
    together = [by_op["iam:SimulatePrincipalPolicy"], by_op["iam:GetUser"]]
    assert overlap(*together)
    assert all(r.started >= by_op["sts:GetCallerIdentity"].ended for r in together)
    # …and a healthy setup's policy documents are never read: nothing needs explaining.
    assert not {op for op in by_op if op.startswith(("iam:List", "iam:GetUserPolicy"))}
    aws = [r for r in seen if r.is_aws]
    # The longest chain of AWS requests that wait for each other: sts -> SimulatePrincipalPolicy.
    assert sequential_depth(aws) == 2


def test_environments_of_one_run_share_the_operators_clients(
    sandbox: Sandbox, tmp_path: Path, registry: Registry
) -> None:
    one = sandbox.create_setup(tmp_path / "one")
    two = sandbox.create_setup(tmp_path / "two")
    shared = SharedClients()
    for setup in (one, two):
        report = run_checks(
            RunConfig(root=setup.root, endpoint_url=sandbox.endpoint_url), registry, clients=shared
        )
        assert "error" not in {s.value for s in statuses(report).values()}
    kinds = Counter(key[0][0] for key in shared.store._clients)
    # cognito-idp and iam for the operator, once; sts for each environment's own keys.
    assert kinds == {"operator": 2, "service": 2}


# --- the middleware's accounting on its own ---------------------------------------------------


def environ(method: str, body: bytes = b"", **headers: str) -> dict[str, object]:
    env: dict[str, object] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": "/",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    for name, value in headers.items():  # content_type, x_amz_target, authorization
        key = name.upper()
        env[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    return env


SCOPE = "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE123/20250101/eu-west-2/{}/aws4_request, Sig=x"


@pytest.mark.parametrize(
    ("env", "body", "expected"),
    [
        (
            {
                "content_type": "application/x-amz-json-1.1",
                "x_amz_target": "AWSCognitoIdentityProviderService.DescribeUserPool",
                "authorization": SCOPE.format("cognito-idp"),
            },
            b'{"UserPoolId": "eu-west-2_a", "A": 1}',
            ("cognito-idp", "DescribeUserPool", "json", '{"A":1,"UserPoolId":"eu-west-2_a"}'),
        ),
        (
            {
                "content_type": "application/x-www-form-urlencoded; charset=utf-8",
                "authorization": SCOPE.format("sts"),
            },
            b"Version=2011-06-15&Action=GetCallerIdentity",
            ("sts", "GetCallerIdentity", "query", "Action=GetCallerIdentity&Version=2011-06-15"),
        ),
        (
            {"authorization": SCOPE.format("ses")},
            b"",
            ("ses", "GET /", "rest", ""),
        ),
        ({}, b"", ("http", "GET /", "http", "")),
    ],
)
def test_operations_are_named_from_target_form_or_path(
    env: dict[str, str], body: bytes, expected: tuple[str, str, str, str]
) -> None:
    method = "GET" if not body else "POST"
    parsed = parse_request(environ(method, body, **env), body)
    assert (parsed.service, parsed.action, parsed.protocol, parsed.canonical_body) == expected


def request(name: str, started: float, ended: float) -> Request:
    return Request(
        name,
        "iam",
        name,
        "POST",
        "/",
        None,
        None,
        "query",
        "",
        name,
        started,
        ended,
        200,
        None,
        None,
    )


def test_sequential_depth_counts_only_requests_that_waited() -> None:
    assert sequential_depth([]) == 0
    assert sequential_depth([request("a", 0, 1), request("b", 0.5, 1.5)]) == 1  # overlapped
    assert sequential_depth([request("a", 0, 1), request("b", 1, 2), request("c", 2, 3)]) == 3
    assert sequential_depth([request("a", 0, 1), request("b", 0, 2), request("c", 1.5, 3)]) == 2


def test_the_longest_chain_follows_the_fact_graph() -> None:
    needs = {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"], "loop": ["loop"]}
    weight = {"a": 1, "b": 3, "c": 1, "d": 2, "loop": 5}
    chain = longest_chain(needs, weight, ["d"])
    assert (chain.length, chain.path) == (6, [("a", 1), ("b", 3), ("d", 2)])
    assert longest_chain(needs, weight, ["loop"]).length == 5  # a cycle counts once, no hang
    assert longest_chain(needs, weight, []).length == 0


def test_a_dead_endpoint_refuses_connections() -> None:
    host, port = dead_endpoint().removeprefix("http://").split(":")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, int(port)), timeout=1)


def test_identical_requests_are_found_by_identity_operation_and_body() -> None:
    import boto3

    def client(service: str, key_id: str) -> Any:
        return boto3.client(
            service,
            region_name="eu-west-2",
            endpoint_url=net.endpoint_url,
            aws_access_key_id=key_id,
            aws_secret_access_key=SANDBOX_OPERATOR_ENV["AWS_SECRET_ACCESS_KEY"],
        )

    with middleware_sandbox() as net:
        operator = client("iam", "AKIAOPERATOR00000001")
        other = client("iam", "AKIAOTHERKEY00000002")
        for name in ("a", "a", "b"):
            with pytest.raises(operator.exceptions.NoSuchEntityException):
                operator.get_user(UserName=name)
        with pytest.raises(other.exceptions.NoSuchEntityException):
            other.get_user(UserName="a")  # the same body, another identity
        assert net.middleware.counts() == {"iam:GetUser": 4}
        assert list(net.middleware.repeated().values()) == [2]
        (repeated,) = net.middleware.repeated()
        assert repeated.startswith("AKIAOPERATOR00000001 eu-west-2 iam:GetUser ")
        assert "UserName=a" in repeated


def test_facts_with_the_longest_chain_of_requests_after_them_start_first() -> None:
    from types import ModuleType

    from cognito_doctor.engine.registry import fact
    from cognito_doctor.engine.resolve import _critical_first

    module = ModuleType("facts_for_ordering")
    providers = {
        "files": fact("files")(lambda ctx: None),
        "a_quick": fact("a_quick", needs=["files"], network=True)(lambda ctx, files: None),
        "b_first": fact("b_first", needs=["files"], network=True)(lambda ctx, files: None),
        "c_then": fact("c_then", needs=["b_first"], network=True)(lambda ctx, b_first: None),
    }
    for name, provider in providers.items():
        setattr(module, name, provider)
    registry = Registry()
    registry.add_module(module, "test")
    order = _critical_first(registry, set(registry.facts))
    # b_first has a request waiting on it (c_then): it goes out before a_quick's.
    assert sorted(["a_quick", "b_first"], key=order.__getitem__) == ["b_first", "a_quick"]
    assert order["b_first"] < order["c_then"] and order["files"][0] == order["b_first"][0]
