"""The revert commit says how it was made: ``git revert`` of the merge, or the patch back to
the recorded configuration when the revert conflicted (the revert pull request's body says
"the commit says which"); a closing block of trailers stays last."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitops.git_fixtures import commit, git
from tests.gitops.test_revert_commit import FLOW, _merged, _revert

MESSAGE = "Revert flow/team: duration regressed\n\nReverts #7.\n\nautotune-key: revert/flow/team\n"


pytestmark = pytest.mark.usefixtures("isolated_git")  # no machine git configuration


def _message(repo: Path, sha: str) -> str:
    return git(repo, "show", "-s", "--format=%B", sha)


def test_a_git_revert_commit_says_so(tmp_path: Path) -> None:
    setup = _merged(tmp_path)
    made = _revert(setup.work, setup, message=MESSAGE)
    assert made.method == "git revert"
    paragraphs = _message(setup.work, made.sha).split("\n\n")
    assert paragraphs[0] == "Revert flow/team: duration regressed"
    assert paragraphs[-2] == f"Made by {made.note}."
    assert paragraphs[-1] == "autotune-key: revert/flow/team"


def test_a_patch_commit_says_the_revert_conflicted(tmp_path: Path) -> None:
    setup = _merged(tmp_path)
    commit(setup.work, {FLOW: "name: flow\nversion: edited by hand\n"}, "hand edit")
    made = _revert(setup.work, setup, fallback={FLOW: setup.before}, message="Revert it")
    assert made.method == "patch"
    text = _message(setup.work, made.sha)
    assert text.startswith("Revert it\n\n")
    assert f"Made by {made.note}." in text
    assert "a minimal edit back to the recorded configuration" in text
