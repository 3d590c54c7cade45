"""botocore sessions for the two identities, the clients they share, and botocore's models.

Import this module lazily (from inside fact providers), so that `--offline` and `--help`
never pay for importing botocore. boto3 is not used: its sessions only wrap botocore's, and
importing it costs start-up time that every run would pay.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

import botocore.config
import botocore.session
from botocore.client import BaseClient
from botocore.model import ServiceModel

from cognito_doctor.aws.calls import Client, InFlight, translated
from cognito_doctor.aws.shared import ServiceKeys, SharedClients
from cognito_doctor.engine.redact import remember
from cognito_doctor.platform.settings import RunConfig

_loader_lock = threading.Lock()
_shared_loader: Any = None


def _botocore_session(profile: str | None = None) -> botocore.session.Session:
    """A new botocore session that shares one data loader with every other in this process.

    Sessions are per identity, but the service models they load are the same: sharing the
    loader's cache saves parsing them again for every identity and every environment of a run.
    """
    global _shared_loader
    session = botocore.session.Session(profile=profile)
    with _loader_lock:
        if _shared_loader is None:
            _shared_loader = session.get_component("data_loader")
        else:
            session.register_component("data_loader", _shared_loader)
    return session


_models: dict[str, ServiceModel] = {}


def service_model(service: str) -> ServiceModel:
    """botocore's model of `service` (a ServiceModel), from the loader every client shares:
    the clients have parsed it already, so this costs no second parse."""
    with _loader_lock:
        model = _models.get(service)
    if model is None:
        model = _botocore_session().get_service_model(service)
        with _loader_lock:
            model = _models.setdefault(service, model)
    return model


class _Clients:
    """The sessions and clients of one run (or of every environment of one command line run).

    One botocore session per operator profile, and the service's keys given to their client
    itself: a session costs about 15 ms to create and resolves the credential chain once.
    Clients are created one at a time (sessions are not thread-safe, and two creations at once
    would only parse the same models twice under the GIL); once created, a client is shared
    by every thread.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards the dicts
        self._creating = threading.Lock()  # one creation at a time
        self._clients: dict[Hashable, BaseClient] = {}
        self._sessions: dict[str | None, botocore.session.Session] = {}

    def session(self, profile: str | None) -> botocore.session.Session:
        """The session of `profile` (None: the standard chain); call while creating."""
        if profile not in self._sessions:
            self._sessions[profile] = _botocore_session(profile)
        return self._sessions[profile]

    def get(self, key: Hashable, create: Callable[[], BaseClient]) -> BaseClient:
        with self._lock:
            client = self._clients.get(key)
        if client is not None:
            return client
        with self._creating:
            with self._lock:
                client = self._clients.get(key)
            if client is None:
                client = create()
                with self._lock:
                    self._clients[key] = client
        return client


class AwsAccess:
    """Clients for the operator (standard chain or --profile) and for the service's keys.

    botocore sessions are not thread-safe but clients are: each client is created once and
    then shared by every fact provider thread. With `shared` (one per command line run), the
    environments of a multi-environment run share the sessions and the clients they have in
    common, e.g. the operator's.
    """

    def __init__(self, config: RunConfig, shared: SharedClients | None = None) -> None:
        self._config = config
        self._clients: _Clients = _shared_store(shared) if shared is not None else _Clients()
        self.in_flight = InFlight()  # this run's calls under way (clients may be shared)
        self._botocore_config = botocore.config.Config(
            connect_timeout=config.connect_timeout,
            read_timeout=config.read_timeout,
            retries={"mode": "standard", "total_max_attempts": config.max_attempts},
            user_agent_extra="cognito-doctor",
        )

    @property
    def endpoint_url(self) -> str | None:
        return self._config.endpoint_url

    def _key(self, identity: Hashable, service: str, region: str) -> Hashable:
        config = self._config
        return (
            identity,
            service,
            region,
            config.endpoint_url,
            config.connect_timeout,
            config.read_timeout,
            config.max_attempts,
        )

    def operator(self, service: str, region: str) -> Any:
        """A client with the operator's credentials (the standard chain or --profile); its
        calls raise AwsError (so does creating it, e.g. for a profile that doesn't exist)."""
        profile = self._config.profile

        def create() -> BaseClient:
            return self._make(self._clients.session(profile), service, region)

        key = self._key(("operator", profile), service, region)
        return Client(translated(lambda: self._clients.get(key, create)), self.in_flight)

    def service(self, service: str, region: str, keys: ServiceKeys) -> Any:
        """A client with the keys the service itself uses; its calls raise AwsError."""

        def create() -> BaseClient:
            return self._make(self._clients.session(None), service, region, keys)

        key = self._key(("service", keys), service, region)
        return Client(translated(lambda: self._clients.get(key, create)), self.in_flight)

    def _make(
        self,
        session: botocore.session.Session,
        service: str,
        region: str,
        keys: ServiceKeys | None = None,
    ) -> BaseClient:
        client: BaseClient = session.create_client(
            service,
            region_name=region,
            endpoint_url=self._config.endpoint_url,
            config=self._botocore_config,
            # None: the session's credentials (the operator's chain or profile).
            aws_access_key_id=keys.access_key_id if keys else None,
            aws_secret_access_key=keys.secret_access_key if keys else None,
            aws_session_token=keys.session_token if keys else None,
        )
        _remember_credentials(session, keys)
        # Load the service's paginator config now, under the creation lock: botocore loads it
        # on a client's first get_paginator, and threads paginating at once on a new client
        # would each load it (and list botocore's ~400 model directories) again.
        operation = next(iter(client.meta.method_to_api_mapping), None)
        if operation is not None:
            client.can_paginate(operation)
        return client


def _remember_credentials(session: botocore.session.Session, keys: ServiceKeys | None) -> None:
    """Tell the redactor the secrets a client signs with: an AWS error that echoes a request
    header (IncompleteSignature does) must not print the operator's session token."""
    if keys is not None:
        remember(keys.secret_access_key, keys.session_token)
        return
    try:
        credentials = session.get_credentials()
        frozen = credentials.get_frozen_credentials() if credentials is not None else None
    except Exception:  # the chain fails again, and is reported, on the first call
        return
    if frozen is not None:
        remember(frozen.secret_key, frozen.token)


def _shared_store(shared: SharedClients) -> _Clients:
    with shared.lock:
        if not isinstance(shared.store, _Clients):
            shared.store = _Clients()
        return shared.store


def profile_names() -> list[str]:
    """The profiles botocore knows (~/.aws/config and credentials, AWS_CONFIG_FILE and
    AWS_SHARED_CREDENTIALS_FILE honoured): what --profile may name."""
    return list(botocore.session.Session().available_profiles)
