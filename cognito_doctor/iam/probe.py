"""The opt-in probe: the six calls made with the service's own keys on a user that does not
exist."""

from __future__ import annotations

from dataclasses import dataclass


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


# The Admin calls that answer UserNotFoundException before doing anything, so they prove the
# permission without changing anything. AdminCreateUser would create the user: never probed.
PROBE_CALLS: tuple[tuple[str, str], ...] = (
    ("cognito-idp:AdminGetUser", "admin_get_user"),
    ("cognito-idp:AdminDisableUser", "admin_disable_user"),
    ("cognito-idp:AdminEnableUser", "admin_enable_user"),
    ("cognito-idp:AdminDeleteUser", "admin_delete_user"),
    ("cognito-idp:AdminResetUserPassword", "admin_reset_user_password"),
)
