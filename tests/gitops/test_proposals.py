"""Building proposals from the example repository's plan: keys, branches, files (workflow and
history), titles, evidence keys, labels and reviewers; branch names against git itself."""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autotune_bot.errors import InputError
from autotune_bot.gitops.body_fit import BODY_LIMIT, text_size
from autotune_bot.gitops.body_stamps import STAMP_RESERVE, restamp, with_notice
from autotune_bot.gitops.branch_names import branch_name, is_valid_branch, ref_component
from autotune_bot.gitops.evidence_key import (
    MATERIAL_STEP,
    changed_lines,
    evidence_key,
    improvement_moved,
)
from autotune_bot.gitops.marker import parse_marker
from autotune_bot.gitops.proposals import HISTORY_PATH, appended_history, build_proposals
from autotune_bot.gitops.target_patches import (
    CURRENT_IS_BEST,
    TargetPatch,
    current_is_best,
    proposal_key,
    target_patches,
)
from autotune_bot.gitops.types import Proposal
from autotune_bot.patch.diff import unified_diff
from autotune_bot.settings import Settings

from .demo_plan import NOW, Demo, ab_result, demo, demo_patches, with_model_change

REVIEW = "code_review/review_team"
RESEARCH = "deep_research/deep_research"


def _settings(d: Demo, **pull_requests: object) -> Settings:
    data = d.settings.model_dump(mode="json")
    data["pull_requests"] = {**data.get("pull_requests", {}), **pull_requests}
    return Settings.model_validate(data)


def _patches(d: Demo) -> list[TargetPatch]:
    return list(demo_patches())


def _proposals(d: Demo, **kwargs: object) -> dict[str, Proposal]:
    made = build_proposals(
        _patches(d),
        plan=d.plan,
        settings=d.settings,
        now=NOW,
        report=d.report,
        **kwargs,  # type: ignore[arg-type]
    )
    return {p.key: p for p in made}


@pytest.fixture(scope="module")
def d() -> Demo:
    return demo()


@pytest.fixture(scope="module")
def made(d: Demo) -> dict[str, Proposal]:
    return _proposals(d, history_text='{"id": "old"}\n')


def test_one_proposal_per_target_with_a_best_configuration(
    d: Demo, made: dict[str, Proposal]
) -> None:
    with_best = [t for t in d.plan.targets if t.best is not None]
    assert sorted(made) == sorted(proposal_key(t) for t in with_best) == [REVIEW, RESEARCH]
    assert made[REVIEW].branch == "autotune/code_review/review_team"
    assert made[RESEARCH].branch == "autotune/deep_research/deep_research"


def test_files_are_the_workflow_change_and_the_appended_history(
    d: Demo, made: dict[str, Proposal]
) -> None:
    p = made[REVIEW]
    assert list(p.files) == ["workflows/code_review.yaml", HISTORY_PATH]
    new = p.files["workflows/code_review.yaml"]
    old = d.files["workflows/code_review.yaml"].text
    changed = [
        (tag, old.splitlines()[i1:i2], new.splitlines()[j1:j2])
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
            a=old.splitlines(), b=new.splitlines(), autojunk=False
        ).get_opcodes()
        if tag != "equal"
    ]
    assert changed[0] == (
        "replace",
        ["        team_formation: sequential"],
        ["        team_formation: parallel"],
    )
    assert changed[1][0] == "delete"
    assert changed[1][1][0] == "          - id: docs"
    assert p.diff == unified_diff(old, new, "workflows/code_review.yaml")
    history = p.files[HISTORY_PATH]
    first, line = history.splitlines()
    assert first == '{"id": "old"}'
    entry = json.loads(line)
    assert entry["targets"] == ["review_team"]
    assert entry["files"] == [{"path": "workflows/code_review.yaml", "diff": p.diff}]
    assert entry["timestamp"] == NOW.isoformat()
    assert entry["validation_status"] == "not_validated"
    assert entry["evidence"]["label"] == "simulated"
    assert p.metadata["history_entry"] == entry["id"]


def test_history_append_repairs_a_missing_final_newline() -> None:
    entry = {"id": "x", "n": 1}
    assert appended_history("", entry) == '{"id": "x", "n": 1}\n'
    assert appended_history('{"a": 1}', entry) == '{"a": 1}\n{"id": "x", "n": 1}\n'


def test_marker_carries_the_state_and_matches_the_proposal(made: dict[str, Proposal]) -> None:
    for p in made.values():
        meta = parse_marker(p.body)
        assert meta is not None
        assert p.body.rstrip().endswith("-->")
        assert meta == dict(p.metadata)
        assert (meta["key"], meta["branch"], meta["evidence_key"]) == (
            p.key,
            p.branch,
            p.evidence_key,
        )
        assert meta["validation_status"] == p.validation_status == "not_validated"
    assert made[REVIEW].metadata["scope"] == "team"
    assert made[RESEARCH].metadata["scope"] == "workflow"


def test_title_names_the_target_change_and_estimate(d: Demo, made: dict[str, Proposal]) -> None:
    best = d.target("team", "review_team").best
    assert best is not None
    assert best.estimate is not None
    assert best.estimate.duration is not None
    percent = round(abs(best.estimate.duration.relative) * 100)
    assert best.estimate.duration.relative < 0
    assert made[REVIEW].title == (
        "autotune: review_team formation sequential → parallel, remove member docs "
        f"(\u2212{percent} % duration, not validated)"
    )
    assert "deep_research" in made[RESEARCH].title
    assert "not validated" in made[RESEARCH].title


def test_commit_message_has_subject_and_trailers(made: dict[str, Proposal]) -> None:
    p = made[REVIEW]
    lines = p.commit_message.splitlines()
    assert lines[0] == p.title
    assert lines[1] == ""
    assert f"Autotune-Key: {REVIEW}" in lines
    assert f"Autotune-Evidence: {p.evidence_key}" in lines


def test_labels_and_reviewers_come_from_settings(d: Demo) -> None:
    settings = _settings(
        d, labels=["autotune", "performance"], reviewers=["alice"], branch_prefix="bots/tune-"
    )
    made = {p.key: p for p in build_proposals(_patches(d), plan=d.plan, settings=settings, now=NOW)}
    p = made[REVIEW]
    assert p.labels == ("autotune", "performance")
    assert p.reviewers == ("alice",)
    assert p.branch == "bots/tune-code_review/review_team"


def test_a_validated_proposal_leads_with_the_measured_ratio(d: Demo) -> None:
    result = ab_result("passed", ratio=0.62)
    made = _proposals(d, validations={REVIEW: result})
    p = made[REVIEW]
    assert p.title.endswith("(\u221238 % duration, A/B passed)")
    assert p.validation_status == "passed"
    entry = json.loads(p.files[HISTORY_PATH].splitlines()[-1])
    assert entry["validation_status"] == "passed"
    assert entry["evidence"]["label"] == "measured"
    assert entry["validation"]["metrics"][0]["ratio"] == 0.62
    # a passed proposal comes first whatever its figure
    assert (
        next(
            q.key
            for q in build_proposals(
                _patches(d),
                plan=d.plan,
                settings=d.settings,
                now=NOW,
                validations={RESEARCH: result},
            )
        )
        == RESEARCH
    )


def test_a_dry_run_result_is_not_validated(d: Demo) -> None:
    result = dataclasses.replace(ab_result("dry_run"), evidence="simulated", metrics=())
    p = _proposals(d, validations={REVIEW: result})[REVIEW]
    assert p.validation_status == "dry_run"
    assert p.title.endswith("duration, not validated)")
    entry = json.loads(p.files[HISTORY_PATH].splitlines()[-1])
    assert entry["validation"] is None
    assert entry["validation_status"] == "dry_run"


def test_rebuilding_on_the_same_evidence_gives_the_same_key_later(d: Demo) -> None:
    later = NOW.replace(year=2027)
    first = _proposals(d)
    again = {
        p.key: p for p in build_proposals(_patches(d), plan=d.plan, settings=d.settings, now=later)
    }
    for key, p in first.items():
        assert again[key].evidence_key == p.evidence_key
        assert again[key].files != p.files  # the entry's timestamp differs, the evidence not


def test_each_target_of_one_file_gets_only_its_own_change(d: Demo) -> None:
    plan = with_model_change(d)
    found, failures = target_patches(plan, d.files, d.settings.constraints)
    assert failures == []
    by_key = {tp.key: tp for tp in found}
    assert sorted(by_key) == ["code_review/code_review", REVIEW, RESEARCH]
    review = by_key[REVIEW].patch.new_text
    model = by_key["code_review/code_review"].patch.new_text
    assert "team_formation: parallel" in review
    assert "claude-3-opus" in review
    assert "team_formation: sequential" in model
    assert "claude-3-5-sonnet" in model
    assert "claude-3-opus" not in model
    made = {p.key: p for p in build_proposals(found, plan=plan, settings=d.settings, now=NOW)}
    assert made["code_review/code_review"].branch == "autotune/code_review/code_review"
    assert made[REVIEW].files["workflows/code_review.yaml"] == review


def test_two_patches_of_one_key_are_refused(d: Demo) -> None:
    tp = _patches(d)[0]
    with pytest.raises(ValueError, match="same proposal key"):
        build_proposals([tp, tp], plan=d.plan, settings=d.settings, now=NOW)


def test_a_prefix_that_breaks_git_rules_is_an_input_error(d: Demo) -> None:
    settings = _settings(d, branch_prefix="bots.lock/")
    with pytest.raises(InputError, match=r"pull_requests\.branch_prefix"):
        build_proposals(_patches(d), plan=d.plan, settings=settings, now=NOW)


def test_a_huge_body_leaves_room_for_the_lifecycles_stamps(d: Demo) -> None:
    tp = demo_patches()[0]
    old = "".join(f"k{n}: a\n" for n in range(3000))
    new = "".join(f"k{n}: {'x' * 60}\n" for n in range(3000))
    huge = dataclasses.replace(
        tp, patch=dataclasses.replace(tp.patch, diff=unified_diff(old, new, "w"))
    )
    (made,) = build_proposals([huge], plan=d.plan, settings=d.settings, now=NOW)
    assert BODY_LIMIT - STAMP_RESERVE - 2000 < text_size(made.body) <= BODY_LIMIT - STAMP_RESERVE
    sha = "f" * 64  # a sha256 repository's ids are the longest
    stamped = restamp(
        made, head=sha, previous_head=sha, branch="a-much-longer-prefix/" + made.branch
    )
    noticed = with_notice(stamped.body, "the A/B test failed: " + "@x " * 200, NOW)
    assert noticed is not None
    assert text_size(noticed) <= BODY_LIMIT


def test_only_a_search_that_kept_the_current_configuration_is_a_definite_no(d: Demo) -> None:
    assert current_is_best(d.plan) == {}  # every searched target of the example has a change
    review = d.target("team", "review_team")
    research = d.target("workflow", "deep_research")
    assert review.search is not None
    assert research.search is not None
    kept = dataclasses.replace(
        review, best=None, search=dataclasses.replace(review.search, shipped={})
    )
    dropped = dataclasses.replace(research, best=None)  # a constraint dropped its result
    plan = dataclasses.replace(
        d.plan,
        targets=tuple(
            kept if t is review else dropped if t is research else t for t in d.plan.targets
        ),
    )
    assert current_is_best(plan) == {"code_review/review_team": CURRENT_IS_BEST}


# --- evidence key -------------------------------------------------------------------------

OLD = "".join(f"line {k}\n" for k in range(1, 30))
NEW = OLD.replace("line 15\n", "line fifteen\n")


def _key(diff: str, status: str = "not_validated", evidence: str = "simulated") -> str:
    return evidence_key(key="w/t", diff=diff, validation_status=status, evidence=evidence)


def test_shifted_hunks_are_the_same_change() -> None:
    shifted_old = "header\nmore\n" + OLD
    shifted_new = "header\nmore\n" + NEW
    a = unified_diff(OLD, NEW, "w.yaml")
    b = unified_diff(shifted_old, shifted_new, "w.yaml")
    assert a != b  # hunk headers differ
    assert changed_lines(a) == changed_lines(b) == ["-line 15\n", "+line fifteen\n"]
    assert _key(a) == _key(b)


def test_what_the_evidence_key_covers() -> None:
    diff = unified_diff(OLD, NEW, "w.yaml")
    other = unified_diff(OLD, OLD.replace("line 15\n", "line 16 again\n"), "w.yaml")
    base = _key(diff)
    assert _key(diff) == base
    assert _key(diff, status="passed") != base
    assert _key(diff, evidence="measured") != base
    assert _key(other) != base
    assert re.fullmatch(r"[0-9a-f]{20}", base)


def _meta(percent: float | None, metric: str = "duration") -> dict[str, object]:
    return {"improvement": {"metric": metric, "percent": percent}}


@pytest.mark.parametrize(
    ("old", "new", "moved"),
    [
        (-12.4, -12.6, False),  # noise: what a fixed grid counted (it crosses -12.5)
        (-13.0, -17.0, False),  # 4 points: not material
        (-20.0, -24.9, False),
        (-20.0, -25.0, True),  # a full step, either way
        (-20.0, -15.0, True),
        (-69.8, -64.8, True),  # 5.0 points between figures rounded to 0.1
        (2.4, -2.4, False),
        (None, None, False),
        (-20.0, None, True),  # a figure on one side only
        (None, -20.0, True),
    ],
)
def test_the_headline_figure_moves_materially_by_five_points(
    old: float | None, new: float | None, moved: bool
) -> None:
    assert MATERIAL_STEP == 5.0
    assert improvement_moved(_meta(old), _meta(new)) is moved


def test_another_metric_or_a_malformed_figure() -> None:
    assert improvement_moved(_meta(-20.0), _meta(-20.0, metric="cost"))
    assert not improvement_moved({}, {"improvement": "a lot"})
    assert improvement_moved({"improvement": {"percent": True}}, _meta(-3.0))  # a bool is none
    assert not improvement_moved(_meta(float("nan")), {})


# --- branch names -------------------------------------------------------------------------

HOSTILE_NAMES = [
    "review team",
    "../../etc/passwd",
    "-rf",
    ".hidden",
    "x.lock",
    "a..b",
    "a//b",
    "trailing.",
    "@",
    "@{upstream}",
    "tilde~1^2:colon?star*[bracket",
    "back\\slash",
    "new\nline\ttab",
    "équipe_réseau",
    "🚀",
    "",
    "HEAD",
    "x" * 300,
    "a/b/c",
    "refs/heads/main",
    "DEL\x7fchar",
]


def _git_accepts(name: str) -> bool:
    done = subprocess.run(
        ["git", "check-ref-format", "--branch", name], capture_output=True, text=True, check=False
    )
    return done.returncode == 0


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_sanitised_branches_pass_git_check_ref_format(name: str) -> None:
    branch = branch_name("autotune/", name, name)
    assert is_valid_branch(branch)
    assert _git_accepts(branch), branch
    assert branch.startswith("autotune/")
    assert branch.count("/") == 2


@settings(max_examples=60, deadline=None)
@given(workflow=st.text(max_size=80), target=st.text(max_size=80))
def test_any_names_make_a_branch_git_accepts(workflow: str, target: str) -> None:
    branch = branch_name("autotune/", workflow, target)
    assert _git_accepts(branch), branch
    assert branch == branch_name("autotune/", workflow, target)  # stable


def test_clean_names_are_kept_and_changed_names_stay_distinct() -> None:
    assert ref_component("review_team") == "review_team"
    assert ref_component("deep-research.v2") == "deep-research.v2"
    changed = {ref_component(n) for n in ["a b", "a:b", "a~b", "a-b", "a..b", "a.b"]}
    assert len(changed) == 6
    assert ref_component("a b").startswith("a-b-")


@pytest.mark.parametrize(
    "name",
    [
        "autotune/ok",
        "autotune/a b",
        "autotune/.x",
        "autotune/x.lock",
        "autotune/x.",
        "autotune//x",
        "autotune/x/",
        "/autotune/x",
        "-autotune/x",
        "autotune/a..b",
        "autotune/a@{b",
        "autotune/a~b",
        "autotune/a^b",
        "autotune/a:b",
        "autotune/a?b",
        "autotune/a*b",
        "autotune/a[b",
        "autotune/a\\b",
        "autotune/x.lock/y",
        "autotune/ü",
        "autotune/@",
    ],
)
def test_validity_check_agrees_with_git(name: str) -> None:
    assert is_valid_branch(name) is _git_accepts(name)


def test_names_git_reads_as_head_are_refused() -> None:
    # git accepts them as ref names, but on a command line they mean the checked-out commit
    assert not is_valid_branch("@")
    assert not is_valid_branch("HEAD")
