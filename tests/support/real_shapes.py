"""Answers shaped as real AWS gives them, for what moto answers differently or not at all.

Built from botocore's model (every member of DescribeUserPool's UserPoolType, of
DescribeUserPoolClient's UserPoolClientType, of AdminGetUser and GetUserPoolMfaConfig, and the
SES and SESv2 answers the email checks read) and from AWS's documented examples (the standard
attributes DescribeUserPool lists, the default messages). Each answer goes through botocore's
Stubber, which validates it against the operation's output shape, behind the product's
boundary (`AwsAccess.operator` returns `Client(stubbed client)`), and the tests run the CLI.
"""

from __future__ import annotations

import copy
import datetime
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import boto3
import pytest
from botocore.stub import StubAssertionError, Stubber

from cognito_doctor.aws.calls import Client
from cognito_doctor.aws.clients import AwsAccess

ACCOUNT = "111122223333"
REGION = "eu-west-2"
POOL_ID = "eu-west-2_R3alSh4pe"
POOL_ARN = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{POOL_ID}"
CLIENT_ID = "5r8tq2lmn3o4p5q6r7s8t9u0vw"
SECRET_ARN = (
    f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:cognito-idp/{POOL_ID}/{CLIENT_ID}-AbCdEf"
)
DOMAIN = "mail.clinic.example"
IDENTITY_ARN = f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{DOMAIN}"
WHEN = datetime.datetime(2025, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
# A template as the runbook's "override the wording later" would make it.
INVITE_EMAIL = (
    "Welcome to the clinical platform. Sign in with {username} and the temporary password "
    "{####} within 7 days."
)
# Members a pool like the runbook's does not have, so real AWS leaves them out:
# AliasAttributes (not allowed beside UsernameAttributes), the failure members (no failure),
# CustomDomain (no custom domain).
POOL_MEMBERS_ABSENT = frozenset(
    {"AliasAttributes", "SmsConfigurationFailure", "EmailConfigurationFailure", "CustomDomain"}
)
# An ARN-secret client returns ClientSecretArn instead of ClientSecret; AnalyticsConfiguration
# only when analytics is set up.
CLIENT_MEMBERS_ABSENT = frozenset({"ClientSecret", "AnalyticsConfiguration"})


def _string(name: str, *, required: bool = False, mutable: bool = True) -> dict[str, Any]:
    return {
        "Name": name,
        "AttributeDataType": "String",
        "DeveloperOnlyAttribute": False,
        "Mutable": mutable,
        "Required": required,
        "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "2048"},
    }


def standard_schema(required: tuple[str, ...] = ("email", "name")) -> list[dict[str, Any]]:
    """SchemaAttributes as DescribeUserPool lists them: every standard attribute."""
    schema = [{**_string("sub", required=True, mutable=False)}]
    schema[0]["StringAttributeConstraints"] = {"MinLength": "1", "MaxLength": "2048"}
    for name in (
        "name",
        "given_name",
        "family_name",
        "middle_name",
        "nickname",
        "preferred_username",
        "profile",
        "picture",
        "website",
        "email",
    ):
        schema.append(_string(name, required=name in required))
    for name in ("email_verified", "phone_number_verified"):
        schema.append(
            {
                "Name": name,
                "AttributeDataType": "Boolean",
                "DeveloperOnlyAttribute": False,
                "Mutable": True,
                "Required": False,
            }
        )
    for name in ("gender", "birthdate", "zoneinfo", "locale", "phone_number", "address"):
        schema.append(_string(name, required=name in required))
    schema.append(
        {
            "Name": "updated_at",
            "AttributeDataType": "Number",
            "DeveloperOnlyAttribute": False,
            "Mutable": True,
            "Required": False,
            "NumberAttributeConstraints": {"MinValue": "0"},
        }
    )
    schema.append({**_string("identities"), "StringAttributeConstraints": {}})
    return schema


def healthy_pool() -> dict[str, Any]:
    """DescribeUserPool's UserPool for the runbook's pool, every member a pool like it has.

    Sending through SES (custom email templates are allowed only with DEVELOPER), with a
    custom invitation carrying {####} and {username}, case-insensitive usernames. The issuer
    is ORIGINAL, so that nothing here depends on how the doctor knows UPDATED issuers.
    """
    return {
        "Id": POOL_ID,
        "Name": "clinical-platform",
        "Policies": {
            "PasswordPolicy": {
                "MinimumLength": 8,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": True,
                "PasswordHistorySize": 0,
                "TemporaryPasswordValidityDays": 7,
            },
            "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]},
        },
        "DeletionProtection": "ACTIVE",
        "LambdaConfig": {},
        "Status": "Enabled",
        "LastModifiedDate": WHEN,
        "CreationDate": WHEN,
        "SchemaAttributes": standard_schema(),
        "AutoVerifiedAttributes": ["email"],
        "UsernameAttributes": ["email"],
        "SmsVerificationMessage": "Your verification code is {####}. ",
        "EmailVerificationMessage": "Your verification code is {####}. ",
        "EmailVerificationSubject": "Your verification code",
        "VerificationMessageTemplate": {
            "SmsMessage": "Your verification code is {####}. ",
            "EmailMessage": "Your verification code is {####}. ",
            "EmailSubject": "Your verification code",
            "EmailMessageByLink": "Please click the link below to verify your email address. "
            "{##Verify Email##} ",
            "EmailSubjectByLink": "Your verification link",
            "DefaultEmailOption": "CONFIRM_WITH_CODE",
        },
        "SmsAuthenticationMessage": "Your authentication code is {####}. ",
        "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]},
        "MfaConfiguration": "OFF",
        "DeviceConfiguration": {
            "ChallengeRequiredOnNewDevice": False,
            "DeviceOnlyRememberedOnUserPrompt": False,
        },
        "EstimatedNumberOfUsers": 42,
        "EmailConfiguration": {
            "SourceArn": IDENTITY_ARN,
            "ReplyToEmailAddress": f"support@{DOMAIN}",
            "EmailSendingAccount": "DEVELOPER",
            "From": f"Clinical Platform <no-reply@{DOMAIN}>",
            "ConfigurationSet": "cognito-invitations",
        },
        "SmsConfiguration": {
            "SnsCallerArn": f"arn:aws:iam::{ACCOUNT}:role/service-role/CognitoIdpSNSServiceRole",
            "ExternalId": "0c2f7d1e-5b6a-4c3d-9e8f-7a6b5c4d3e2f",
            "SnsRegion": REGION,
        },
        "UserPoolTags": {"team": "platform"},
        "Domain": "clinical-platform-dev",
        "AdminCreateUserConfig": {
            "AllowAdminCreateUserOnly": True,
            "UnusedAccountValidityDays": 7,
            "InviteMessageTemplate": {
                "SMSMessage": "Your username is {username} and temporary password is {####}. ",
                "EmailMessage": INVITE_EMAIL,
                "EmailSubject": "Your clinical platform invitation",
            },
        },
        "UserPoolAddOns": {"AdvancedSecurityMode": "OFF"},
        "DcrConfiguration": {"EnableStatus": "Disabled"},
        "UsernameConfiguration": {"CaseSensitive": False},
        "Arn": POOL_ARN,
        "AccountRecoverySetting": {
            "RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]
        },
        "UserPoolTier": "ESSENTIALS",
        "KeyConfiguration": {"KeyType": "AWS_OWNED_KEY"},
        "IssuerConfiguration": {"Type": "ORIGINAL"},
        "AcrConfiguration": {
            f"Level{n}": {"AcrValue": f"urn:cognito:loa:{n}"} for n in range(1, 5)
        },
    }


def healthy_client() -> dict[str, Any]:
    """DescribeUserPoolClient's UserPoolClient for a console-made confidential client, whose
    secret Cognito keeps in Secrets Manager (ClientSecretArn, no ClientSecret)."""
    return {
        "UserPoolId": POOL_ID,
        "ClientName": "clinical-platform",
        "ClientId": CLIENT_ID,
        "ClientSecretArn": SECRET_ARN,
        "LastModifiedDate": WHEN,
        "CreationDate": WHEN,
        "RefreshTokenValidity": 5,
        "AccessTokenValidity": 60,
        "IdTokenValidity": 60,
        "TokenValidityUnits": {
            "AccessToken": "minutes",
            "IdToken": "minutes",
            "RefreshToken": "days",
        },
        "ReadAttributes": ["email", "email_verified", "name"],
        "WriteAttributes": ["email", "name"],
        "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "SupportedIdentityProviders": ["COGNITO"],
        "CallbackURLs": ["https://platform.clinic.example/callback"],
        "LogoutURLs": ["https://platform.clinic.example/"],
        "DefaultRedirectURI": "https://platform.clinic.example/callback",
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": ["email", "openid"],
        "AllowedOAuthFlowsUserPoolClient": True,
        "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": True,
        "EnablePropagateAdditionalUserContextData": False,
        "AuthSessionValidity": 3,
        "RefreshTokenRotation": {"Feature": "DISABLED", "RetryGracePeriodSeconds": 0},
        "ClientType": "REGULAR",
    }


def mfa_config(mfa: str = "OFF") -> dict[str, Any]:
    """GetUserPoolMfaConfig's answer, every member."""
    return {
        "SmsMfaConfiguration": {"SmsAuthenticationMessage": "Your code is {####}"},
        "SoftwareTokenMfaConfiguration": {"Enabled": mfa != "OFF"},
        "EmailMfaConfiguration": {"Message": "Your code is {####}", "Subject": "Your code"},
        "MfaConfiguration": mfa,
        "WebAuthnConfiguration": {"RelyingPartyId": "platform.clinic.example"},
    }


def admin_get_user(
    email: str, status: str = "FORCE_CHANGE_PASSWORD", *, name: str | None = None
) -> dict[str, Any]:
    """AdminGetUser's answer for an invited user (every member), `name` left out if None."""
    attributes = [
        {"Name": "email", "Value": email},
        {"Name": "email_verified", "Value": "true"},
        {"Name": "sub", "Value": "46f2d224-f0a1-70b4-5f36-c8f1a3e9d0b7"},
    ]
    if name is not None:
        attributes.append({"Name": "name", "Value": name})
    return {
        "Username": "46f2d224-f0a1-70b4-5f36-c8f1a3e9d0b7",
        "UserAttributes": attributes,
        "UserCreateDate": WHEN,
        "UserLastModifiedDate": WHEN,
        "Enabled": True,
        "UserStatus": status,
        "MFAOptions": [],
        "PreferredMfaSetting": "",
        "UserMFASettingList": [],
    }


def ses_verified() -> dict[str, Any]:
    """SES GetIdentityVerificationAttributes for the verified sending domain."""
    return {
        "VerificationAttributes": {
            DOMAIN: {"VerificationStatus": "Success", "VerificationToken": "pmBGN/7MjnfhTKUZ06Enqq"}
        }
    }


def sesv2_account() -> dict[str, Any]:
    """SESv2 GetAccount for an account with production access (every top-level member)."""
    return {
        "DedicatedIpAutoWarmupEnabled": False,
        "EnforcementStatus": "HEALTHY",
        "ProductionAccessEnabled": True,
        "SendQuota": {"Max24HourSend": 50000.0, "MaxSendRate": 14.0, "SentLast24Hours": 12.0},
        "SendingEnabled": True,
        "SuppressionAttributes": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
        "Details": {
            "MailType": "TRANSACTIONAL",
            "WebsiteURL": "https://platform.clinic.example",
            "ContactLanguage": "EN",
            "UseCaseDescription": "Invitations and password resets for the clinical platform.",
            "AdditionalContactEmailAddresses": [f"ops@{DOMAIN}"],
            "ReviewDetails": {"Status": "GRANTED", "CaseId": "172345678901234"},
        },
        "VdmAttributes": {"VdmEnabled": "DISABLED"},
    }


class ByOperationStubber(Stubber):
    """A Stubber that answers each call with the first queued response for its operation and
    parameters, whatever the order: the doctor makes independent calls on threads."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self._lock = threading.Lock()

    def _assert_expected_params(self, model: Any, params: Any, context: Any, **kwargs: Any) -> None:
        if self._should_not_stub(context):
            return
        with self._lock:
            for entry in self._queue:
                expected = entry["expected_params"]
                if entry["operation_name"] == model.name and expected in (None, params):
                    self._queue.remove(entry)
                    context["by_operation_stub"] = entry
                    return
        raise StubAssertionError(
            operation_name=model.name, reason=f"nothing queued for {model.name} {params}"
        )

    def _get_response_handler(self, model: Any, params: Any, context: Any, **kwargs: Any) -> Any:
        return context.pop("by_operation_stub")["response"]


class RealAws:
    """Stubbed clients for the operator: cognito-idp, ses, sesv2."""

    SERVICES = ("cognito-idp", "ses", "sesv2")

    def __init__(self) -> None:
        self.clients = {
            name: boto3.client(
                name,
                region_name=REGION,
                # Nothing listens here: the Stubber answers before any request is sent.
                endpoint_url="http://127.0.0.1:9",
                aws_access_key_id="AKIAOPERATOREXAMPLE1",
                aws_secret_access_key="operator-secret-example",
            )
            for name in self.SERVICES
        }
        self.stubbers = {name: ByOperationStubber(c) for name, c in self.clients.items()}
        for stubber in self.stubbers.values():
            stubber.activate()

    def answer(
        self, service: str, operation: str, response: Mapping[str, Any], **params: Any
    ) -> None:
        """Queue `response` (validated against the model) for `operation` with `params`."""
        self.stubbers[service].add_response(operation, copy.deepcopy(dict(response)), params)

    def pool(self, pool: Mapping[str, Any]) -> None:
        self.answer("cognito-idp", "describe_user_pool", {"UserPool": pool}, UserPoolId=POOL_ID)

    def client(self, client: Mapping[str, Any]) -> None:
        self.answer(
            "cognito-idp",
            "describe_user_pool_client",
            {"UserPoolClient": client},
            UserPoolId=POOL_ID,
            ClientId=CLIENT_ID,
        )

    def ses(self) -> None:
        self.answer(
            "ses", "get_identity_verification_attributes", ses_verified(), Identities=[DOMAIN]
        )
        self.answer("sesv2", "get_account", sesv2_account())


@pytest.fixture
def real_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[RealAws]:
    """The operator's AWS answered by `RealAws`'s stubs, through the product's boundary."""
    aws = RealAws()
    monkeypatch.setattr(AwsAccess, "operator", lambda self, name, region: Client(aws.clients[name]))
    yield aws
