"""The before → after flowchart: structure of the example workflows, formations drawn as they
run, and hostile ids that must not change the chart."""

from __future__ import annotations

import html
import re

import pytest

from autotune_bot.gitops.mermaid import MAX_DIAGRAM_NODES, mermaid_label, workflow_flowchart
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import WorkflowDef

from .demo_plan import demo_patch

ID = r"(?:[ab]\d+(?:m\d+)?|s[ab])"
LABEL = r'"[^"`\n]*"'
GRAMMAR = [
    r"flowchart LR",
    rf"subgraph {ID}\[{LABEL}\]",
    r"direction (?:TB|LR)",
    r"end",
    rf"{ID}(?:\[{LABEL}\]|\{{{LABEL}\}}|\{{\{{{LABEL}\}}\}}|\[\[{LABEL}\]\])",
    rf"{ID} (?:-->|-\.->)(?:\|{LABEL}\|)? {ID}",
    r"classDef (?:changed|added|removed) [\w:#,.\- ]+",
    rf"class {ID}(?:,{ID})* (?:changed|added|removed)",
]


def _check_grammar(chart: str) -> None:
    for line in chart.splitlines():
        assert any(re.fullmatch(rule, line.strip()) for rule in GRAMMAR), line


def _decode(label: str) -> str:
    """Mermaid entity codes back to text (``#35;`` numeric, ``#quot;`` named as in HTML)."""

    def one(m: re.Match[str]) -> str:
        code = m[1]
        return chr(int(code)) if code.isdigit() else html.unescape(f"&{code};")

    return re.sub(r"#(\d+|[a-z]+);", one, label)


def _labels(chart: str) -> dict[str, str]:
    """Chart id → decoded label of every node and subgraph declaration."""
    found = {}
    for line in chart.splitlines():
        m = re.fullmatch(rf'\s*(?:subgraph )?({ID})[\[{{]+"([^"]*)"[\]}}]+', line)
        if m:
            found[m[1]] = _decode(m[2])
    return found


def _edges(chart: str) -> list[tuple[str, str]]:
    return re.findall(rf"^\s*({ID}) -\.?->(?:\|[^|]*\|)? ({ID})$", chart, flags=re.M)


def _classes(chart: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for refs, name in re.findall(rf"^\s*class ({ID}(?:,{ID})*) (\w+)$", chart, flags=re.M):
        out.setdefault(name, set()).update(refs.split(","))
    return out


def _workflow(text: str, name: str | None = None) -> WorkflowDef:
    parsed = parse_workflow_text(text, "w.yaml")
    return next(wf for wf in parsed.workflows if name in (None, wf.name))


def test_team_formation_before_and_after() -> None:
    p = demo_patch("code_review/review_team")
    target = p.target
    assert target.workflow is not None
    after = _workflow(p.patch.new_text, "code_review")
    chart = workflow_flowchart(target.workflow, after, focus="review_team", changed={"review_team"})
    assert chart is not None
    _check_grammar(chart)
    labels = _labels(chart)
    box = next(
        i for i, text in labels.items() if text.startswith("review_team") and i.startswith("b")
    )
    assert labels[box] == "review_team · sequential"
    after_box = "a" + box[1:]
    assert labels[after_box] == "review_team · parallel"
    before_members = sorted(i for i in labels if i.startswith(box + "m"))
    after_members = sorted(i for i in labels if i.startswith(after_box + "m"))
    assert [labels[i] for i in before_members] == ["security", "performance", "style", "docs"]
    assert [labels[i] for i in after_members] == ["security", "performance", "style"]
    edges = _edges(chart)
    # sequential: a chain through the members; parallel: side by side
    assert [(labels[a], labels[b]) for a, b in edges if a in before_members] == [
        ("security", "performance"),
        ("performance", "style"),
        ("style", "docs"),
    ]
    assert not [e for e in edges if e[0] in after_members]
    docs = next(i for i in before_members if labels[i] == "docs")
    assert _classes(chart)["removed"] == {docs}
    assert ("sb", "sa") in edges


def test_workflow_change_marks_removed_added_and_changed_nodes() -> None:
    tp = demo_patch("deep_research/deep_research")
    before = tp.target.workflow
    assert before is not None
    after = _workflow(tp.patch.new_text, "deep_research")
    chart = workflow_flowchart(before, after, changed={"fetch_news"})
    assert chart is not None
    _check_grammar(chart)
    labels = _labels(chart)
    by_label = {(i[0], text.split("<br/>")[0]): i for i, text in labels.items()}
    classes = _classes(chart)
    assert classes["removed"] == {by_label[("b", "legacy_enrich")]}
    assert classes["added"] == {by_label[("a", "fetch_papers_parallel")]}
    assert classes["changed"] == {by_label[("b", "fetch_news")], by_label[("a", "fetch_news")]}
    assert ("a", "legacy_enrich") not in by_label
    # the same node has the same number on both sides
    assert by_label[("b", "fetch_news")][1:] == by_label[("a", "fetch_news")][1:]
    assert labels[by_label[("a", "fetch_papers_parallel")]].endswith("<br/>parallel")


HIERARCHICAL = """
nodes:
  - id: lead_team
    type: team
    team_formation: hierarchical
    members:
      - {id: worker1, role: w, goal: g}
      - {id: boss, role: m, goal: g, is_manager: true}
      - {id: worker2, role: w, goal: g}
"""


def test_hierarchical_team_links_the_manager_to_each_worker() -> None:
    wf = _workflow(HIERARCHICAL)
    chart = workflow_flowchart(wf, None, focus="lead_team")
    assert chart is not None
    _check_grammar(chart)
    labels = _labels(chart)
    pairs = [(labels[a], labels[b]) for a, b in _edges(chart)]
    assert sorted(pairs) == [("boss", "worker1"), ("boss", "worker2")]
    assert "sa" not in labels
    assert "subgraph sa" not in chart


def test_a_team_not_in_focus_is_one_node_with_its_formation() -> None:
    chart = workflow_flowchart(_workflow(HIERARCHICAL), None)
    assert chart is not None
    (label,) = set(_labels(chart).values()) - {"Before"}
    assert label == "lead_team<br/>team · hierarchical · 3 members"


HOSTILE = """
workflows:
  "evil`flow":
    nodes:
      - id: "start`x"
        type: compute
        next: ["te<script>am"]
      - id: "te<script>am"
        type: team
        team_formation: sequential
        members:
          - {id: "m-->1", role: r, goal: g}
          - {id: "@admin #12 \\"q\\"", role: r, goal: g}
        next: ["end"]
      - id: "end"
        type: condition
        branches: {"ok`|\\"x": "start`x"}
      - id: "#quot;&amp;%%"
        type: agent
"""


@pytest.mark.parametrize("focus", [None, "te<script>am"])
def test_hostile_ids_cannot_change_the_chart(focus: str | None) -> None:
    wf = _workflow(HOSTILE)
    chart = workflow_flowchart(wf, wf, focus=focus, changed={"te<script>am"})
    assert chart is not None
    assert "`" not in chart
    assert "<script" not in chart
    _check_grammar(chart)
    texts = {text.split("<br/>")[0] for text in _labels(chart).values()}
    assert {"start`x", "end", "#quot;&amp;%%"} <= texts
    if focus is None:
        assert "te<script>am" in texts
    else:
        assert {"te<script>am · sequential", "m-->1", '@admin #12 "q"'} <= texts
    edge_labels = [_decode(m) for m in re.findall(r'\|"([^"]*)"\|', chart)]
    assert 'ok`|"x' in edge_labels


def test_labels_are_one_line_and_clipped() -> None:
    assert mermaid_label("a\nb\tc") == "a b c"
    assert len(mermaid_label("x" * 500)) == 80


def test_too_large_workflows_get_no_chart() -> None:
    nodes = "".join(f"  - id: n{k}\n    type: compute\n" for k in range(MAX_DIAGRAM_NODES + 1))
    wf = _workflow("nodes:\n" + nodes)
    assert workflow_flowchart(wf, None) is None
