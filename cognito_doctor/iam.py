"""The IAM facts: who the service runs as, what its identity policies say, and whether they let
it call the six Admin actions on the pool (runbook step 2).

- ARNs: parsing, and comparing a policy's Resource with the pool's ARN part by part
  (partition, service, region, account, resource type, pool id), naming the part that differs.
- Policies: the principal's identity policies (user inline and attached, its groups', or the
  role's), and the local evaluator the product falls back on when the operator may not call
  iam:SimulatePrincipalPolicy: Allow / Deny, Action / NotAction, Resource / NotResource,
  `*` / `?` wildcards. Conditions are reported, never guessed: a statement with a Condition
  is treated as not applying and its keys are listed, as the simulator does for context values
  it is not given.
- Facts (`iam_principal`, `iam_policies`, `iam_simulation`, `iam_probe`, `policy_file`) and the
  pieces the iam checks build their messages and fixes from (corrected statements, `aws iam`
  commands).

boto3 is only reached through `ctx.aws` inside providers, never at import time.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
import threading
import uuid
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from cognito_doctor.envfiles import UM_ENV
from cognito_doctor.facts import (
    CheckContext,
    EnvFiles,
    FactUnavailable,
    IdentityLookup,
    PoolRef,
    first_value,
)
from cognito_doctor.model import Status
from cognito_doctor.regions import is_region, partition_of
from cognito_doctor.registry import fact

if TYPE_CHECKING:
    from cognito_doctor.aws import ServiceKeys

# The actions services/user-management's CognitoService calls (runbook step 2), in its order.
REQUIRED_ACTIONS: tuple[str, ...] = (
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminEnableUser",
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:AdminResetUserPassword",
    "cognito-idp:AdminGetUser",
)
# Actions on the pool the service never needs and that do real harm in the wrong hands.
RISKY_ACTIONS: dict[str, str] = {
    "cognito-idp:DeleteUserPool": "deletes the pool and every user in it",
    "cognito-idp:UpdateUserPool": "changes pool settings (e.g. turns self sign-up on)",
    "cognito-idp:AdminSetUserPassword": "sets any user's password",
    "cognito-idp:AdminUpdateUserAttributes": "changes any user's email (account takeover)",
    "cognito-idp:AdminInitiateAuth": "signs in as any user",
    "cognito-idp:AdminAddUserToGroup": "puts any user in any group",
    "cognito-idp:AdminConfirmSignUp": "confirms sign-ups without verification",
    "cognito-idp:ListUsers": "lists every user's email and attributes",
    "cognito-idp:DescribeUserPoolClient": "reads the app client's secret",
    "cognito-idp:CreateUserPoolClient": "creates new app clients",
    "cognito-idp:UpdateUserPoolClient": "changes the app client's flows and callbacks",
    "cognito-idp:SetUserPoolMfaConfig": "changes the pool's MFA settings",
}
RUNBOOK_POLICY_NAME = "clinical-platform-user-mgmt"
RUNBOOK_EXAMPLE_POOL_ID = "eu-west-2_AbCdEf123"
# What the operator needs for the local fallback, per principal kind.
USER_READ_PERMISSIONS = (
    "iam:ListUserPolicies",
    "iam:GetUserPolicy",
    "iam:ListAttachedUserPolicies",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:ListGroupsForUser",
    "iam:ListGroupPolicies",
    "iam:GetGroupPolicy",
    "iam:ListAttachedGroupPolicies",
)
ROLE_READ_PERMISSIONS = (
    "iam:ListRolePolicies",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
)
LOCAL_BLIND_SPOTS = (
    "service control policies (AWS Organizations), permissions boundaries and session policies"
)
MAX_SIMULATION_PAGES = 50
MAX_POLICY_FILE_BYTES = 1_000_000
# Runbook placeholders (`<REGION>`), template braces, elisions, and "${…}" that is not one of
# IAM's own policy variables (`${aws:username}` is legitimate).
PLACEHOLDER = re.compile(
    r"<[^<>\s]+>|\{\{[^{}]*\}\}|\$\{(?!aws:|saml:|cognito-|www\.|graph\.|accounts\.)[^{}]*\}|…"
)
_ARN_RESOURCE_NAME = r"[\w+=,.@-]+"


# --- ARNs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arn:
    """`arn:partition:service:region:account:resource`."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, text: str) -> Arn | None:
        parts = text.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn":
            return None
        return cls(*parts[1:])

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def pool_arn(partition: str, region: str, account: str, pool_id: str) -> str:
    """`arn:<partition>:cognito-idp:<region>:<account>:userpool/<poolId>`."""
    return f"arn:{partition}:cognito-idp:{region}:{account}:userpool/{pool_id}"


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's `*` (any run of characters) and `?` (one character) matching."""
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def placeholders_in(text: str) -> list[str]:
    """The template placeholders left in `text` (`<REGION>`, `{{account}}`, `…`)."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


@dataclass(frozen=True)
class ResourceComparison:
    """A policy Resource compared with the pool's ARN: whether it matches, and if not, why."""

    pattern: str
    matches: bool
    differences: tuple[str, ...] = ()
    placeholders: tuple[str, ...] = ()


def compare_resource(pattern: str, pool: Arn, *, check_account: bool = True) -> ResourceComparison:
    """Compare one Resource entry with the pool's ARN, part by part.

    With `check_account=False` (offline, the account is unknown) the account part only has
    to be a 12-digit account id.
    """
    placeholders = tuple(placeholders_in(pattern))
    target = str(pool) if check_account else None
    if target is not None and wildcard_match(pattern, target):
        return ResourceComparison(pattern, True, (), placeholders)
    parsed = Arn.parse(pattern)
    if parsed is None:
        return ResourceComparison(
            pattern,
            False,
            (
                f"{pattern!r} is not an ARN (expected "
                f"arn:partition:service:region:account:resource, e.g. {pool})",
            ),
            placeholders,
        )
    pool_id = pool.resource.split("/", 1)[1] if "/" in pool.resource else pool.resource
    differences: list[str] = []

    def differ(part: str, name: str, actual: str, sentence: str) -> None:
        left = placeholders_in(part)
        if left:
            differences.append(
                f"the placeholder {', '.join(left)} was never replaced (the {name} is {actual})"
            )
        elif not wildcard_match(part, actual):
            differences.append(sentence)

    differ(
        parsed.partition,
        "partition",
        pool.partition,
        f"the policy names partition {parsed.partition or '(empty)'}, the pool is in "
        f"partition {pool.partition}",
    )
    hint = (
        " (that is Cognito identity pools, not user pools)" if "identity" in parsed.service else ""
    )
    differ(
        parsed.service,
        "service",
        pool.service,
        f"the policy names service {parsed.service or '(empty)'}{hint}, a user pool's is "
        f"{pool.service}",
    )
    differ(
        parsed.region,
        "region",
        pool.region,
        f"the policy names region {parsed.region}, the pool is in {pool.region}"
        if parsed.region
        else f"the policy leaves the region empty, the pool is in {pool.region}",
    )
    if check_account:
        differ(
            parsed.account,
            "account",
            pool.account,
            f"the policy names account {parsed.account or '(empty)'}, the pool's account is "
            f"{pool.account}",
        )
    elif placeholders_in(parsed.account):
        differences.append(
            f"the placeholder {', '.join(placeholders_in(parsed.account))} was never replaced "
            "(the account is your 12-digit AWS account id)"
        )
    elif not re.fullmatch(r"\d{12}", parsed.account):
        differences.append(
            f"the policy names account {parsed.account or '(empty)'}, which is not a "
            "12-digit account id"
        )
    resource_type, slash, resource_id = parsed.resource.partition("/")
    if not wildcard_match(parsed.resource, pool.resource):
        if not slash:
            differ(
                parsed.resource,
                "resource",
                pool.resource,
                f"the policy names resource {parsed.resource}, a user pool's is {pool.resource}",
            )
        else:
            differ(
                resource_type,
                "resource type",
                "userpool",
                f"the policy names resource type {resource_type}, a user pool's is userpool",
            )
            if resource_id == RUNBOOK_EXAMPLE_POOL_ID and pool_id != RUNBOOK_EXAMPLE_POOL_ID:
                differences.append(
                    f"the policy names the runbook's example pool id {resource_id}, the pool "
                    f"is {pool_id}"
                )
            else:
                case = (
                    " (they differ only in letter case; pool ids are case-sensitive)"
                    if resource_id.lower() == pool_id.lower()
                    else ""
                )
                differ(
                    resource_id,
                    "pool id",
                    pool_id,
                    f"the policy names pool id {resource_id}, the pool is {pool_id}{case}",
                )
    if not differences and target is None:
        return ResourceComparison(pattern, True, (), placeholders)
    if not differences:
        # Every part matches on its own but the whole doesn't (e.g. a wildcard across parts).
        differences.append(f"{pattern} does not match {pool}")
    return ResourceComparison(pattern, False, tuple(differences), placeholders)


# --- principals --------------------------------------------------------------------------


@dataclass(frozen=True)
class PrincipalArn:
    """What an identity ARN names: kind (user, role, assumed-role, …), name and path."""

    arn: Arn
    kind: str
    name: str
    path: str = "/"
    session: str | None = None


def parse_principal(text: str) -> PrincipalArn | None:
    """An IAM user/role/group ARN, an STS assumed-role or federated-user ARN, or root."""
    arn = Arn.parse(text.strip())
    if arn is None or not re.fullmatch(r"\d{12}", arn.account):
        return None
    if arn.service == "iam":
        if arn.resource == "root":
            return PrincipalArn(arn, "root", "root")
        match = re.fullmatch(
            rf"(user|role|group)(/(?:[!-~]*/)?)?({_ARN_RESOURCE_NAME})", arn.resource
        )
        if match:
            return PrincipalArn(arn, match.group(1), match.group(3), match.group(2) or "/")
        return None
    if arn.service == "sts":
        match = re.fullmatch(rf"assumed-role/({_ARN_RESOURCE_NAME})/([\w+=,.@-]+)", arn.resource)
        if match:
            return PrincipalArn(arn, "assumed-role", match.group(1), session=match.group(2))
        match = re.fullmatch(rf"federated-user/({_ARN_RESOURCE_NAME})", arn.resource)
        if match:
            return PrincipalArn(arn, "federated-user", match.group(1))
    return None


@dataclass(frozen=True)
class Principal:
    """The IAM user or role whose permissions matter, and how it was found.

    `problem` is set when the ARN can't be simulated (root, a federated user, a group, a
    principal that doesn't exist); iam.principal fails with it and the other iam checks skip.
    """

    arn: str
    kind: str
    name: str
    account: str
    partition: str
    source: str
    given_arn: str
    notes: tuple[str, ...] = ()
    problem: str | None = None
    fix: str = ""
    permissions_boundary: str | None = None

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"

    def console(self) -> str:
        section = "Users" if self.kind == "user" else "Roles"
        return f"IAM → {section} → {self.name}"


# --- policies and the local evaluator -------------------------------------------------


@dataclass(frozen=True)
class PolicySource:
    """One identity policy of the principal (or of one of its groups)."""

    kind: str  # "inline" | "managed"
    owner_type: str  # "user" | "group" | "role"
    owner: str
    name: str
    document: Mapping[str, Any] = field(compare=False)
    arn: str | None = None

    @property
    def aws_managed(self) -> bool:
        return bool(self.arn and ":iam::aws:policy/" in self.arn)

    @property
    def label(self) -> str:
        if self.kind == "inline":
            return f'inline policy "{self.name}" of {self.owner_type} {self.owner}'
        managed = "AWS managed" if self.aws_managed else "managed"
        owner = f"{self.owner_type} {self.owner}"
        return f'{managed} policy "{self.name}" ({self.arn}) attached to {owner}'

    def console(self) -> str:
        if self.kind == "managed":
            return f"IAM → Policies → {self.name} → Edit → JSON"
        section = {"user": "Users", "group": "User groups", "role": "Roles"}[self.owner_type]
        return f"IAM → {section} → {self.owner} → Permissions → {self.name} → Edit → JSON"

    def is_source(self, source_id: str, source_type: str | None) -> bool:
        """Whether a simulator `MatchedStatements` entry (SourcePolicyId/Type) means this policy."""
        ids = {self.name, f"{self.owner_type}_{self.owner}_{self.name}"}
        if self.arn:
            ids.add(self.arn)
        if source_id not in ids:
            return False
        if source_type in (None, "", "none", "IAM Policy"):
            return True
        if self.kind == "inline":
            return source_type == self.owner_type
        return source_type in ("aws-managed", "user-managed")

    def statements(self) -> list[Mapping[str, Any]]:
        return policy_statements(self.document)


def policy_statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A policy's statements as a list (IAM accepts one statement object, too)."""
    statement = document.get("Statement", [])
    statements = statement if isinstance(statement, list) else [statement]
    return [s for s in statements if isinstance(s, Mapping)]


def element_values(element: Any) -> list[str]:
    """A policy element (string or list of strings) as a list."""
    if isinstance(element, str):
        return [element]
    if isinstance(element, list):
        return [str(v) for v in element if isinstance(v, str)]
    return []


def covers_action(statement: Mapping[str, Any], action: str) -> bool:
    """Whether the statement's Action (or NotAction) covers `action` (case-insensitive)."""
    if "Action" in statement:
        return any(
            wildcard_match(p, action, ignore_case=True) for p in element_values(statement["Action"])
        )
    if "NotAction" in statement:
        return not any(
            wildcard_match(p, action, ignore_case=True)
            for p in element_values(statement["NotAction"])
        )
    return False


def covers_resource(statement: Mapping[str, Any], resource: str) -> bool:
    """Whether the statement's Resource (or NotResource) covers `resource` (case-sensitive)."""
    if "Resource" in statement:
        return any(wildcard_match(p, resource) for p in element_values(statement["Resource"]))
    if "NotResource" in statement:
        return not any(
            wildcard_match(p, resource) for p in element_values(statement["NotResource"])
        )
    return False


def condition_keys(statement: Mapping[str, Any]) -> list[str]:
    """The context keys a statement's Condition tests."""
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return []
    keys = [str(k) for block in condition.values() if isinstance(block, Mapping) for k in block]
    return list(dict.fromkeys(keys))


def is_deny(statement: Mapping[str, Any]) -> bool:
    return str(statement.get("Effect", "")).lower() == "deny"


@dataclass(frozen=True)
class StatementRef:
    """One statement of one policy, by position."""

    source: PolicySource
    index: int

    @property
    def statement(self) -> Mapping[str, Any]:
        return self.source.statements()[self.index]

    @property
    def name(self) -> str:
        sid = self.statement.get("Sid")
        return f'statement "{sid}"' if sid else f"statement {self.index + 1}"

    @property
    def label(self) -> str:
        return f"{self.name} of {self.source.label}"


@dataclass(frozen=True)
class LocalDecision:
    """The local evaluator's answer for one action on one resource."""

    decision: str  # allowed | implicitDeny | explicitDeny
    matched: tuple[StatementRef, ...] = ()
    conditional: tuple[StatementRef, ...] = ()
    missing_context: tuple[str, ...] = ()


def all_statements(sources: Iterable[PolicySource]) -> Iterator[StatementRef]:
    for source in sources:
        for index in range(len(source.statements())):
            yield StatementRef(source, index)


def evaluate_locally(sources: Sequence[PolicySource], action: str, resource: str) -> LocalDecision:
    """IAM's evaluation logic over identity policies only: an explicit Deny wins, then an
    Allow; otherwise implicitly denied. A statement with a Condition is not guessed at: it is
    treated as not applying and its keys are returned as missing context values."""
    allows: list[StatementRef] = []
    denies: list[StatementRef] = []
    conditional: list[StatementRef] = []
    missing: list[str] = []
    for ref in all_statements(sources):
        statement = ref.statement
        if not covers_action(statement, action) or not covers_resource(statement, resource):
            continue
        keys = condition_keys(statement)
        if keys:
            conditional.append(ref)
            missing.extend(keys)
            continue
        (denies if is_deny(statement) else allows).append(ref)
    missing_context = tuple(dict.fromkeys(missing))
    if denies:
        return LocalDecision("explicitDeny", tuple(denies), tuple(conditional), missing_context)
    if allows:
        return LocalDecision("allowed", tuple(allows), tuple(conditional), missing_context)
    return LocalDecision("implicitDeny", (), tuple(conditional), missing_context)


# --- the facts' values -----------------------------------------------------------------


@dataclass(frozen=True)
class PolicySet:
    """The principal's identity policies, or why they could not all be read."""

    principal: Principal
    sources: tuple[PolicySource, ...] = ()
    problem: str | None = None
    needed: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class MatchedStatement:
    """A statement the simulator (or the local evaluator) says decided a result."""

    source_id: str
    source_type: str | None = None
    line: int | None = None
    ref: StatementRef | None = None


@dataclass(frozen=True)
class Decision:
    """The verdict for one action on the pool."""

    action: str
    decision: str  # allowed | implicitDeny | explicitDeny
    matched: tuple[MatchedStatement, ...] = ()
    missing_context: tuple[str, ...] = ()
    allowed_by_organizations: bool | None = None
    allowed_by_boundary: bool | None = None

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"


@dataclass(frozen=True)
class Simulation:
    """Every required and risky action's verdict on the pool, and how it was reached."""

    principal: Principal
    pool: Arn
    method: str  # "simulation" (iam:SimulatePrincipalPolicy) | "local"
    decisions: Mapping[str, Decision]
    policies: PolicySet
    fallback_reason: str | None = None

    @property
    def pool_arn(self) -> str:
        return str(self.pool)

    @property
    def local(self) -> bool:
        return self.method == "local"


@dataclass(frozen=True)
class ProbeCall:
    """One real Admin* call made with the service's keys for a username that cannot exist."""

    action: str
    result: str  # allowed | denied | inconclusive
    code: str | None = None


@dataclass(frozen=True)
class Probe:
    """The --probe calls (none unless --probe was given)."""

    requested: bool
    calls: tuple[ProbeCall, ...] = ()
    problem: str | None = None
    username: str = ""

    def result(self, action: str) -> ProbeCall | None:
        return next((c for c in self.calls if c.action == action), None)


@dataclass(frozen=True)
class PolicyFile:
    """The --policy-file, read and parsed, with the line of every JSON value."""

    path: Path
    display: str
    text: str = ""
    document: Any = None
    problem: str | None = None
    line: int | None = None
    lines: Mapping[tuple[str | int, ...], int] = field(default_factory=dict)

    def line_of(self, *path: str | int) -> int | None:
        """The line of the value at `path`, or of its nearest enclosing value."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]


# --- fixes -----------------------------------------------------------------------------


def runbook_statement(pool: str, actions: Iterable[str] = REQUIRED_ACTIONS) -> dict[str, Any]:
    """The runbook's step-2 statement with real values."""
    return {"Effect": "Allow", "Action": list(actions), "Resource": pool}


def runbook_policy(pool: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [runbook_statement(pool)]}


def _pool_like(pattern: str, pool: Arn) -> bool:
    """A Resource entry meant to be this pool: a user-pool ARN, or one with placeholders."""
    parsed = Arn.parse(pattern)
    if placeholders_in(pattern) or parsed is None:
        return True
    return "cognito" in parsed.service or parsed.resource.startswith("userpool")


def corrected_statement(
    statement: Mapping[str, Any] | None, pool: Arn, actions: Iterable[str] = REQUIRED_ACTIONS
) -> dict[str, Any]:
    """`statement` rewritten to allow `actions` on the pool: wrong or placeholder pool ARNs
    replaced with the pool's, missing actions added, everything else (Sid, Condition) kept."""
    wanted = list(actions)
    if statement is None:
        return runbook_statement(str(pool), wanted)
    fixed: dict[str, Any] = {}
    if "Sid" in statement:
        fixed["Sid"] = statement["Sid"]
    fixed["Effect"] = "Allow"
    if "Action" in statement:
        existing = element_values(statement["Action"])
        missing = [
            a for a in wanted if not any(wildcard_match(p, a, ignore_case=True) for p in existing)
        ]
        fixed["Action"] = existing + missing
    else:
        fixed["Action"] = wanted
    resources: list[str] = []
    if "Resource" in statement:
        for pattern in element_values(statement["Resource"]):
            matches = compare_resource(pattern, pool).matches
            keep = matches or not _pool_like(pattern, pool)
            entry = pattern if keep else str(pool)
            if entry not in resources:
                resources.append(entry)
    if not any(wildcard_match(p, str(pool)) for p in resources):
        resources.append(str(pool))
    fixed["Resource"] = resources[0] if len(resources) == 1 else resources
    for key, value in statement.items():
        if key not in ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource"):
            fixed[key] = copy.deepcopy(value)
    return fixed


def narrowed_statement(statement: Mapping[str, Any], pool: Arn) -> dict[str, Any]:
    """`statement` cut down to the six actions on the pool (for iam.least-privilege)."""
    fixed: dict[str, Any] = {}
    if "Sid" in statement:
        fixed["Sid"] = statement["Sid"]
    fixed.update(runbook_statement(str(pool)))
    if "Condition" in statement:
        fixed["Condition"] = copy.deepcopy(statement["Condition"])
    return fixed


def document_with(
    source: PolicySource, index: int | None, statement: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The source's document with statement `index` replaced by `statement` (None deletes
    it; index None appends)."""
    document = copy.deepcopy(dict(source.document))
    statements = [copy.deepcopy(dict(s)) for s in policy_statements(source.document)]
    if index is None:
        if statement is not None:
            statements.append(dict(statement))
    elif statement is None:
        del statements[index]
    else:
        statements[index] = dict(statement)
    document["Statement"] = statements
    document.setdefault("Version", "2012-10-17")
    return document


def compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2)


def put_policy_command(source: PolicySource, document: Mapping[str, Any]) -> str | None:
    """The `aws iam` command that stores `document` as `source` (None for AWS managed ones)."""
    body = shlex.quote(compact_json(document))
    if source.kind == "inline":
        return (
            f"aws iam put-{source.owner_type}-policy --{source.owner_type}-name "
            f"{shlex.quote(source.owner)} --policy-name {shlex.quote(source.name)} "
            f"--policy-document {body}"
        )
    if source.aws_managed or not source.arn:
        return None
    return (
        f"aws iam create-policy-version --policy-arn {shlex.quote(source.arn)} "
        f"--policy-document {body} --set-as-default"
    )


def new_inline_policy_command(
    principal: Principal, document: Mapping[str, Any], taken: Iterable[str] = ()
) -> str:
    """`aws iam put-user-policy` / `put-role-policy` adding `document` as a new inline policy."""
    names = set(taken)
    name = RUNBOOK_POLICY_NAME
    counter = 2
    while name in names:
        name = f"{RUNBOOK_POLICY_NAME}-{counter}"
        counter += 1
    return (
        f"aws iam put-{principal.kind}-policy --{principal.kind}-name "
        f"{shlex.quote(principal.name)} --policy-name {shlex.quote(name)} "
        f"--policy-document {shlex.quote(compact_json(document))}"
    )


# --- explaining a denial ---------------------------------------------------------------


@dataclass(frozen=True)
class Denial:
    """Why one action is denied, in words a person can act on.

    kind: explicit | boundary | scp | condition | resource | missing | no-policies |
    unreadable | unexplained. `statement` is the statement to change (the one that denies,
    or the closest one that was meant to allow).
    """

    action: str
    kind: str
    reason: str
    statement: StatementRef | None = None
    condition_keys: tuple[str, ...] = ()


def statements_naming(sources: Iterable[PolicySource], action: str) -> list[StatementRef]:
    """The Allow statements whose Action covers `action`, whatever their Resource."""
    return [
        ref
        for ref in all_statements(sources)
        if not is_deny(ref.statement) and covers_action(ref.statement, action)
    ]


def _resolve_matched(
    simulation: Simulation, decision: Decision, *, deny: bool
) -> list[StatementRef]:
    refs: list[StatementRef] = []
    for matched in decision.matched:
        if matched.ref is not None:
            refs.append(matched.ref)
            continue
        for source in simulation.policies.sources:
            if not source.is_source(matched.source_id, matched.source_type):
                continue
            for ref in all_statements([source]):
                statement = ref.statement
                if (
                    is_deny(statement) == deny
                    and covers_action(statement, decision.action)
                    and covers_resource(statement, simulation.pool_arn)
                ):
                    refs.append(ref)
    return list(dict.fromkeys(refs))


def _statement_resources(statement: Mapping[str, Any]) -> list[str]:
    return element_values(statement.get("Resource", []))


def explain_denial(simulation: Simulation, decision: Decision) -> Denial:
    """Why `decision` (not allowed) denies its action on the pool."""
    action = decision.action
    pool = simulation.pool
    if decision.decision == "explicitDeny":
        refs = _resolve_matched(simulation, decision, deny=True)
        if refs:
            names = "; ".join(ref.label for ref in refs)
            return Denial(action, "explicit", f"explicitly denied by {names}", refs[0])
        ids = ", ".join(
            f"{m.source_type or 'policy'} {m.source_id}" + (f" (line {m.line})" if m.line else "")
            for m in decision.matched
        )
        if decision.allowed_by_boundary is False and not ids:
            return Denial(
                action,
                "boundary",
                "explicitly denied by the permissions boundary"
                + _boundary_name(simulation.principal),
            )
        return Denial(
            action, "explicit", f"explicitly denied by a Deny statement in {ids or 'a policy'}"
        )
    if decision.allowed_by_boundary is False:
        return Denial(
            action,
            "boundary",
            "denied by the permissions boundary"
            + _boundary_name(simulation.principal)
            + ": the identity policies may allow it, but the boundary does not",
        )
    if decision.allowed_by_organizations is False:
        return Denial(
            action,
            "scp",
            f"denied by a service control policy (AWS Organizations) that applies to account "
            f"{pool.account}: no identity policy can override it",
        )
    policies = simulation.policies
    if not policies.complete:
        keys = (
            f"; the simulation could not evaluate the condition keys "
            f"{', '.join(decision.missing_context)}"
            if decision.missing_context
            else ""
        )
        return Denial(
            action,
            "unreadable",
            f"no statement of the principal's policies allows this on the pool{keys}; the "
            f"operator couldn't read the policies to say which part is wrong "
            f"({policies.problem})",
            condition_keys=decision.missing_context,
        )
    naming = statements_naming(policies.sources, action)
    if not naming:
        if not policies.sources:
            return Denial(
                action, "no-policies", f"the {simulation.principal.label} has no identity policies"
            )
        closest = _closest_grant(policies.sources, pool)
        return Denial(
            action,
            "missing",
            f"missing from every statement of the {simulation.principal.label}'s "
            f"{_count(len(policies.sources), 'policy', 'policies')}",
            closest,
        )
    covering = [ref for ref in naming if covers_resource(ref.statement, str(pool))]
    if covering:
        conditional = [ref for ref in covering if condition_keys(ref.statement)]
        if conditional:
            ref = conditional[0]
            tested = tuple(
                dict.fromkeys(condition_keys(ref.statement) + list(decision.missing_context))
            )
            return Denial(
                action,
                "condition",
                f"{ref.label} allows this only when its condition on {', '.join(tested)} holds, "
                f"which the {'local evaluation' if simulation.local else 'simulation'} cannot "
                "evaluate",
                ref,
                tested,
            )
        return Denial(
            action,
            "unexplained",
            f"{covering[0].label} allows this on the pool, yet the result is a deny: something "
            f"the identity policies don't show denies it ({LOCAL_BLIND_SPOTS})",
            covering[0],
        )
    best: tuple[int, StatementRef, str] | None = None
    for ref in naming:
        statement = ref.statement
        if "NotResource" in statement:
            why = (
                f"{ref.label} excludes the pool with NotResource "
                f"{compact_json(statement['NotResource'])}"
            )
            candidate = (1, ref, why)
        else:
            resources = _statement_resources(statement)
            if not resources:
                candidate = (9, ref, f"{ref.label} has no Resource")
            else:
                comparisons = [compare_resource(p, pool) for p in resources]
                nearest = min(comparisons, key=lambda c: len(c.differences))
                why = f"{ref.label} has Resource {nearest.pattern}, but " + "; ".join(
                    nearest.differences
                )
                candidate = (len(nearest.differences), ref, why)
        if best is None or candidate[0] < best[0]:
            best = candidate
    assert best is not None
    return Denial(action, "resource", best[2], best[1])


def _closest_grant(sources: Sequence[PolicySource], pool: Arn) -> StatementRef | None:
    """The Allow statement that grants the most required actions on this pool (or, failing
    that, names the most): the one to add a missing action to."""
    best: tuple[int, int, StatementRef] | None = None
    for ref in all_statements(sources):
        statement = ref.statement
        if is_deny(statement) or "Action" not in statement:
            continue
        named = sum(covers_action(statement, a) for a in REQUIRED_ACTIONS)
        if not named:
            continue
        on_pool = int(covers_resource(statement, str(pool)))
        key = (on_pool, named, ref)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


def _boundary_name(principal: Principal) -> str:
    return f" {principal.permissions_boundary}" if principal.permissions_boundary else ""


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def granting_statements(
    sources: Iterable[PolicySource], action: str, pool: str
) -> list[StatementRef]:
    """The unconditional Allow statements that cover `action` on `pool`."""
    return [
        ref
        for ref in all_statements(sources)
        if not is_deny(ref.statement)
        and not condition_keys(ref.statement)
        and covers_action(ref.statement, action)
        and covers_resource(ref.statement, pool)
    ]


# --- JSON positions (for --policy-file findings) ---------------------------------------

# The standard library's JSON string scanner (not in typeshed): (text, index after the
# opening quote) -> (decoded string, index after the closing quote).
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


def json_lines(text: str) -> dict[tuple[str | int, ...], int]:
    """The 1-based line of every value in a valid JSON text, by path (object members are
    keyed by name and point at their key's line; array items by index)."""
    newlines = [i for i, char in enumerate(text) if char == "\n"]
    lines: dict[tuple[str | int, ...], int] = {}

    def line_of(index: int) -> int:
        return bisect_right(newlines, index - 1) + 1

    def skip(index: int) -> int:
        match = _WHITESPACE.match(text, index)
        return match.end() if match else index

    def value(index: int, path: tuple[str | int, ...], key_line: int | None) -> int:
        index = skip(index)
        lines.setdefault(path, key_line or line_of(index))
        char = text[index]
        if char == "{":
            index = skip(index + 1)
            if text[index] == "}":
                return index + 1
            while True:
                index = skip(index)
                member_line = line_of(index)
                key, index = _scanstring(text, index + 1)
                index = skip(index) + 1  # the colon
                index = skip(value(index, (*path, key), member_line))
                if text[index] == ",":
                    index += 1
                    continue
                return index + 1
        if char == "[":
            index = skip(index + 1)
            if text[index] == "]":
                return index + 1
            position = 0
            while True:
                index = skip(value(index, (*path, position), None))
                position += 1
                if text[index] == ",":
                    index += 1
                    continue
                return index + 1
        if char == '"':
            return _scanstring(text, index + 1)[1]
        match = _SCALAR.match(text, index)
        if match is None:
            raise ValueError(f"unexpected character {char!r} at offset {index}")
        return match.end()

    value(0, (), None)
    return lines


def read_policy_file(path: Path, root: Path) -> PolicyFile:
    """Read and parse a policy file; problems (unreadable, not JSON) are kept, not raised."""
    try:
        display = str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        display = str(path)
    try:
        raw = path.read_bytes()[: MAX_POLICY_FILE_BYTES + 1]
    except OSError as exc:
        return PolicyFile(path, display, problem=f"cannot read {display}: {exc.strerror or exc}")
    if len(raw) > MAX_POLICY_FILE_BYTES:
        return PolicyFile(path, display, problem=f"{display} is larger than 1 MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return PolicyFile(path, display, problem=f"{display} is not UTF-8 text ({exc.reason})")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return PolicyFile(
            path,
            display,
            text,
            problem=f"{display} is not valid JSON: {exc.msg} (line {exc.lineno}, column "
            f"{exc.colno})",
            line=exc.lineno,
        )
    return PolicyFile(path, display, text, document, lines=json_lines(text))


# --- providers -------------------------------------------------------------------------


def _aws_error(exc: BaseException) -> bool:
    from cognito_doctor.aws import is_aws_error

    return is_aws_error(exc)


def _code(exc: BaseException) -> str | None:
    from cognito_doctor.aws import error_code

    return error_code(exc)


def _http_status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    if not isinstance(response, Mapping):
        return None
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status if isinstance(status, int) else None


def _explain(exc: BaseException, action: str, who: str = "the operator") -> str:
    from cognito_doctor.aws import explain

    return explain(exc, action=action, who=who)[0]


def _service_keys(env_files: EnvFiles) -> ServiceKeys | None:
    from cognito_doctor.facts import service_keys

    return service_keys(env_files.um) if env_files.um.usable else None


def _operator_account(ctx: CheckContext, region: str) -> str | None:
    try:
        return str(ctx.aws.operator("sts", region).get_caller_identity()["Account"])
    except Exception as exc:
        if not _aws_error(exc):
            raise
        return None


EXECUTION_ROLE_HINT = (
    "the role user-management runs as: ECS: the task definition's taskRoleArn; EC2: the "
    "instance profile's role; EKS: the service account's eks.amazonaws.com/role-arn annotation"
)


@fact("iam_principal", needs=["env_files", "pool_ref", "service_identity"], network=True)
def iam_principal(
    ctx: CheckContext,
    env_files: EnvFiles,
    pool_ref: PoolRef,
    service_identity: IdentityLookup | None,
) -> Principal:
    """The IAM user or role to check: --principal-arn, else the identity behind the keys in
    services/user-management/.env (the one sts:GetCallerIdentity call creds.identity also
    uses); an assumed-role session is turned into its role's ARN."""
    region = pool_ref.region
    given = ctx.config.principal_arn
    if given:
        source = "--principal-arn"
    else:
        keys = _service_keys(env_files)
        if keys is None or service_identity is None:
            if ctx.prod:
                account = _operator_account(ctx, region) or "<ACCOUNT_ID>"
                raise FactUnavailable(
                    Status.ERROR,
                    f"no principal to check: in prod the service runs as its execution role "
                    f"(no static keys in {UM_ENV}), and no --principal-arn was given",
                    f"Pass --principal-arn arn:{partition_of(region)}:iam::{account}:role/"
                    f"<ROLE_NAME> with the ARN of {EXECUTION_ROLE_HINT}.",
                )
            raise FactUnavailable(
                Status.SKIP,
                f"no static AWS keys in {UM_ENV} to find the service's principal (see "
                "env.aws-credentials); pass --principal-arn to check a role",
            )
        source = f"the keys in {UM_ENV} (key id …{keys.access_key_id[-4:]})"
        if service_identity.failure is not None:
            message, fix = service_identity.failure
            raise FactUnavailable(
                Status.ERROR, f"the service's principal is unknown: {message}", fix
            )
        arn = (service_identity.identity or {}).get("Arn")
        if arn is None:
            raise FactUnavailable(
                Status.SKIP,
                f"AWS did not accept the keys in {UM_ENV} "
                f"({service_identity.error_code or 'error'}), so the principal behind them is "
                "unknown (see creds.identity)",
            )
        given = arn
    return _resolve_principal(ctx, given.strip(), source, region)


def _resolve_principal(ctx: CheckContext, given: str, source: str, region: str) -> Principal:
    parsed = parse_principal(given)
    partition = partition_of(region)
    if parsed is None:
        return Principal(
            given,
            "unknown",
            given,
            "",
            partition,
            source,
            given,
            problem=f"{given!r} (from {source}) is not an IAM user or role ARN",
            fix=f"Pass the ARN of an IAM user or role, e.g. --principal-arn "
            f"arn:{partition}:iam::<ACCOUNT_ID>:role/<ROLE_NAME> ({EXECUTION_ROLE_HINT}).",
        )
    arn = parsed.arn

    def principal(arn_text: str, kind: str, name: str, **more: Any) -> Principal:
        return Principal(arn_text, kind, name, arn.account, arn.partition, source, given, **more)

    if parsed.kind in ("root", "federated-user", "group"):
        why = {
            "root": "the account's root user: the service must never use root keys, and "
            "policies can't be attached to root",
            "federated-user": "an STS federated-user session, whose permissions come from the "
            "policies passed when it was created and can't be simulated",
            "group": "an IAM group, which cannot make AWS calls itself",
        }[parsed.kind]
        fix = (
            f"Follow the runbook's step 2: create the IAM user clinical-platform-user-mgmt-dev "
            f"with the clinical-platform-user-mgmt policy, put its access key in {UM_ENV}, "
            "and delete the root access key (IAM → Security credentials)."
            if parsed.kind == "root"
            else f"Pass --principal-arn with the IAM user or role the service runs as "
            f"({EXECUTION_ROLE_HINT})."
        )
        return principal(given, parsed.kind, parsed.name, problem=f"{given} is {why}", fix=fix)
    iam = ctx.aws.operator("iam", region)
    kind = "role" if parsed.kind in ("role", "assumed-role") else "user"
    try:
        if kind == "role":
            entity = iam.get_role(RoleName=parsed.name)["Role"]
        else:
            entity = iam.get_user(UserName=parsed.name)["User"]
    except Exception as exc:
        if not _aws_error(exc):
            raise
        action = "iam:GetRole" if kind == "role" else "iam:GetUser"
        if _code(exc) == "NoSuchEntity":
            operator_account = _operator_account(ctx, region)
            if operator_account and operator_account != arn.account:
                raise FactUnavailable(
                    Status.ERROR,
                    f"the principal {given} is in account {arn.account}, but the operator's "
                    f"credentials are for account {operator_account}, so its policies can't be "
                    "read or simulated",
                    f"Run cognito-doctor with credentials for account {arn.account} "
                    "(--profile NAME).",
                ) from None
            return principal(
                given,
                kind,
                parsed.name,
                problem=f"there is no IAM {kind} named {parsed.name} in account {arn.account} "
                f"({given}, from {source})",
                fix=f"Check the name in IAM → {'Roles' if kind == 'role' else 'Users'}, then "
                f"pass its ARN exactly (--principal-arn).",
            )
        if parsed.kind == "assumed-role":
            raise FactUnavailable(
                Status.ERROR,
                f"{given} (from {source}) is an assumed-role session of role {parsed.name}; "
                f"finding the role's real ARN (roles can have a path the session ARN omits) "
                f"needs iam:GetRole: {_explain(exc, action)}",
                f"Grant the operator iam:GetRole on "
                f"arn:{arn.partition}:iam::{arn.account}:role/*{parsed.name}, or pass the "
                f"role's ARN (IAM → Roles → {parsed.name} → ARN) with --principal-arn.",
            ) from None
        # A user/role ARN can be simulated as given; only its path is unverified.
        return principal(
            given,
            kind,
            parsed.name,
            notes=(f"the ARN was not verified ({_explain(exc, action)})",),
        )
    real = str(entity["Arn"])
    boundary = (entity.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    notes: list[str] = []
    if parsed.kind == "assumed-role":
        notes.append(
            f"{given} is a session of role {parsed.name}; iam:GetRole gives the role's ARN {real}"
        )
    elif real != given:
        notes.append(f"{given} is {real} in IAM (the path differs); checking {real}")
    real_arn = Arn.parse(real)
    if real_arn is not None and real_arn.account != arn.account:
        raise FactUnavailable(
            Status.ERROR,
            f"the principal {given} is in account {arn.account}, but the operator's credentials "
            f"are for account {real_arn.account}",
            f"Run cognito-doctor with credentials for account {arn.account} (--profile NAME).",
        )
    return principal(
        real,
        kind,
        parsed.name,
        notes=tuple(notes),
        permissions_boundary=str(boundary) if boundary else None,
    )


class _ReadError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _document(raw: Any) -> Mapping[str, Any]:
    """A policy document from boto3 (already decoded) or as URL-encoded JSON text."""
    if isinstance(raw, Mapping):
        return raw
    text = str(raw)
    try:
        loaded = json.loads(text)
    except ValueError:
        loaded = json.loads(unquote(text))
    return loaded if isinstance(loaded, Mapping) else {}


def _call(iam: Any, action: str, method: str, **params: Any) -> Any:
    try:
        return getattr(iam, method)(**params)
    except Exception as exc:
        if not _aws_error(exc):
            raise
        raise _ReadError(_explain(exc, action)) from None


def _paginate(iam: Any, action: str, method: str, key: str, **params: Any) -> list[Any]:
    items: list[Any] = []
    try:
        for page in iam.get_paginator(method).paginate(**params):
            items.extend(page.get(key, []))
    except Exception as exc:
        if not _aws_error(exc):
            raise
        raise _ReadError(_explain(exc, action)) from None
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
        "inline", owner_type, owner, str(policy_name), _document(response["PolicyDocument"])
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
        "managed", owner_type, owner, str(item["PolicyName"]), _document(version["Document"]), arn
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


def _skip_for(principal: Principal) -> FactUnavailable:
    return FactUnavailable(Status.SKIP, f"{principal.problem} (see iam.principal)")


@fact("iam_policies", needs=["iam_principal", "pool_ref"], network=True)
def iam_policies(ctx: CheckContext, iam_principal: Principal, pool_ref: PoolRef) -> PolicySet:
    """The principal's identity policies, read with the operator's credentials."""
    if iam_principal.problem:
        raise _skip_for(iam_principal)
    needed = USER_READ_PERMISSIONS if iam_principal.kind == "user" else ROLE_READ_PERMISSIONS
    iam = ctx.aws.operator("iam", pool_ref.region)
    try:
        sources = _read_policies(iam, iam_principal)
    except _ReadError as exc:
        return PolicySet(iam_principal, (), exc.message, needed)
    return PolicySet(iam_principal, tuple(sources), None, needed)


def _matched(raw: Iterable[Mapping[str, Any]]) -> tuple[MatchedStatement, ...]:
    return tuple(
        MatchedStatement(
            str(item.get("SourcePolicyId", "")),
            item.get("SourcePolicyType"),
            (item.get("StartPosition") or {}).get("Line"),
        )
        for item in raw
    )


def decision_from_result(result: Mapping[str, Any], resource: str) -> Decision:
    """A Decision from one SimulatePrincipalPolicy EvaluationResult, preferring the entry in
    ResourceSpecificResults for `resource` over the top-level fields."""
    specific = next(
        (
            r
            for r in result.get("ResourceSpecificResults") or []
            if r.get("EvalResourceName") == resource
        ),
        None,
    )
    source: Mapping[str, Any] = result
    decision = str(result.get("EvalDecision", "implicitDeny"))
    if specific is not None:
        source = specific
        decision = str(specific.get("EvalResourceDecision", decision))
    boundary = source.get("PermissionsBoundaryDecisionDetail") or result.get(
        "PermissionsBoundaryDecisionDetail"
    )
    organizations = result.get("OrganizationsDecisionDetail")
    missing = list(source.get("MissingContextValues") or [])
    if specific is not None:
        missing += [k for k in result.get("MissingContextValues") or [] if k not in missing]
    return Decision(
        str(result.get("EvalActionName", "")),
        decision,
        _matched(source.get("MatchedStatements") or result.get("MatchedStatements") or []),
        tuple(str(k) for k in missing),
        organizations.get("AllowedByOrganizations") if organizations else None,
        boundary.get("AllowedByPermissionsBoundary") if boundary else None,
    )


def simulate(iam: Any, principal_arn: str, actions: Sequence[str], resource: str) -> list[Decision]:
    """iam:SimulatePrincipalPolicy for `actions` on `resource`, following IsTruncated/Marker."""
    decisions: list[Decision] = []
    marker: str | None = None
    for _ in range(MAX_SIMULATION_PAGES):
        params: dict[str, Any] = {
            "PolicySourceArn": principal_arn,
            "ActionNames": list(actions),
            "ResourceArns": [resource],
        }
        if marker:
            params["Marker"] = marker
        response = iam.simulate_principal_policy(**params)
        decisions += [
            decision_from_result(r, resource) for r in response.get("EvaluationResults", [])
        ]
        marker = response.get("Marker")
        if not response.get("IsTruncated") or not marker:
            break
    return decisions


def local_decisions(
    sources: Sequence[PolicySource], actions: Iterable[str], resource: str
) -> dict[str, Decision]:
    decisions = {}
    for action in actions:
        local = evaluate_locally(sources, action, resource)
        matched = tuple(
            MatchedStatement(ref.source.name, ref.source.kind, None, ref) for ref in local.matched
        )
        decisions[action] = Decision(action, local.decision, matched, local.missing_context)
    return decisions


# What an endpoint that has no iam:SimulatePrincipalPolicy answers (an emulator, a proxy).
NOT_IMPLEMENTED = frozenset(
    {"InvalidAction", "NotImplemented", "UnknownOperationException", "UnsupportedOperation"}
)


@dataclass(frozen=True)
class SimulationCall:
    """iam:SimulatePrincipalPolicy's decisions on the pool, or why it could not be called."""

    pool: Arn
    decisions: Mapping[str, Decision] | None
    problem: str | None = None
    code: str | None = None
    fix: str = ""
    # True when the operator may not (or the endpoint cannot) simulate: then the policies are
    # evaluated locally. Any other failure (throttling, a 5xx, the network) is an error.
    refused: bool = False


def _pool_of(principal: Principal, pool_ref: PoolRef) -> Arn:
    return Arn(
        principal.partition,
        "cognito-idp",
        pool_ref.region,
        principal.account,
        f"userpool/{pool_ref.pool_id}",
    )


@fact("iam_simulation_call", needs=["iam_principal", "pool_ref"], network=True)
def iam_simulation_call(
    ctx: CheckContext, iam_principal: Principal, pool_ref: PoolRef
) -> SimulationCall:
    """iam:SimulatePrincipalPolicy for the required and risky actions on the pool's ARN (made
    while the principal's policies are read, not after)."""
    if iam_principal.problem:
        raise _skip_for(iam_principal)
    pool = _pool_of(iam_principal, pool_ref)
    actions = (*REQUIRED_ACTIONS, *RISKY_ACTIONS)
    iam = ctx.aws.operator("iam", pool_ref.region)
    try:
        found = {d.action: d for d in simulate(iam, iam_principal.arn, actions, str(pool))}
    except Exception as exc:
        if not _aws_error(exc):
            raise
        from cognito_doctor.aws import ACCESS_DENIED, explain

        message, fix = explain(exc, action="iam:SimulatePrincipalPolicy")
        code = _code(exc)
        refused = code in ACCESS_DENIED or code in NOT_IMPLEMENTED
        return SimulationCall(pool, None, message, code, fix, refused)
    return SimulationCall(pool, found)


@fact("iam_simulation", needs=["iam_principal", "iam_policies", "iam_simulation_call"])
def iam_simulation(
    ctx: CheckContext,
    iam_principal: Principal,
    iam_policies: PolicySet,
    iam_simulation_call: SimulationCall,
) -> Simulation:
    """The required and risky actions' verdicts on the pool's ARN: the simulator's, or,
    when the operator may not call iam:SimulatePrincipalPolicy, evaluated locally from the
    identity policies."""
    principal = iam_principal
    call = iam_simulation_call
    pool = call.pool
    actions = (*REQUIRED_ACTIONS, *RISKY_ACTIONS)
    if call.decisions is None:
        reason = call.problem or "iam:SimulatePrincipalPolicy failed"
        if call.code == "NoSuchEntity":
            raise FactUnavailable(
                Status.ERROR,
                f"iam:SimulatePrincipalPolicy does not know the principal {principal.arn}",
                "Pass the principal's exact ARN, path included (--principal-arn).",
            )
        if not call.refused:
            raise FactUnavailable(Status.ERROR, reason, call.fix)
        if not iam_policies.complete:
            permissions = ", ".join(iam_policies.needed)
            raise FactUnavailable(
                Status.ERROR,
                f"{reason}, and {iam_policies.problem}: the operator can neither simulate nor "
                f"read the {principal.label}'s policies",
                f"Grant the operator iam:SimulatePrincipalPolicy on {principal.arn} (best: it "
                f"also sees SCPs and boundaries), or, to evaluate locally, {permissions}; "
                "or run with --profile NAME for credentials that have them.",
            )
        decisions = local_decisions(iam_policies.sources, actions, str(pool))
        return Simulation(principal, pool, "local", decisions, iam_policies, reason)
    found = call.decisions
    missing = [a for a in REQUIRED_ACTIONS if a not in found]
    if missing:
        raise FactUnavailable(
            Status.ERROR,
            f"iam:SimulatePrincipalPolicy returned no result for {', '.join(missing)}",
            "Run again; if it persists, run with -v and report it.",
        )
    return Simulation(principal, pool, "simulation", found, iam_policies)


# The Admin calls that answer UserNotFoundException before doing anything, so they prove the
# permission without changing anything. AdminCreateUser would create the user: never probed.
PROBE_CALLS: tuple[tuple[str, str], ...] = (
    ("cognito-idp:AdminGetUser", "admin_get_user"),
    ("cognito-idp:AdminDisableUser", "admin_disable_user"),
    ("cognito-idp:AdminEnableUser", "admin_enable_user"),
    ("cognito-idp:AdminDeleteUser", "admin_delete_user"),
    ("cognito-idp:AdminResetUserPassword", "admin_reset_user_password"),
)


@fact("iam_probe", needs=["env_files", "pool_ref"], network=True)
def iam_probe(ctx: CheckContext, env_files: EnvFiles, pool_ref: PoolRef) -> Probe:
    """With --probe only: the read-only Admin* calls, made with the service's own keys for a
    username that cannot exist (UserNotFoundException = allowed)."""
    if not ctx.config.probe:
        return Probe(requested=False)
    keys = _service_keys(env_files)
    if keys is None:
        return Probe(
            requested=True,
            problem=f"--probe needs the service's own keys, and {UM_ENV} has none (a role's "
            "credentials exist only where the service runs)",
        )
    from cognito_doctor.aws import ACCESS_DENIED

    idp = ctx.aws.service("cognito-idp", pool_ref.region, keys)
    username = f"cognito-doctor-probe-{uuid.uuid4().hex}"
    calls = []
    for action, method in PROBE_CALLS:
        try:
            getattr(idp, method)(UserPoolId=pool_ref.pool_id, Username=username)
            calls.append(ProbeCall(action, "allowed", None))
        except Exception as exc:
            if not _aws_error(exc):
                raise
            code = _code(exc)
            if code == "UserNotFoundException":
                calls.append(ProbeCall(action, "allowed", code))
            elif code in ACCESS_DENIED and code != "403":
                calls.append(ProbeCall(action, "denied", code))
            elif _http_status(exc) == 403:
                # A bare 403 whose body isn't the JSON error the SDK expects (an XML error page
                # from a proxy or an emulator): still a refusal.
                calls.append(ProbeCall(action, "denied", "AccessDenied (HTTP 403)"))
            else:
                calls.append(ProbeCall(action, "inconclusive", code or type(exc).__name__))
    return Probe(True, tuple(calls), None, username)


@fact("policy_file")
def policy_file(ctx: CheckContext) -> PolicyFile:
    """The JSON policy given with --policy-file, read and parsed (offline)."""
    path = ctx.config.policy_file
    if path is None:
        raise FactUnavailable(
            Status.SKIP,
            "no --policy-file given (run with --policy-file PATH to check a policy file "
            "offline, before you paste it)",
        )
    return read_policy_file(path, ctx.config.root)


def env_pool(ctx: CheckContext, env_files: EnvFiles) -> tuple[str | None, str | None]:
    """(pool id, region) as the `.env` files name them, for offline comparisons."""
    pool_id = first_value(env_files, "COGNITO_USER_POOL_ID")
    region = ctx.config.region or first_value(env_files, "COGNITO_REGION")
    if region is None and pool_id and "_" in pool_id:
        region = pool_id.split("_", 1)[0]
    if region is not None and not is_region(region):
        region = None
    return pool_id, region


__all__ = [
    "REQUIRED_ACTIONS",
    "RISKY_ACTIONS",
    "Arn",
    "Decision",
    "Denial",
    "PolicyFile",
    "PolicySet",
    "PolicySource",
    "Principal",
    "Probe",
    "Simulation",
    "StatementRef",
    "compare_resource",
    "corrected_statement",
    "evaluate_locally",
    "explain_denial",
    "json_lines",
    "parse_principal",
    "pool_arn",
]
