"""The closed vocabularies of the IAM logic, as StrEnums (their values are the words the
reports and the JSON evidence have always used, and the simulator's own decision names)."""

from __future__ import annotations

from enum import StrEnum


class EvalDecision(StrEnum):
    """A verdict for one action on one resource (iam:SimulatePrincipalPolicy's EvalDecision)."""

    ALLOWED = "allowed"
    IMPLICIT_DENY = "implicitDeny"
    EXPLICIT_DENY = "explicitDeny"

    @classmethod
    def parse(cls, text: str) -> EvalDecision:
        """The decision the simulator names (anything unknown counts as an implicit deny)."""
        try:
            return cls(text)
        except ValueError:
            return cls.IMPLICIT_DENY


class PolicyKind(StrEnum):
    """Where an identity policy lives: inside its owner, or as a managed policy attached."""

    INLINE = "inline"
    MANAGED = "managed"


class OwnerKind(StrEnum):
    """What an identity policy is attached to."""

    USER = "user"
    GROUP = "group"
    ROLE = "role"


class PrincipalKind(StrEnum):
    """What an identity ARN names (only users and roles can be checked)."""

    USER = "user"
    ROLE = "role"
    ASSUMED_ROLE = "assumed-role"
    FEDERATED_USER = "federated-user"
    GROUP = "group"
    ROOT = "root"
    UNKNOWN = "unknown"


class ProbeResult(StrEnum):
    """What one --probe call proved."""

    ALLOWED = "allowed"
    DENIED = "denied"
    INCONCLUSIVE = "inconclusive"


class Method(StrEnum):
    """How the verdicts were reached."""

    SIMULATION = "simulation"  # iam:SimulatePrincipalPolicy
    LOCAL = "local"  # the local evaluator over the identity policies


class DenialKind(StrEnum):
    """Why an action is denied on the pool."""

    EXPLICIT = "explicit"  # a Deny statement in an identity policy
    BOUNDARY = "boundary"  # the permissions boundary
    SCP = "scp"  # a service control policy (AWS Organizations)
    SESSION = "session"  # the session policy of temporary credentials
    CONDITION = "condition"  # a condition whose values are not known (context-dependent)
    CONDITION_UNMET = "condition-unmet"  # a condition known never to hold for the service
    RESOURCE = "resource"  # the Resource does not name the pool
    MISSING = "missing"  # no statement names the action
    NO_POLICIES = "no-policies"
    UNREADABLE = "unreadable"  # the operator could not read the policies
    UNEXPLAINED = "unexplained"


__all__ = [
    "DenialKind",
    "EvalDecision",
    "Method",
    "OwnerKind",
    "PolicyKind",
    "PrincipalKind",
    "ProbeResult",
]
