from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitops.git_fixtures import isolate_git
from tests.gitops.github_site import fake, remote, runs, site

__all__ = ["fake", "isolated_git", "remote", "runs", "site"]


@pytest.fixture
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No machine git configuration or identity; returns the (empty) global config file."""
    return isolate_git(monkeypatch, tmp_path / "home")
