"""One consistent target: when the two `.env` files disagree, every value the plan (and every
check's fix) proposes comes from one resolution of the target, so no fix proposes an issuer
that cannot exist (a pool id in one region with another region's issuer)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cognito_doctor.cli import main
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV

POOL = "eu-west-2_AbC123xyz"


def write(root: Path, label: str, text: str) -> None:
    path = root / label
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_regions_that_disagree_get_one_region_and_a_possible_issuer(tmp_path: Path) -> None:
    write(
        tmp_path,
        UM_ENV,
        f"COGNITO_PROVIDER=cognito\nCOGNITO_USER_POOL_ID={POOL}\nCOGNITO_REGION=eu-west-2\n",
    )
    write(
        tmp_path,
        AUTH_ENV,
        f"COGNITO_USER_POOL_ID={POOL}\nCOGNITO_REGION=eu-west-1\n"
        f"COGNITO_ISSUER=https://cognito-idp.eu-west-1.amazonaws.com/{POOL}\n",
    )
    fixed = f"https://cognito-idp.eu-west-2.amazonaws.com/{POOL}"
    check = CliRunner().invoke(main, ["check", "--root", str(tmp_path), "--offline", "-v"])
    words = " ".join(check.stdout.split())
    assert f"COGNITO_ISSUER={fixed}" in words
    assert f"eu-west-1.amazonaws.com/{POOL} (or delete" not in words
    result = CliRunner().invoke(main, ["fix", "--root", str(tmp_path), "--offline"])
    assert result.exit_code == 1
    assert "COGNITO_REGION: eu-west-1 → eu-west-2" in result.stdout
    assert f"+COGNITO_ISSUER={fixed}" in result.stdout
    assert "+COGNITO_ISSUER=https://cognito-idp.eu-west-1" not in result.stdout
    assert UM_ENV not in result.stdout.split("Not in the plan")[0]  # its values are right

    applied = CliRunner().invoke(
        main, ["fix", "--root", str(tmp_path), "--offline", "--apply", "--yes"]
    )
    assert "applied" in applied.stdout
    auth = (tmp_path / AUTH_ENV).read_text()
    assert auth == (
        f"COGNITO_USER_POOL_ID={POOL}\nCOGNITO_REGION=eu-west-2\nCOGNITO_ISSUER={fixed}\n"
    )
