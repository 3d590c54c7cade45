"""cognito-doctor: checks that a Cognito user pool and the services using it are wired up right."""

__version__ = "0.1.0"
