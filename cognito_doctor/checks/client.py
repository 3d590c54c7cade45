"""Checks of the app client services/auth accepts tokens for (COGNITO_APP_CLIENT_ID)."""

from __future__ import annotations

from typing import Any

from cognito_doctor.checks.changes import client_change, env_change
from cognito_doctor.checks.client_values import (
    REQUIRED_FLOWS,
    another_apps_client,
    create_client_command,
    describe,
    is_expected_client,
    not_ours,
    runbook_like,
)
from cognito_doctor.engine.model import Outcome, failed, passed, skipped, warned
from cognito_doctor.engine.registry import check
from cognito_doctor.facts.records import ClientLookup
from cognito_doctor.platform.awscli import (
    RESET_WARNING,
    AwsTarget,
    aws_command,
    cli_input_command,
    newer_cli_note,
    update_user_pool_client_input,
)
from cognito_doctor.platform.envfiles import EnvFile
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import PoolRef

# Legacy ExplicitAuthFlows values and the ALLOW_ names that replaced them (AWS rejects a list
# that mixes the two kinds).
LEGACY_FLOWS = {
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH",
}
# ExplicitAuthFlows in botocore's model: ALLOW_USER_AUTH "covers username-password, secure
# remote password (SRP), passwordless, and passkey authentication" (Essentials tier or up).
SRP_FLOWS = {
    "ALLOW_USER_SRP_AUTH": "enables SRP sign-in",
    "ALLOW_USER_AUTH": "enables choice-based sign-in (USER_AUTH: passwords, SRP, passwordless "
    "codes and passkeys; Essentials tier or higher)",
}
# What Cognito allows when a client has no ExplicitAuthFlows (AWS API reference).
DEFAULT_FLOWS = ("ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH")


@check(
    "client.exists", title="COGNITO_APP_CLIENT_ID is an app client of the pool", severity="error"
)
def client_exists(auth_env: EnvFile, client_lookup: ClientLookup, settings: RunConfig) -> Outcome:
    """
    ## What it checks
    That `COGNITO_APP_CLIENT_ID` in `services/auth/.env` is an app client of the pool in
    `COGNITO_USER_POOL_ID` (DescribeUserPoolClient). If it is not, the pool's clients are
    listed by name and id, and the one named like the runbook's `clinical-platform` is
    pointed at with the exact line to put in the file.

    ## Why it matters
    services/auth accepts a token only if its `aud` (ID token) or `client_id` (access token)
    equals this value. An id from another pool, a deleted client or a typo rejects every token
    Cognito mints, with an error that only says the audience is wrong (runbook: Things that
    bite).

    ## How to fix
    Copy the App client ID from Cognito → User pools → your pool → App integration → App
    clients and analytics (the `clinical-platform` client) into `COGNITO_APP_CLIENT_ID` in
    `services/auth/.env`, then restart auth. If the pool has no such client, create it as the
    runbook's step 1 says (confidential, ALLOW_ADMIN_USER_PASSWORD_AUTH and
    ALLOW_REFRESH_TOKEN_AUTH).
    """
    wanted = settings.expect.app_client_name
    ref = client_lookup.ref
    where = auth_env.location("COGNITO_APP_CLIENT_ID")
    if (client := client_lookup.client) is not None:
        if not is_expected_client(client, wanted):
            return another_apps_client(client, client_lookup, auth_env, settings)
        return passed(
            f"COGNITO_APP_CLIENT_ID={ref.app_client_id} is the app client {describe(client)} "
            f"of pool {ref.pool_id}",
            client_id=ref.app_client_id,
            client_name=client.get("ClientName"),
        )
    not_found = (
        f"COGNITO_APP_CLIENT_ID={ref.app_client_id} is not an app client of pool {ref.pool_id}"
    )
    restart = "then restart auth."
    console = f"Cognito → User pools → {ref.pool_id} → App integration → App clients and analytics"
    if client_lookup.list_problem is not None:
        return failed(
            f"{not_found}, and the pool's clients could not be listed: "
            f"{client_lookup.list_problem}",
            f"Copy the id of the {wanted} client from {console} into "
            f"COGNITO_APP_CLIENT_ID in {auth_env.label}, {restart} (With "
            "cognito-idp:ListUserPoolClients, cognito-doctor names the client for you.)",
            location=where,
            list_problem=client_lookup.list_problem,
        )
    clients = list(client_lookup.other_clients)
    create = create_client_command(AwsTarget.of(settings), ref.region, ref.pool_id, wanted)
    if not clients:
        return failed(
            f"{not_found}; the pool has no app clients at all",
            f"Create the runbook's confidential {wanted} client:\n  {create}\n"
            f"then put the ClientId it prints into {auth_env.label} as "
            "COGNITO_APP_CLIENT_ID=<ClientId>, "
            f"{restart}",
            fix_command=create,
            location=where,
            clients=[],
        )
    listing = ", ".join(describe(c) for c in clients)
    evidence: dict[str, Any] = {
        "clients": [{"name": c.get("ClientName"), "id": c.get("ClientId")} for c in clients]
    }
    candidates = runbook_like(clients, wanted)
    if len(candidates) == 1:
        best = candidates[0]
        return failed(
            f"{not_found}. The pool's clients: {listing}. The runbook's client is {describe(best)}",
            f"In {auth_env.label}, set\n  COGNITO_APP_CLIENT_ID={best.get('ClientId')}\n{restart}",
            location=where,
            change=env_change((auth_env.label,), COGNITO_APP_CLIENT_ID=str(best.get("ClientId"))),
            suggested_client_id=best.get("ClientId"),
            **evidence,
        )
    if candidates:
        lines = "\n".join(
            f"  COGNITO_APP_CLIENT_ID={c.get('ClientId')}   # {c.get('ClientName')}"
            for c in candidates
        )
        return failed(
            f"{not_found}. The pool's clients: {listing}. {len(candidates)} are named like "
            f"{wanted}",
            f"In {auth_env.label}, set COGNITO_APP_CLIENT_ID to the client whose tokens "
            "services/auth "
            f"receives (the confidential one with ALLOW_ADMIN_USER_PASSWORD_AUTH), one of:\n"
            f"{lines}\n{restart}",
            location=where,
            **evidence,
        )
    return failed(
        f"{not_found}. The pool's clients: {listing}; none is named like {wanted}",
        f"In {auth_env.label}, set COGNITO_APP_CLIENT_ID=<id> to the listed client whose tokens "
        f"services/auth receives, or create the runbook's client:\n  {create}\nand use the "
        f"ClientId it prints; {restart}",
        fix_command=create,
        location=where,
        **evidence,
    )


@check("client.secret", title="The app client is confidential (has a secret)", severity="error")
def client_secret(app_client: dict[str, Any], pool_ref: PoolRef, settings: RunConfig) -> Outcome:
    """
    ## What it checks
    That the app client in `COGNITO_APP_CLIENT_ID` is a confidential client: it has a client
    secret, returned as `ClientSecret` or, when Cognito keeps it in AWS Secrets Manager, as
    `ClientSecretArn` (no secret in the answer). The secret itself is never shown.

    ## Why it matters
    The runbook creates a confidential client (App type: Confidential client). A public
    client's id is in every token it issues, so anyone can present it; with a secret, only a
    server that holds the secret can use the client for the token-exchange grant. botocore's
    model (UserPoolClientType.ClientSecretArn): Cognito "returns this ARN instead of
    ClientSecret for app clients whose secret it manages in Secrets Manager", which the
    console turns on for new clients with a generated secret
    (CreateUserPoolClientRequest.PublishSecretsInAWSSecretsManager), and rotates it every 7
    days by default.

    ## How to fix
    A public client can't become confidential: AddUserPoolClientSecret adds a secret (up to
    two, for rotation) only to a client that is already confidential (botocore's model,
    AddUserPoolClientSecret). Create a new confidential client with the runbook's settings
    (`aws cognito-idp create-user-pool-client --generate-secret …`, printed with this pool's
    id by the check), put its ClientId into `COGNITO_APP_CLIENT_ID` in `services/auth/.env`,
    keep its secret in your secret store, restart auth, and delete the old public client
    once nothing uses it.
    """
    if not is_expected_client(app_client, settings.expect.app_client_name):
        return skipped(not_ours(app_client, settings))
    described = describe(app_client)
    if app_client.get("ClientSecret"):
        return passed(
            f"app client {described} is confidential: it has a client secret",
            client_id=app_client.get("ClientId"),
            has_secret=True,
        )
    if app_client.get("ClientSecretArn"):
        return passed(
            f"app client {described} is confidential: Cognito keeps its secret in AWS Secrets "
            f"Manager ({app_client['ClientSecretArn']}) and rotates it, every 7 days by "
            "default; whatever uses the secret must read it from there (clientSecretValue)",
            client_id=app_client.get("ClientId"),
            has_secret=True,
            secret_in_secrets_manager=True,
        )
    region, pool_id = pool_ref.region, pool_ref.pool_id
    target = AwsTarget.of(settings)
    create = create_client_command(target, region, pool_id, settings.expect.app_client_name)
    delete = aws_command(
        target,
        "cognito-idp",
        "delete-user-pool-client",
        region,
        user_pool_id=pool_id,
        client_id=str(app_client.get("ClientId")),
    )
    return failed(
        f"app client {described} is public: it has no client secret, but the runbook's "
        "client is confidential",
        "A public client can't become confidential (AddUserPoolClientSecret adds secrets only "
        "to a confidential client), so create a new confidential "
        f"client with the runbook's settings:\n  {create}\n"
        f"It prints the new ClientId and ClientSecret. Set COGNITO_APP_CLIENT_ID=<new ClientId> "
        f"in {settings.auth_env_path}, keep the ClientSecret in your secret store (never in the "
        "repository), "
        "and restart auth. Once nothing uses the old public client, delete it:\n"
        f"  {delete}",
        fix_command=create,
        client_id=app_client.get("ClientId"),
        has_secret=False,
    )


@check(
    "client.auth-flows",
    title="The app client allows the admin password and refresh flows",
    severity="error",
)
def client_auth_flows(
    app_client: dict[str, Any], pool_ref: PoolRef, settings: RunConfig
) -> Outcome:
    """
    ## What it checks
    That the app client's ExplicitAuthFlows has ALLOW_ADMIN_USER_PASSWORD_AUTH and
    ALLOW_REFRESH_TOKEN_AUTH (missing: fail). SRP is a warning: ALLOW_USER_SRP_AUTH, or
    ALLOW_USER_AUTH, which also permits SRP. Legacy names (ADMIN_NO_SRP_AUTH,
    USER_PASSWORD_AUTH, CUSTOM_AUTH_FLOW_ONLY) are a warning naming their ALLOW_ replacement;
    ADMIN_NO_SRP_AUTH counts as the admin flow, and a client with only legacy names always
    allows refresh (the behaviour before the ALLOW_ names existed). A client without
    ExplicitAuthFlows gets Cognito's default (ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH,
    ALLOW_CUSTOM_AUTH).

    ## Why it matters
    services/auth's token-exchange grant signs users in server-side with
    ADMIN_USER_PASSWORD_AUTH and renews their tokens with the refresh token: without either
    flow, sign-in or renewal is refused. The runbook leaves SRP off unless a downstream
    consumer needs it, so each enabled flow is one that is actually used.

    ## How to fix
    Cognito → User pools → your pool → App integration → App clients → the client → Edit →
    Authentication flows: tick ALLOW_ADMIN_USER_PASSWORD_AUTH and ALLOW_REFRESH_TOKEN_AUTH,
    untick SRP unless needed. Or run the `aws cognito-idp update-user-pool-client` command the
    check prints: it carries every current setting of the client, because that call resets
    whatever it is not given.
    """
    if not is_expected_client(app_client, settings.expect.app_client_name):
        return skipped(not_ours(app_client, settings))
    raw = app_client.get("ExplicitAuthFlows")
    defaulted = raw is None
    flows: list[str] = list(DEFAULT_FLOWS) if raw is None else [str(f) for f in raw]
    shown = ", ".join(flows) or "none"
    if defaulted:
        shown = f"not set, so Cognito's default applies ({shown})"
    legacy = [f for f in flows if f in LEGACY_FLOWS]
    only_legacy = bool(legacy) and not any(f.startswith("ALLOW_") for f in flows)
    has = {
        "ALLOW_ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH" in flows
        or "ADMIN_NO_SRP_AUTH" in flows,
        "ALLOW_REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH" in flows or only_legacy,
    }
    missing = [flow for flow in REQUIRED_FLOWS if not has[flow]]
    srp = [f for f in flows if f in SRP_FLOWS]

    problems: list[str] = []
    if "ALLOW_ADMIN_USER_PASSWORD_AUTH" in missing:
        problems.append(
            "ALLOW_ADMIN_USER_PASSWORD_AUTH is missing: the token-exchange grant's server-side "
            "sign-in (ADMIN_USER_PASSWORD_AUTH) is refused"
        )
    if "ALLOW_REFRESH_TOKEN_AUTH" in missing:
        problems.append(
            "ALLOW_REFRESH_TOKEN_AUTH is missing: tokens cannot be refreshed, so every session "
            "ends when its access token expires"
        )
    problems += [
        f"{flow} is a legacy name: its replacement is {LEGACY_FLOWS[flow]} (AWS does not "
        "accept legacy and ALLOW_ names together)"
        for flow in legacy
    ]
    problems += [
        f"{flow} {SRP_FLOWS[flow]}, which the runbook leaves off unless a downstream consumer "
        "needs it"
        for flow in srp
    ]
    evidence: dict[str, Any] = {"explicit_auth_flows": flows, "defaulted": defaulted}
    described = describe(app_client)
    if not problems:
        return passed(f"app client {described}: ExplicitAuthFlows {shown}", **evidence)

    # The runbook's two flows first, then the client's others (renamed, without SRP).
    target: list[str] = list(REQUIRED_FLOWS)
    for flow in flows:
        renamed = LEGACY_FLOWS.get(flow, flow)
        if renamed not in SRP_FLOWS and renamed not in target:
            target.append(renamed)
    params = update_user_pool_client_input(app_client, {"ExplicitAuthFlows": target})
    command = cli_input_command(
        AwsTarget.of(settings), "cognito-idp", "update-user-pool-client", pool_ref.region, params
    )
    srp_note = (
        f" It turns off {' and '.join(srp)}; if a downstream consumer needs SRP, add it back "
        "to ExplicitAuthFlows in the JSON before running it (the check will then warn)."
        if srp
        else ""
    )
    fix = (
        f"Set the client's ExplicitAuthFlows to {', '.join(target)} (Cognito → User pools → "
        f"{pool_ref.pool_id} → App integration → App clients → {app_client.get('ClientName')} "
        f"→ Edit → Authentication flows), or run:\n  {command}\n"
        + RESET_WARNING.format(what="user-pool-client")
        + srp_note
        + (f" {note}" if (note := newer_cli_note(params)) else "")
    )
    message = f"app client {described}: ExplicitAuthFlows {shown}. " + "; ".join(problems)
    change = client_change(str(app_client.get("ClientId")), ExplicitAuthFlows=target)
    if missing:
        return failed(message, fix, fix_command=command, change=change, missing=missing, **evidence)
    return warned(message, fix, fix_command=command, change=change, **evidence)
