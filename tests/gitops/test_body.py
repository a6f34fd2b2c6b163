"""The pull request body: its sections and numbers, the A/B report or "not validated", the size
limit (largest sections cut first, marker intact), and names that try to inject Markdown."""

from __future__ import annotations

import dataclasses
import math
import re

import pytest

from autotune_bot.analysis.insight import Evidence, Insight
from autotune_bot.gitops.body import BodyInputs, render_body
from autotune_bot.gitops.body_fit import BODY_LIMIT, Part, fit_body, text_size
from autotune_bot.gitops.headline import headline
from autotune_bot.gitops.markdown import code_block, code_span, prose
from autotune_bot.gitops.marker import parse_marker, render_marker
from autotune_bot.gitops.proposals import build_proposals, target_insights
from autotune_bot.gitops.types import Proposal
from autotune_bot.patch.diff import unified_diff
from autotune_bot.patch.edits import SetValue
from autotune_bot.tuning.suggestion import (
    Change,
    OptimizationPriority,
    OptimizationSuggestion,
    OptimizationType,
)
from autotune_bot.validation.report import result_table
from autotune_bot.workflow.loader import parse_workflow_text

from .demo_plan import NOW, ab_result, demo, demo_patch, demo_patches

REVIEW = "code_review/review_team"
HEADINGS = [
    "## autotune proposal for team `review_team` in `workflows/code_review.yaml`",
    "## What was found",
    "## What changes",
    "## Why",
    "## Validation",
    "## Workflow before → after",
    "## How to roll back",
]


# --- a small reader of the Markdown structure that matters here ----------------------------

_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})([^`]*)$")


def split_fences(body: str) -> tuple[list[tuple[str, str]], str]:
    """(info string, content) of every fenced block (CommonMark rules), and the text outside."""
    blocks: list[tuple[str, str]] = []
    outside: list[str] = []
    fence: str | None = None
    info, content = "", list[str]()
    for line in body.split("\n"):
        if fence is None:
            m = _OPEN.match(line)
            if m:
                fence, info, content = m[1], m[2].strip(), []
            else:
                outside.append(line)
        elif re.fullmatch(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*", line):
            blocks.append((info, "\n".join(content)))
            fence = None
        else:
            content.append(line)
    assert fence is None, "a code fence is never closed"
    return blocks, "\n".join(outside)


def without_code_spans(text: str) -> str:
    return re.sub(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", "", text)


# --- the example proposal ------------------------------------------------------------------


@pytest.fixture(scope="module")
def proposal() -> Proposal:
    d = demo()
    made = build_proposals(
        list(demo_patches()), plan=d.plan, settings=d.settings, now=NOW, report=d.report
    )
    return next(p for p in made if p.key == REVIEW)


def test_sections_in_order_with_the_marker_last(proposal: Proposal) -> None:
    body = proposal.body
    at = [body.index(h) for h in HEADINGS]
    assert at == sorted(at)
    last = body.rstrip("\n").split("\n")[-1]
    assert last.startswith("<!-- autotune:proposal ")
    assert last.endswith(" -->")
    assert parse_marker(last) == dict(proposal.metadata)
    blocks, _ = split_fences(body)
    assert [info for info, _ in blocks] == ["diff", "mermaid"]


def test_findings_carry_the_analysis_numbers(proposal: Proposal) -> None:
    d = demo()
    team = next(t for t in d.report.teams if t.team_id == "review_team")
    about = [i for w in d.report.workflows for i in w.insights if i.component == "review_team"]
    found = proposal.body.split("## What was found")[1].split("## What changes")[0]
    for insight in [*team.insights, *about]:
        assert f"n = {insight.evidence.n}" in found
        for number in re.findall(r"\d+(?:\.\d+)?", insight.message):
            assert number in found, (number, insight.message)
    assert found.count("\n- ") == len(team.insights) + len(about)


def test_expected_effect_is_the_estimate(proposal: Proposal) -> None:
    best = demo().target("team", "review_team").best
    assert best is not None
    assert best.estimate is not None
    assert best.estimate.duration is not None
    relative = best.estimate.duration.relative
    assert relative < 0
    figure = f"\u2212{abs(relative) * 100:.1f} % duration per successful run"
    assert f"**Expected effect:** {figure} — **not validated**" in proposal.body
    assert f"**Confidence** {best.confidence:.2f}" in proposal.body


def test_changes_are_listed_old_to_new_and_the_diff_is_verbatim(proposal: Proposal) -> None:
    best = demo().target("team", "review_team").best
    assert best is not None
    section = proposal.body.split("## What changes")[1].split("## Why")[0]
    for change in best.changes:
        assert f"- `{change.describe()}`" in section
    assert "'sequential' → 'parallel'" in section
    blocks, _ = split_fences(proposal.body)
    assert blocks[0][1] + "\n" == proposal.diff


def test_not_validated_is_said_plainly(proposal: Proposal) -> None:
    section = proposal.body.split("## Validation")[1].split("## Workflow")[0]
    assert "**Not validated — simulated from recorded traces.**" in section


def test_rollback_names_the_command_and_the_history_entry(proposal: Proposal) -> None:
    section = proposal.body.split("## How to roll back")[1]
    assert "`/autotune rollback`" in section
    entry = proposal.metadata["history_entry"]
    assert f"`autotune rollback --target review_team --id {entry}`" in section


def _inputs(**changes: object) -> BodyInputs:
    d = demo()
    tp = demo_patch(REVIEW)
    result = changes.pop("validation", None)
    head = headline(tp.suggestion, result, "duration")  # type: ignore[arg-type]
    after = parse_workflow_text(tp.patch.new_text, tp.patch.path).workflows[0]
    base = BodyInputs(
        scope="team",
        target="review_team",
        workflow="code_review",
        file=tp.patch.path,
        suggestion=tp.suggestion,
        diff=tp.patch.diff,
        headline=head,
        insights=target_insights(d.report, "team", "review_team"),
        validation=result,  # type: ignore[arg-type]
        before=tp.target.workflow,
        after=after,
        history_entry="abc123def456",
        marker=render_marker({"key": REVIEW, "branch": "autotune/x/y", "evidence_key": "e"}),
        details="the job summary of run 42",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_a_validated_body_shows_the_ab_table() -> None:
    result = ab_result("passed", ratio=0.62, interval=(0.55, 0.70))
    body = render_body(_inputs(validation=result))
    blocks, outside = split_fences(body)
    text_blocks = [content for info, content in blocks if info == "text"]
    assert text_blocks == [result_table(result).rstrip("\n")]
    assert "Not validated" not in body
    assert "**Measured effect:** \u221238.0 % duration per successful run — A/B passed" in outside
    assert "0.550–0.700" in text_blocks[0]
    assert "20/20" in text_blocks[0]


def test_a_dry_run_lists_its_reasons() -> None:
    result = dataclasses.replace(
        ab_result("dry_run"),
        metrics=(),
        evidence="simulated",
        reasons=("A/B test not run (dry run)",),
    )
    body = render_body(_inputs(validation=result))
    assert "**Not validated — simulated from recorded traces.**" in body
    assert "A/B status: `dry_run`" in body
    assert "- A/B test not run (dry run)" in body


# --- size limit ----------------------------------------------------------------------------


def _huge_diff(lines: int, text: str = "x" * 60) -> str:
    old = "".join(f"k{n}: a\n" for n in range(lines))
    new = "".join(f"k{n}: {text}\n" for n in range(lines))
    return unified_diff(old, new, "workflows/code_review.yaml")


def test_a_huge_diff_is_cut_and_the_marker_kept() -> None:
    inputs = _inputs(diff=_huge_diff(3000))
    assert len(inputs.diff) > 3 * BODY_LIMIT
    body = render_body(inputs)
    assert len(body) <= BODY_LIMIT
    assert text_size(body) <= BODY_LIMIT
    assert body.endswith(inputs.marker)
    assert parse_marker(body) == parse_marker(inputs.marker)
    blocks, outside = split_fences(body)
    diff = next(content for info, content in blocks if info == "diff")
    original = inputs.diff.split("\n")
    kept = diff.split("\n")
    assert original[: len(kept)] == kept  # a prefix, cut at a line boundary
    assert f"diff truncated: {len(kept)} of {len(original) - 1} lines shown" in outside
    assert "the full diff is in the job summary of run 42" in outside
    assert [info for info, _ in blocks] == ["diff", "mermaid"]  # the small diagram stays
    assert all(h.split(" for ")[0] in body for h in HEADINGS)
    assert len(body) > BODY_LIMIT - 2000  # cut to fit, not to nothing


def test_size_is_counted_in_utf16_units() -> None:
    inputs = _inputs(diff=_huge_diff(2000, "🚀" * 30))
    body = render_body(inputs)
    assert text_size(body) <= BODY_LIMIT
    assert len(body.encode("utf-16-le")) // 2 <= BODY_LIMIT
    assert body.endswith(inputs.marker)


def _part(size: int, what: str, atomic: bool = False) -> Part:
    lines = tuple(f"{what} {n:06d} " + "y" * 50 for n in range(size // 64))
    return Part(f"## {what}\n\n", lines, fenced="", atomic=atomic, what=what)


@pytest.mark.parametrize(("diff_size", "chart_size"), [(40_000, 50_000), (50_000, 40_000)])
def test_the_largest_section_is_cut_first(diff_size: int, chart_size: int) -> None:
    parts = [Part("# head\n"), _part(diff_size, "diff"), _part(chart_size, "diagram", atomic=True)]
    marker = render_marker({"key": "k", "branch": "b", "evidence_key": "e"})
    body = fit_body(parts, marker, "the report")
    assert text_size(body) <= BODY_LIMIT
    assert body.endswith(marker)
    if chart_size > diff_size:
        assert "the diagram (781 lines) is not shown here" in body
        assert parts[1].render() in body  # the diff is whole
    else:
        assert "diagram 000609" in body  # the diagram is whole
        assert "diff truncated:" in body


def test_text_that_cannot_shrink_is_cut_and_an_open_fence_closed() -> None:
    head = "intro\n```text\n" + "z" * 70 + "\n" + ("line of text\n" * 8000)
    marker = render_marker({"key": "k", "branch": "b", "evidence_key": "e"})
    body = fit_body([Part(head)], marker, "the report")
    assert text_size(body) <= BODY_LIMIT
    _blocks, outside = split_fences(body)  # asserts every fence is closed
    assert marker in outside.split("\n")
    assert "the rest of this description is in the report" in outside
    assert body.endswith(marker)


# --- hostile names -------------------------------------------------------------------------

HOSTILE = """
workflows:
  "evil`flow":
    nodes:
      - id: "start`x"
        type: compute
        next: ["te<script>am"]
      - id: "te<script>am"
        type: team
        team_formation: FORMATION
        members:
          - {id: "m-->1", role: r, goal: g}
          - {id: "@admin #12", role: r, goal: g}
"""
NAME = "te<script>am"


def _hostile_inputs() -> BodyInputs:
    old, new = (HOSTILE.replace("FORMATION", f) for f in ("sequential", "parallel"))
    before, after = (parse_workflow_text(t, "w.yaml").workflows[0] for t in (old, new))
    change = Change(
        file="w`.yaml",
        node=NAME,
        field="team_formation",
        line=10,
        old="sequential",
        new="parallel`-->",
        edit=SetValue(("workflows", "evil`flow", "nodes", 1, "team_formation"), "parallel"),
    )
    suggestion = OptimizationSuggestion(
        type=OptimizationType.FORMATION_SELECTION,
        priority=OptimizationPriority.HIGH,
        description="run <script>alert(1)</script> in parallel, cc @admin, see #12 `x` -->",
        current_config={},
        suggested_config={},
        expected_improvement=math.nan,
        confidence=0.5,
        risk_level=0.2,
        strategy="formation`selection",
        target=NAME,
        changes=(change,),
        evidence=("[link](javascript:alert(1)) **bold** <img src=x onerror=alert(1)>",),
    )
    insight = Insight(
        bottleneck="slow_execution",
        scope="team",
        target=NAME,
        component="m-->1`",
        severity=0.5,
        current_value=12.5,
        baseline_value=5.0,
        unit="s",
        evidence=Evidence(40, (10.0, 15.0), "mean duration (s)", 0.95, "declared <b>x</b>"),
        affected=(NAME,),
        message=f"{NAME} takes 12.5s, 2.5× the baseline; ping @admin about #12 <!-- x -->",
        recommendation="",
    )
    return BodyInputs(
        scope="team",
        target=NAME,
        workflow="evil`flow",
        file="w`.yaml",
        suggestion=suggestion,
        diff=unified_diff(old, new, "w`.yaml"),
        headline=headline(suggestion, None, "duration"),
        insights=(insight,),
        validation=None,
        before=before,
        after=after,
        history_entry="0123456789ab",
        marker=render_marker(
            {"key": f"evil`flow/{NAME}", "branch": "autotune/x/y", "evidence_key": "e"}
        ),
        details="the job summary",
    )


def test_hostile_names_cannot_inject_markdown_or_html() -> None:
    inputs = _hostile_inputs()
    body = render_body(inputs)
    blocks, outside = split_fences(body)
    assert [info for info, _ in blocks] == ["diff", "mermaid"]
    assert blocks[0][1] + "\n" == inputs.diff  # the diff shown literally, inside its fence
    prose_text = without_code_spans(outside)
    assert "<script" not in prose_text
    assert "<img" not in prose_text
    assert "<b>" not in prose_text
    assert re.search(r"(?<!\\)\]\(javascript:", prose_text) is None  # no live link
    assert "@admin" not in prose_text  # defused mention: "@&#8203;admin"
    assert "@&#8203;admin" in prose_text
    assert re.search(r"(?<!&)#\d", prose_text) is None  # defused issue reference (not "&#8203;")
    assert prose_text.count("-->") == 1
    assert prose_text.rstrip().endswith("-->")
    assert "<!-- x" not in prose_text
    assert "`` m-->1` ``" in outside  # a code span longer than the backtick inside
    assert parse_marker(body) == parse_marker(inputs.marker)


def test_markdown_helpers() -> None:
    assert code_span("a`b") == "``a`b``"
    assert code_span("`x") == "`` `x ``"
    assert code_span("a\nb") == "`a b`"
    assert prose("*x* [l](u) <b> a_b @me #3 & |") == (
        "\\*x\\* \\[l\\](u) &lt;b&gt; a\\_b @&#8203;me #&#8203;3 &amp; \\|"
    )
    assert code_block("```\ninside\n", "diff") == "````diff\n```\ninside\n````\n"
