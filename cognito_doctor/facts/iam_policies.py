"""The principal's identity policies, read with the operator's credentials (the
`iam_policies` fact): a user's inline and attached policies and its groups', or a role's."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from cognito_doctor.aws.failure import AwsError
from cognito_doctor.engine.registry import fact
from cognito_doctor.facts.context import CheckContext
from cognito_doctor.facts.iam_principal import skip_for
from cognito_doctor.iam.kinds import OwnerKind, PolicyKind
from cognito_doctor.iam.policies import PolicySource, decode_document
from cognito_doctor.iam.principal import (
    ROLE_READ_PERMISSIONS,
    USER_READ_PERMISSIONS,
    PolicySet,
    Principal,
)
from cognito_doctor.platform.target import PoolRef


class _ReadError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _document(raw: Any, name: str) -> Mapping[str, Any]:
    try:
        return decode_document(raw, name)
    except ValueError as exc:
        raise _ReadError(str(exc)) from None


def _call(iam: Any, action: str, method: str, **params: Any) -> Any:
    try:
        return getattr(iam, method)(**params)
    except AwsError as exc:
        raise _ReadError(exc.explain(action=action)[0]) from None


def _paginate(iam: Any, action: str, method: str, key: str, **params: Any) -> list[Any]:
    items: list[Any] = []
    try:
        for page in iam.get_paginator(method).paginate(**params):
            items.extend(page.get(key, []))
    except AwsError as exc:
        raise _ReadError(exc.explain(action=action)[0]) from None
    return items


class _Task:
    """One call on a daemon thread (never holding up exit when --timeout gives up on a run),
    at most READ_CONCURRENCY of them at once per reading."""

    def __init__(
        self, limit: threading.Semaphore, name: str, function: Callable[..., Any], *args: Any
    ) -> None:
        self._done = threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None
        parent = threading.current_thread().name
        threading.Thread(
            target=self._run, args=(limit, function, args), name=f"{parent}/{name}", daemon=True
        ).start()

    def _run(self, limit: threading.Semaphore, function: Callable[..., Any], args: Any) -> None:
        try:
            with limit:
                self._value = function(*args)
        except BaseException as exc:  # handed to whoever asks for the result
            self._error = exc
        finally:
            self._done.set()

    def ok(self) -> bool:
        self._done.wait()
        return self._error is None

    def result(self) -> Any:
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value


READ_CONCURRENCY = 8


def _inline_source(iam: Any, owner_type: str, owner: str, policy_name: str) -> PolicySource:
    title = owner_type.capitalize()
    response = _call(
        iam,
        f"iam:Get{title}Policy",
        f"get_{owner_type}_policy",
        PolicyName=policy_name,
        **{f"{title}Name": owner},
    )
    return PolicySource(
        PolicyKind.INLINE,
        OwnerKind(owner_type),
        owner,
        str(policy_name),
        _document(response["PolicyDocument"], f"{owner}/{policy_name}"),
    )


def _managed_source(iam: Any, owner_type: str, owner: str, item: Mapping[str, Any]) -> PolicySource:
    arn = str(item["PolicyArn"])
    policy = _call(iam, "iam:GetPolicy", "get_policy", PolicyArn=arn)["Policy"]
    version = _call(
        iam,
        "iam:GetPolicyVersion",
        "get_policy_version",
        PolicyArn=arn,
        VersionId=policy["DefaultVersionId"],
    )["PolicyVersion"]
    return PolicySource(
        PolicyKind.MANAGED,
        OwnerKind(owner_type),
        owner,
        str(item["PolicyName"]),
        _document(version["Document"], arn),
        arn,
    )


def _read_policies(iam: Any, principal: Principal) -> list[PolicySource]:
    """The principal's identity policies: its inline and attached ones, and for a user its
    groups' too, in that order (each owner's inline policies, then its attached ones).

    Calls that don't need each other's answers are made at the same time: a user's groups,
    inline and attached policy names together, then every policy document. When several calls
    fail, the error reported is the one the calls made one by one would have met first.
    """
    limit = threading.Semaphore(READ_CONCURRENCY)

    def start(name: str, function: Callable[..., Any], *args: Any) -> _Task:
        return _Task(limit, name, function, *args)

    def names(owner_type: str, owner: str) -> tuple[_Task, _Task]:
        title = owner_type.capitalize()
        param = {f"{title}Name": owner}
        inline = start(
            f"List{title}Policies",
            lambda: _paginate(
                iam,
                f"iam:List{title}Policies",
                f"list_{owner_type}_policies",
                "PolicyNames",
                **param,
            ),
        )
        attached = start(
            f"ListAttached{title}Policies",
            lambda: _paginate(
                iam,
                f"iam:ListAttached{title}Policies",
                f"list_attached_{owner_type}_policies",
                "AttachedPolicies",
                **param,
            ),
        )
        return inline, attached

    name = principal.name
    root = ("user", name) if principal.kind == "user" else ("role", name)
    groups = (
        start(
            "ListGroupsForUser",
            lambda: _paginate(
                iam, "iam:ListGroupsForUser", "list_groups_for_user", "Groups", UserName=name
            ),
        )
        if principal.kind == "user"
        else None
    )
    owners = [root]
    listed = {root: names(*root)}
    if groups is not None and groups.ok():
        for group in groups.result():
            owner = ("group", str(group["GroupName"]))
            owners.append(owner)
            listed[owner] = names(*owner)
    documents: dict[tuple[str, str], tuple[list[_Task], list[_Task]]] = {}
    for owner in owners:
        inline, attached = listed[owner]
        documents[owner] = (
            [
                start(f"Get{owner[0].capitalize()}Policy", _inline_source, iam, *owner, n)
                for n in (inline.result() if inline.ok() else [])
            ],
            [
                start("GetPolicy", _managed_source, iam, *owner, item)
                for item in (attached.result() if attached.ok() else [])
            ],
        )
    # The first failure in the order of the calls one by one, else every source in order.
    if groups is not None:
        groups.result()
    sources: list[PolicySource] = []
    for owner in owners:
        inline, attached = listed[owner]
        inline_documents, managed_documents = documents[owner]
        inline.result()
        sources += [task.result() for task in inline_documents]
        attached.result()
        sources += [task.result() for task in managed_documents]
    return sources


@fact("iam_policies", network=True)
def iam_policies(ctx: CheckContext, iam_principal: Principal, pool_ref: PoolRef) -> PolicySet:
    """The principal's identity policies, read with the operator's credentials."""
    if iam_principal.problem:
        raise skip_for(iam_principal)
    return read_policy_set(ctx, iam_principal, pool_ref)


def read_policy_set(ctx: CheckContext, principal: Principal, pool_ref: PoolRef) -> PolicySet:
    """The principal's identity policies, or why they could not all be read."""
    iam = ctx.aws.operator("iam", pool_ref.region)
    try:
        sources = _read_policies(iam, principal)
    except _ReadError as exc:
        return PolicySet(principal, (), exc.message, permissions_to_read(principal))
    return PolicySet(principal, tuple(sources), None, permissions_to_read(principal))


def permissions_to_read(principal: Principal) -> tuple[str, ...]:
    """The IAM permissions reading the principal's policies takes."""
    return USER_READ_PERMISSIONS if principal.kind == "user" else ROLE_READ_PERMISSIONS
