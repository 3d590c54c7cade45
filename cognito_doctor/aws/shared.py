"""AWS clients shared by the environments of one command line run."""

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
