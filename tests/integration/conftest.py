"""Fixtures the integration tests share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A profile `sandbox` with moto's test credentials, in a temporary AWS config."""
    config = tmp_path / "aws-config"
    config.write_text("[profile sandbox]\nregion = eu-west-2\n")
    credentials = tmp_path / "aws-credentials"
    credentials.write_text(
        "[sandbox]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    yield "sandbox"
