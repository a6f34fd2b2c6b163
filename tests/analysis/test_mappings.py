"""`teams:` and `workflow_ids:` in settings link metric ids to workflow files and nodes."""

from __future__ import annotations

from autotune_bot.settings import Settings

from .conftest import NodeSpec, Synth, chain_yaml, team_record, team_yaml, workflow_report

MEMBERS = ("alpha", "beta", "gamma")


def _runs(synth: Synth, team_id: str, n: int = 60) -> list[dict[str, object]]:
    out = []
    for i in range(n):
        members = synth.members(MEMBERS, median=10.0)
        total = sum(m.duration for m in members.values())
        out.append(
            team_record(
                team_id,
                duration=total + 1.0,
                success=True,
                members=members,
                minutes=10.0 * i,
                formation="sequential",
            )
        )
    return out


def test_team_mapping_links_a_metrics_id_to_a_team_node(synth: Synth) -> None:
    yamls = {"workflows/review.yaml": team_yaml("review", "review_team", "sequential", MEMBERS)}
    unmapped = synth.analyze(_runs(synth, "reviewers"), yamls)
    [alone] = unmapped.teams
    assert alone.location is None
    assert [u.team_id for u in unmapped.unknown_teams] == ["reviewers"]

    settings = Settings.model_validate(
        {"teams": {"reviewers": {"workflow": "workflows/review.yaml", "node": "review_team"}}}
    )
    mapped = synth.analyze(_runs(synth, "reviewers"), yamls, settings)
    [team] = mapped.teams
    assert team.team_id == "reviewers"
    assert team.location == "workflows/review.yaml:4"
    assert team.workflow == "review"
    assert mapped.unknown_teams == ()
    # the team node's members are known, so the formation check can run
    assert "suboptimal_formation_sequential" in {i.bottleneck for i in team.insights}


def test_workflow_id_mapping_links_runs_to_a_workflow_definition(synth: Synth) -> None:
    nodes = (NodeSpec("fetch", output="raw"), NodeSpec("summarize", reads=("raw",)))
    yamls = {"workflows/research.yaml": chain_yaml("deep_research", nodes)}
    records = synth.node_runs("research-v2", 40, {"fetch": 2.0, "summarize": 5.0})
    unmapped = synth.analyze(records, yamls)
    assert workflow_report(unmapped, "research-v2").path is None
    assert workflow_report(unmapped, "deep_research").runs == 0

    settings = Settings.model_validate(
        {
            "workflow_ids": {
                "research-v2": {"workflow": "workflows/research.yaml", "name": "deep_research"}
            }
        }
    )
    mapped = workflow_report(synth.analyze(records, yamls, settings), "research-v2")
    assert mapped.path == "workflows/research.yaml"
    assert mapped.runs == 40
