"""The opt-in probe: the six calls made with the service's own keys on a user that does not
exist."""

from __future__ import annotations

from dataclasses import dataclass

from cognito_doctor.iam.kinds import ProbeResult


@dataclass(frozen=True)
class ProbeCall:
    """One real Admin* call made with the service's keys for a username that cannot exist."""

    action: str
    result: ProbeResult
    code: str | None = None


@dataclass(frozen=True)
class Probe:
    """The --probe calls (none unless --probe was given)."""

    requested: bool
    calls: tuple[ProbeCall, ...] = ()
    problem: str | None = None
    username: str = ""

    def result(self, action: str) -> ProbeCall | None:
        """The call made for `action`, if any."""
        return next((c for c in self.calls if c.action == action), None)

    def with_result(self, result: ProbeResult) -> list[ProbeCall]:
        """The calls whose result was `result`, in the order they were made."""
        return [c for c in self.calls if c.result is result]


# The Admin calls that answer UserNotFoundException before doing anything, so they prove the
# permission without changing anything. AdminCreateUser would create the user: never probed.
PROBE_CALLS: tuple[tuple[str, str], ...] = (
    ("cognito-idp:AdminGetUser", "admin_get_user"),
    ("cognito-idp:AdminDisableUser", "admin_disable_user"),
    ("cognito-idp:AdminEnableUser", "admin_enable_user"),
    ("cognito-idp:AdminDeleteUser", "admin_delete_user"),
    ("cognito-idp:AdminResetUserPassword", "admin_reset_user_password"),
)
