"""`autotune apply --auto` on copies of the demo repository whose `.autotune.yml` protects
what the bot would otherwise change: the protected thing stays as it is, the other changes
are still applied, and the output names the rule. And the patch builder: a patched file
that breaks a rule becomes a failure naming the rule while the other files get theirs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autotune_bot.analysis.analyzer import analyze
from autotune_bot.cli import main
from autotune_bot.repository import load_inputs
from autotune_bot.settings.models import Constraints
from autotune_bot.tuning.file_patches import build_patches
from autotune_bot.tuning.tuner import TunerOptions, plan_tuning

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-repo"
REVIEW = "workflows/code_review.yaml"
RESEARCH = "workflows/research.yaml"
SETTINGS = """\
version: 1
baselines:
  release_team: {{duration_seconds: 240, success_rate: 0.9}}
constraints:
  min_success_rate: 0.85
{extra}analysis: {{min_samples: 20}}
"""
LEGACY_BLOCK = """\
      - id: legacy_enrich
        type: compute
        handler: bibliography.enrich_citations
        inputs:
          papers: $ctx.papers
          news: $ctx.news
        output: enrichment
        timeout: 10
"""
DOCS_MEMBER = "          - id: docs\n            role: technical writer\n"


def demo_copy(where: Path, extra: str) -> Path:
    repo = where / "repo"
    shutil.copytree(DEMO, repo)
    (repo / ".autotune.yml").write_text(SETTINGS.format(extra=extra), encoding="utf-8")
    return repo


def read(repo: Path, path: str) -> str:
    return (repo / path).read_text(encoding="utf-8")


def test_without_protection_apply_would_drop_the_member_and_the_node(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = demo_copy(tmp_path, "")
    assert main(["apply", "--auto", "--dry-run", "--repo", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "-          - id: docs\n" in out
    assert "-      - id: legacy_enrich\n" in out
    assert "Constraint:" not in out


def test_protected_role_and_node_stay_and_the_rest_is_applied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = "  protected_roles: [technical writer]\n  protected_nodes: [legacy_enrich]\n"
    repo = demo_copy(tmp_path, extra)
    review_before, research_before = read(repo, REVIEW), read(repo, RESEARCH)
    assert DOCS_MEMBER in review_before
    assert LEGACY_BLOCK in research_before
    assert main(["apply", "--auto", "--repo", str(repo)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    review, research = read(repo, REVIEW), read(repo, RESEARCH)
    # the other changes are still applied ...
    assert review != review_before
    assert "        team_formation: parallel\n" in review
    assert research != research_before
    assert "cache: {enabled: true, tools: [web_search], ttl_seconds: 3600}" in research
    # ... the protected member and node are untouched
    assert DOCS_MEMBER in review
    assert LEGACY_BLOCK in research
    # and the output says why
    lines = [line for line in captured.out.splitlines() if line.startswith("Constraint: ")]
    roles = [line for line in lines if "constraints.protected_roles" in line]
    nodes = [line for line in lines if "constraints.protected_nodes" in line]
    assert roles
    assert all("member 'docs'" in line and "review_team" in line for line in roles)
    assert any("node 'legacy_enrich' is protected and would be removed" in n for n in nodes)
    assert "Applied to 2 file(s)" in captured.out


def test_a_protected_file_stays_byte_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = demo_copy(tmp_path, f"  protected_files: [{RESEARCH}]\n")
    before = (repo / RESEARCH).read_bytes()
    review_before = read(repo, REVIEW)
    assert main(["apply", "--auto", "--repo", str(repo)]) == 0
    out = capsys.readouterr().out
    assert (repo / RESEARCH).read_bytes() == before
    assert read(repo, REVIEW) != review_before
    assert "Applied to 1 file(s): workflows/code_review.yaml" in out
    reason = f"not tuned: {RESEARCH} matches '{RESEARCH}' (constraints.protected_files)"
    assert f"Constraint: workflow deep_research: {reason}" in out
    assert f"Constraint: team research_team: {reason}" in out


def test_build_patches_fails_the_breaking_file_and_patches_the_others() -> None:
    inputs = load_inputs(DEMO)
    store, settings = inputs.metrics.store, inputs.settings
    report = analyze(store, inputs.metrics.problems, inputs.workflows, settings)
    plan = plan_tuning(report, inputs.workflows, store, settings, TunerOptions())
    files = {f.path: f for f in inputs.workflows}
    accepted = [t.best for t in plan.targets if t.best is not None]
    patches, failures = build_patches(accepted, plan, files, settings.constraints)
    assert sorted(p.path for p in patches) == [REVIEW, RESEARCH]
    assert failures == []
    # the plan was made without protection; applying it with one fails just that file
    guarded = Constraints(protected_nodes=("legacy_enrich",))
    patches, failures = build_patches(accepted, plan, files, guarded)
    assert [p.path for p in patches] == [REVIEW]
    (failure,) = failures
    assert failure.path == RESEARCH
    assert str(failure).startswith(f"{RESEARCH}: not changed: constraints.protected_nodes: ")
    assert "legacy_enrich" in failure.reason
