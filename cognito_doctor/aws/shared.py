"""What the CLI and the facts hand to cognito_doctor.aws without importing botocore: the
clients shared by the environments of one run, and the service's static keys."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SharedClients:
    """AWS clients shared by the environments of one command line run (see AwsAccess).

    Holds no client until the first AWS fact needs one, so that creating it imports nothing.
    """

    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    store: Any = field(default=None, repr=False)


@dataclass(frozen=True)
class ServiceKeys:
    """The static keys from services/user-management/.env (held in memory, never shown)."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None

    def __repr__(self) -> str:  # keeps secrets out of tracebacks and debug output
        return f"ServiceKeys(access_key_id='…{self.access_key_id[-4:]}')"
