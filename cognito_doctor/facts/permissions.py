"""The AWS permissions the operator's identity needs for every check: each fact's operator
calls, as IAM actions, and the least-privilege read-only policy they add up to.

Each list names the calls the fact makes with `ctx.aws.operator(...)` (the service's own keys
are not the operator's: their calls are what the checks judge). The property tests run the
sandbox's setups and hold every request the operator signs against the fact that made it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cognito_doctor.iam.principal import ROLE_READ_PERMISSIONS, USER_READ_PERMISSIONS

_POLICY_READS = tuple(dict.fromkeys((*USER_READ_PERMISSIONS, *ROLE_READ_PERMISSIONS)))

OPERATOR_ACTIONS: dict[str, tuple[str, ...]] = {
    "pool_lookup": ("cognito-idp:DescribeUserPool", "cognito-idp:ListUserPools"),
    "client_lookup": ("cognito-idp:DescribeUserPoolClient", "cognito-idp:ListUserPoolClients"),
    # sts:GetCallerIdentity (the operator's account, in prod) needs no permission.
    "iam_principal": ("iam:GetUser", "iam:GetRole", "sts:GetCallerIdentity"),
    "iam_simulation_call": ("iam:SimulatePrincipalPolicy",),
    "iam_simulation": ("iam:SimulatePrincipalPolicy", *_POLICY_READS),
    "iam_policies": _POLICY_READS,
    "ses_identity": ("ses:GetIdentityVerificationAttributes",),
    "ses_account": ("ses:GetAccount",),
}

# "No permissions are required to perform this operation" (STS API reference,
# GetCallerIdentity); an explicit deny can't even block it.
NEEDS_NO_PERMISSION = frozenset({"sts:GetCallerIdentity"})

# The resource each action is scoped to (IAM's Service Authorization Reference: the resource
# types of each action); "*" where the action supports none.
_RESOURCES = {
    "cognito-idp:DescribeUserPool": "arn:aws:cognito-idp:*:*:userpool/*",
    "cognito-idp:DescribeUserPoolClient": "arn:aws:cognito-idp:*:*:userpool/*",
    "cognito-idp:ListUserPoolClients": "arn:aws:cognito-idp:*:*:userpool/*",
    "iam:GetUser": "arn:aws:iam::*:user/*",
    "iam:GetRole": "arn:aws:iam::*:role/*",
    "iam:SimulatePrincipalPolicy": "arn:aws:iam::*:user/*,arn:aws:iam::*:role/*",
    "iam:ListUserPolicies": "arn:aws:iam::*:user/*",
    "iam:GetUserPolicy": "arn:aws:iam::*:user/*",
    "iam:ListAttachedUserPolicies": "arn:aws:iam::*:user/*",
    "iam:ListGroupsForUser": "arn:aws:iam::*:user/*",
    "iam:ListGroupPolicies": "arn:aws:iam::*:group/*",
    "iam:GetGroupPolicy": "arn:aws:iam::*:group/*",
    "iam:ListAttachedGroupPolicies": "arn:aws:iam::*:group/*",
    "iam:ListRolePolicies": "arn:aws:iam::*:role/*",
    "iam:GetRolePolicy": "arn:aws:iam::*:role/*",
    "iam:ListAttachedRolePolicies": "arn:aws:iam::*:role/*",
    "iam:GetPolicy": "arn:aws:iam::*:policy/*",
    "iam:GetPolicyVersion": "arn:aws:iam::*:policy/*",
}


def operator_actions(facts: Iterable[str]) -> list[str]:
    """The IAM actions the operator needs for `facts`, sorted, without those that need none."""
    wanted = {a for name in facts for a in OPERATOR_ACTIONS.get(name, ())}
    return sorted(wanted - NEEDS_NO_PERMISSION)


def least_privilege_policy(facts: Iterable[str]) -> dict[str, Any]:
    """The read-only IAM policy document granting exactly the actions `facts` call, one
    statement per resource scope."""
    by_resource: dict[str, list[str]] = {}
    for action in operator_actions(facts):
        by_resource.setdefault(_RESOURCES.get(action, "*"), []).append(action)
    statements = []
    for number, (resources, actions) in enumerate(sorted(by_resource.items()), 1):
        listed = resources.split(",")
        statements.append(
            {
                "Sid": f"CognitoDoctorRead{number}",
                "Effect": "Allow",
                "Action": actions,
                "Resource": listed[0] if len(listed) == 1 else listed,
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}
