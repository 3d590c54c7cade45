"""Checks of how users are invited and sign in (DescribeUserPool, no writes): how Cognito sends
its emails, the invitation template, and whether usernames are case-sensitive.

Registered with the pool.* checks of :mod:`cognito_doctor.checks.pool`, which imports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cognito_doctor.checks import pool_fixes as fixes
from cognito_doctor.checks import pool_values as values
from cognito_doctor.checks.changes import pool_change
from cognito_doctor.checks.pool_new import new_pool_fix
from cognito_doctor.engine.model import Outcome, failed, passed, warned
from cognito_doctor.engine.registry import check
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import PoolRef

# The placeholder for the temporary password, without which Cognito sends no invitation.
PASSWORD_PLACEHOLDER = "{####}"


@check(
    "pool.email-sending",
    title="Emails are sent in a way that fits the environment",
    severity="error",
)
def email_sending(user_pool: dict[str, Any], pool_ref: PoolRef, settings: RunConfig) -> Outcome:
    """
    ## What it checks
    How Cognito sends its emails (`EmailConfiguration`). dev: Cognito's default sender
    (`COGNITO_DEFAULT`) is a warning; prod: it must be `DEVELOPER` (Amazon SES) with a
    `SourceArn` naming the verified SES identity. `DEVELOPER` without a `SourceArn` fails
    in both.

    ## Why it matters
    Every invitation and password reset is an email. Cognito's default sender allows about
    50 emails a day for the whole account, and its address, no-reply@verificationemail.com,
    lands in junk for some providers: the runbook's "promote succeeds but no email arrives".
    Prod needs SES with a verified domain, moved out of the SES sandbox.

    ## How to fix
    Verify your domain in Amazon SES (and request production access), then Cognito → User
    pools → your pool → Authentication methods → Email → Edit → Send email with Amazon SES
    and pick the identity; or run the printed `update-user-pool` command after putting your
    verified domain in place of `<your-verified-domain>`.
    """
    config = dict(user_pool.get("EmailConfiguration") or {})
    account = str(config.get("EmailSendingAccount") or "COGNITO_DEFAULT")
    source_arn = config.get("SourceArn")
    evidence: dict[str, Any] = {
        "email_sending_account": account,
        "source_arn": source_arn,
        "from": config.get("From"),
    }
    if account == "DEVELOPER" and source_arn:
        sender = f" as {config['From']}" if config.get("From") else ""
        return passed(f"emails go through Amazon SES identity {source_arn}{sender}", **evidence)
    expected = settings.expect.email_sending
    if expected == "COGNITO_DEFAULT" and account == "COGNITO_DEFAULT":
        return passed(
            f"Cognito's default sender, as the config file expects for {settings.name}",
            **evidence,
        )
    fix = fixes.ses_fix(pool_ref, user_pool, settings)
    ses_required = settings.prod or expected == "DEVELOPER"
    problem = values.sending_problem(account, settings.name, ses_required=ses_required)
    if account == "DEVELOPER" or ses_required:
        return failed(problem, fix, **evidence)
    return warned(problem, fix, **evidence)


@check(
    "pool.invitation-template",
    title="The invitation email carries the temporary password ({####})",
    severity="error",
)
def invitation_template(
    user_pool: dict[str, Any], pool_ref: PoolRef, settings: RunConfig
) -> Outcome:
    """
    ## What it checks
    That a custom invitation email (`AdminCreateUserConfig.InviteMessageTemplate.
    EmailMessage`) contains the temporary-password placeholder `{####}`. No custom template
    (Cognito's default invitation, which has it) passes.

    ## Why it matters
    AdminCreateUser's documentation (botocore's model): "If your template doesn't have this
    placeholder, Amazon Cognito doesn't deliver the invitation message." Every promote then
    succeeds and nobody gets an email, with no error anywhere. Invited users need the new
    template and a resent invitation (AdminCreateUser with MessageAction RESEND). A custom
    email template is allowed only with EmailSendingAccount DEVELOPER
    (MessageTemplateType.EmailMessage).

    ## How to fix
    Cognito → User pools → your pool → Messaging → Message templates → Invitation message →
    Edit: put `{####}` (and `{username}`) in the message; or run the printed
    `update-user-pool` command (it carries all current settings). Then resend the invitation
    to everyone invited since the template changed (`cognito-doctor user EMAIL` prints it).
    """
    template = (user_pool.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
    message = template.get("EmailMessage")
    if not message:
        return passed("Cognito's default invitation email, which carries {####} and {username}")
    if PASSWORD_PLACEHOLDER in str(message):
        return passed("the custom invitation email carries the temporary password ({####})")
    return invitation_fix(pool_ref, user_pool, str(message), settings).failed(
        f"the custom invitation email (AdminCreateUserConfig.InviteMessageTemplate.EmailMessage "
        f"{str(message)[:120]!r}) has no {PASSWORD_PLACEHOLDER}: Cognito delivers no "
        "invitation at all, so promoted users never get an email",
        invite_email_message=message,
    )


@check(
    "pool.username-case",
    title="Usernames are case-insensitive (Ann@x.com is ann@x.com)",
    severity="warning",
)
def username_case(user_pool: dict[str, Any], pool_ref: PoolRef, settings: RunConfig) -> Outcome:
    """
    ## What it checks
    That `UsernameConfiguration.CaseSensitive` is false. True, or no UsernameConfiguration
    at all (the API's default is case-sensitive), warns.

    ## Why it matters
    In a case-sensitive pool, `Ann@x.com` and `ann@x.com` are two users: an invitation to
    one and a sign-in as the other fail as "user not found", and the same person can be
    invited twice. botocore's model (UsernameConfigurationType.CaseSensitive): true "is the
    default value"; AWS advises false "as a best practice". It can't change after the pool is
    created: it needs a new pool.

    ## How to fix
    Create a new pool (the console makes usernames case-insensitive; the printed
    `create-user-pool` command sets `CaseSensitive: false`), create the `clinical-platform`
    app client in it, point both `.env` files and the IAM policy at it, and re-invite the
    users.
    """
    configured = (user_pool.get("UsernameConfiguration") or {}).get("CaseSensitive")
    sensitive = True if configured is None else bool(configured)
    if not sensitive:
        return passed("usernames are case-insensitive (CaseSensitive=false)")
    fix = new_pool_fix(
        pool_ref,
        user_pool,
        settings=settings,
        why="Username case sensitivity",
        UsernameConfiguration={"CaseSensitive": False},
    )
    shown = "not set, so the API's default (true) applies" if configured is None else "true"
    return fix.warned(
        f"usernames are case-sensitive (UsernameConfiguration.CaseSensitive {shown}): "
        "Ann@x.com and ann@x.com are two different users, so a sign-in typed with other "
        "capitals finds no user",
        case_sensitive=configured,
    )


def invitation_fix(
    ref: PoolRef, pool: Mapping[str, Any], message: str, settings: RunConfig
) -> fixes.PoolFix:
    """The fix putting {####} and {username} into the invitation email."""
    admin_config = invitation_template_config(pool, message)
    built = fixes.update_fix(
        ref,
        pool,
        {"AdminCreateUserConfig": admin_config},
        fixes.console(
            pool,
            "Messaging",
            "Message templates",
            "Invitation message",
            "Edit",
            "put {####} (the temporary password) and {username} in the email message",
        ),
        settings,
        pool_change(ref.pool_id, AdminCreateUserConfig=admin_config),
        check_id="pool.invitation-template",
    )
    text = built.text
    sending = (pool.get("EmailConfiguration") or {}).get("EmailSendingAccount")
    if sending != "DEVELOPER":
        text += (
            " The pool sends with COGNITO_DEFAULT, where AWS allows no custom email message "
            "(MessageTemplateType.EmailMessage): the command goes back to Cognito's default "
            "invitation, which has both placeholders."
        )
    text += (
        " Then resend the invitation to everyone invited since the template changed "
        "(`cognito-doctor user EMAIL` prints the command)."
    )
    return fixes.PoolFix(text, built.command, built.change)


def invitation_template_config(pool: Mapping[str, Any], message: str) -> dict[str, Any]:
    """The current AdminCreateUserConfig with {####} and {username} added to the email."""
    admin_config = dict(fixes.current(pool, "AdminCreateUserConfig") or {})
    template = dict(admin_config.get("InviteMessageTemplate") or {})
    template["EmailMessage"] = (
        f"{message}\nYour username is {{username}} and temporary password is {{####}}."
    )
    admin_config["InviteMessageTemplate"] = template
    return admin_config
