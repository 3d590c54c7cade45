"""The target the .env files name: which pool, in which region, for which app client, and the
file and line each value came from."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cognito_doctor.engine.model import Location
from cognito_doctor.platform.envfiles import EnvFiles
from cognito_doctor.platform.regions import expected_issuer, is_region, pool_id_region

POOL_ID_PATTERN = re.compile(r"^[\w-]+_[0-9a-zA-Z]+$")


@dataclass(frozen=True)
class PoolRef:
    """The pool the `.env` files point at, and where to look for it."""

    pool_id: str
    region: str
    app_client_id: str | None

    @property
    def issuer(self) -> str:
        return expected_issuer(self.region, self.pool_id)


@dataclass(frozen=True)
class Named:
    """One value the `.env` files name, and the file and line it came from (None: not set, or
    given on the command line)."""

    value: str | None
    location: Location | None = None


@dataclass(frozen=True)
class EnvTarget:
    """What the `.env` files name: the one reading of them every part of the doctor shares.

    The pool id and region come from services/user-management/.env, else services/auth/.env
    (`--region` overrides the region); the app client id and issuer from services/auth/.env.
    """

    pool_id: Named
    region: Named
    app_client_id: Named
    issuer: Named
    # Where findings without a location of their own are annotated (SARIF, GitHub).
    anchor: Location | None = None

    def pool_and_region(self) -> tuple[str | None, str | None]:
        """(pool id, region) for offline comparisons: the region falls back on the pool id's
        prefix, and is None when it is not an AWS region."""
        pool_id, region = self.pool_id.value, self.region.value
        if region is None:
            region = pool_id_region(pool_id)
        if region is not None and not is_region(region):
            region = None
        return pool_id, region

    def pool_ref(self) -> PoolRef | str:
        """Where to look for the pool, or why the files don't say (naming the check to read)."""
        pool_id = self.pool_id.value
        if pool_id is None or not POOL_ID_PATTERN.match(pool_id):
            return "no well-formed COGNITO_USER_POOL_ID in the .env files (see env.pool-id)"
        region = self.region.value or pool_id.split("_")[0]
        if not is_region(region):
            return f"{region!r} is not an AWS region (see env.region)"
        return PoolRef(pool_id, region, self.app_client_id.value)


def _first(files: EnvFiles, key: str) -> Named:
    """`key` from user-management's file, else from auth's (unreadable files count as empty)."""
    for env in files:
        if env.usable and env.get(key):
            return Named(env.get(key), env.location(key))
    return Named(None)


def _auth(files: EnvFiles, key: str) -> Named:
    auth = files.auth
    if auth.usable and auth.get(key) is not None:
        return Named(auth.get(key), auth.location(key))
    return Named(None)


def read_target(files: EnvFiles, region_override: str | None = None) -> EnvTarget:
    """The target the `.env` files name (see EnvTarget)."""
    region = Named(region_override) if region_override else _first(files, "COGNITO_REGION")
    return EnvTarget(
        pool_id=_first(files, "COGNITO_USER_POOL_ID"),
        region=region,
        app_client_id=_auth(files, "COGNITO_APP_CLIENT_ID"),
        issuer=_auth(files, "COGNITO_ISSUER"),
        anchor=files.um.location("COGNITO_USER_POOL_ID"),
    )
