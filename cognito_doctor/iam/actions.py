"""The Cognito actions the iam checks are about: the six services/user-management needs
(runbook step 2), and the ones it never needs that do harm in the wrong hands."""

from __future__ import annotations

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
