"""The IAM facts: who the service runs as, what its identity policies say, and whether they let
it call the six Admin actions on the pool (runbook step 2).

- actions: the six actions the service needs, and the risky ones it must not have.
- arns: parsing ARNs, and comparing a policy's Resource with the pool's ARN part by part
  (partition, service, region, account, resource type, pool id), naming the part that differs.
- policies: identity policies and which action and resource each statement covers.
- evaluate: the local evaluator the product falls back on when the operator may not call
  iam:SimulatePrincipalPolicy: Allow / Deny, Action / NotAction, Resource / NotResource,
  `*` / `?` wildcards. Conditions are reported, never guessed: a statement with a Condition
  is treated as not applying and its keys are listed, as the simulator does for context values
  it is not given.
- Facts, one module each: principal (`iam_principal`), principal_policies (`iam_policies`),
  simulation (`iam_simulation_call`, `iam_simulation`), probe (`iam_probe`), policy_file
  (`policy_file`).
- The pieces the iam checks build their messages and fixes from: denials (why an action is
  denied) and fixes (corrected statements, `aws iam` commands).

Pure: nothing here calls AWS (the facts in cognito_doctor/facts/iam_*.py do, through `ctx.aws`).
"""

from __future__ import annotations

from cognito_doctor.iam.actions import REQUIRED_ACTIONS, RISKY_ACTIONS
from cognito_doctor.iam.arns import (
    Arn,
    compare_resource,
    parse_principal,
    placeholders_in,
    pool_arn,
)
from cognito_doctor.iam.denials import Denial, explain_denial
from cognito_doctor.iam.evaluate import LOCAL_BLIND_SPOTS, evaluate_locally
from cognito_doctor.iam.fixes import (
    corrected_statement,
    narrowed_statement,
    new_inline_policy_command,
    pretty_json,
    put_policy_command,
    runbook_policy,
    runbook_statement,
)
from cognito_doctor.iam.policies import (
    PolicySource,
    StatementRef,
    covers_action,
    covers_resource,
    element_values,
    granting_statements,
    is_deny,
)
from cognito_doctor.iam.policy_file import PolicyFile, json_lines
from cognito_doctor.iam.principal import USER_READ_PERMISSIONS, PolicySet, Principal
from cognito_doctor.iam.probe import PROBE_CALLS, Probe
from cognito_doctor.iam.simulation import (
    Decision,
    Simulation,
    decision_from_result,
    local_decisions,
)

# What checks/iam.py and the tests import from cognito_doctor.iam (and Decision and pool_arn,
# public before the split).
__all__ = [
    "LOCAL_BLIND_SPOTS",
    "PROBE_CALLS",
    "REQUIRED_ACTIONS",
    "RISKY_ACTIONS",
    "USER_READ_PERMISSIONS",
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
    "covers_action",
    "covers_resource",
    "decision_from_result",
    "element_values",
    "evaluate_locally",
    "explain_denial",
    "granting_statements",
    "is_deny",
    "json_lines",
    "local_decisions",
    "narrowed_statement",
    "new_inline_policy_command",
    "parse_principal",
    "placeholders_in",
    "pool_arn",
    "pretty_json",
    "put_policy_command",
    "runbook_policy",
    "runbook_statement",
]
