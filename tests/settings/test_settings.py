"""Tests of `.autotune.yml` parsing, validation messages, loading and the JSON Schema."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from autotune_bot.errors import SettingsError, YamlSyntaxError
from autotune_bot.settings import (
    ABTestSettings,
    AnalysisThresholds,
    Baseline,
    InvalidSettingsError,
    ModelPrice,
    Settings,
    StrategySettings,
    TeamMapping,
    WorkflowIdMapping,
    load_settings,
    parse_settings_text,
    settings_json_schema,
)

FULL = """\
version: 1
workflows: ["workflows/**/*.yaml"]
metrics: ["metrics/**/*.jsonl.gz"]
exclude: ["**/archive/**"]
teams:
  reviewers: {workflow: workflows/review.yaml, node: review_team}
workflow_ids:
  research-v2: {workflow: workflows/research.yaml, name: research}
baselines:
  review_team: {duration_seconds: 60, p95_seconds: 120, success_rate: 0.9, tool_calls: 40,
                cost_usd: 0.5}
objective: {duration: 0.6, cost: 0.3, quality: 0.1}
constraints: {min_success_rate: 0.9, max_cost_usd: null}
analysis:
  current_config_only: false
  window_days: 14
  confidence: 0.9
  min_samples: 10
  thresholds:
    slow_execution_ratio: 1.3
    outlier_share_ratio: 2.5
    success_rate_margin: 0.05
    tool_usage_ratio: 1.6
    formation_overhead_share: 0.3
    slow_node_ratio: 4.0
    dominant_node_share: 0.25
    unreliable_node_success_rate: 0.7
    expensive_tool_share: 0.15
    cache_repeat_share: 0.3
strategies:
  tool_budget: {enabled: true, options: {headroom: 0.2, mode: strict, cap: 3, dry: false}}
  caching: {enabled: false}
search: {algorithm: hill_climbing, max_evaluations: 50, seed: 7}
ab_test:
  enabled: true
  command: ["victor", "run", "{workflow}", "--input", "{input}"]
  inputs: ["inputs/a.json", "inputs/b.json"]
  runs_per_arm: 10
  alpha: 0.01
  min_improvement: 0.1
  run_timeout_seconds: 300
  max_total_runs: 40
  max_cost_usd: 5.0
  concurrency: 2
pull_requests:
  labels: [autotune, performance]
  reviewers: [alice]
  max_open: 3
  max_per_run: 1
  branch_prefix: "bot/autotune-"
  author_name: "Tuning Bot"
  author_email: "tuning@example.com"
monitoring: {enabled: false, min_runs: 50, false_alarm_rate: 0.01}
models:
  gpt-4o: {input_usd_per_mtok: 2.5, output_usd_per_mtok: 10.0, seconds_per_kilotoken: 0.02}
"""


def parse(text: str) -> Settings:
    return parse_settings_text(textwrap.dedent(text), ".autotune.yml")


def problems_of(text: str) -> list[str]:
    with pytest.raises(InvalidSettingsError) as caught:
        parse(text)
    return [str(problem) for problem in caught.value.problems]


# --- defaults ---------------------------------------------------------------------------


def test_defaults_of_every_section() -> None:
    s = Settings()
    assert s.version == 1
    assert (s.workflows, s.metrics, s.exclude) == ((), (), ())
    assert (s.teams, s.workflow_ids, s.baselines, s.strategies, s.models) == ({}, {}, {}, {}, {})
    assert (s.objective.duration, s.objective.cost, s.objective.quality) == (0.5, 0.5, 0.0)
    assert (s.constraints.min_success_rate, s.constraints.max_cost_usd) == (None, None)
    a = s.analysis
    assert (a.current_config_only, a.window_days, a.confidence, a.min_samples) == (
        True,
        None,
        0.95,
        20,
    )
    assert a.thresholds == AnalysisThresholds(
        slow_execution_ratio=1.2,
        outlier_share_ratio=2.0,
        success_rate_margin=0.0,
        tool_usage_ratio=1.5,
        formation_overhead_share=0.25,
        slow_node_ratio=3.0,
        dominant_node_share=0.2,
        unreliable_node_success_rate=0.8,
        expensive_tool_share=0.1,
        cache_repeat_share=0.05,
    )
    assert (s.search.algorithm, s.search.max_evaluations, s.search.seed) == (
        "hill_climbing",
        200,
        0,
    )
    ab = s.ab_test
    assert ab.enabled is False
    assert ab.command == "victor run {workflow} --input {input}"
    assert ab.argv() == ("victor", "run", "{workflow}", "--input", "{input}")
    assert (ab.inputs, ab.runs_per_arm, ab.alpha, ab.min_improvement) == ((), 20, 0.05, 0.05)
    assert (ab.run_timeout_seconds, ab.max_total_runs, ab.max_cost_usd, ab.concurrency) == (
        900.0,
        200,
        None,
        1,
    )
    pr = s.pull_requests
    assert (pr.labels, pr.reviewers, pr.max_open, pr.max_per_run) == (("autotune",), (), 5, 2)
    assert pr.branch_prefix == "autotune/"
    assert (pr.author_name, pr.author_email) == (
        "autotune-bot",
        "autotune-bot@users.noreply.github.com",
    )
    m = s.monitoring
    assert (m.enabled, m.min_runs, m.false_alarm_rate) == (True, 30, 0.05)


def test_top_level_field_order_follows_the_file_layout() -> None:
    assert list(Settings.model_fields) == [
        "version",
        "workflows",
        "metrics",
        "metrics_artifacts",
        "exclude",
        "teams",
        "workflow_ids",
        "baselines",
        "objective",
        "constraints",
        "analysis",
        "strategies",
        "search",
        "ab_test",
        "pull_requests",
        "monitoring",
        "models",
    ]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "null\n"])
def test_empty_file_gives_defaults(text: str) -> None:
    assert parse(text) == Settings()


def test_sections_without_a_value_mean_their_defaults() -> None:
    s = parse("analysis:\nteams:\nworkflows:\nab_test:\n")
    assert s == Settings()


def test_partial_section_keeps_other_defaults() -> None:
    s = parse("analysis:\n  thresholds:\n    slow_node_ratio: 5\n")
    assert s.analysis.thresholds.slow_node_ratio == 5.0
    assert s.analysis.thresholds.dominant_node_share == 0.2
    assert s.analysis.min_samples == 20


def test_null_constraint_means_no_limit() -> None:
    s = parse("constraints: {max_cost_usd: null, min_success_rate: null}\n")
    assert s.constraints.max_cost_usd is None
    assert s.constraints.min_success_rate is None


# --- a full file ------------------------------------------------------------------------


def test_full_file_parses_every_value() -> None:
    s = parse(FULL)
    assert s.workflows == ("workflows/**/*.yaml",)
    assert s.metrics == ("metrics/**/*.jsonl.gz",)
    assert s.exclude == ("**/archive/**",)
    assert s.teams == {
        "reviewers": TeamMapping(workflow="workflows/review.yaml", node="review_team")
    }
    assert s.workflow_ids == {
        "research-v2": WorkflowIdMapping(workflow="workflows/research.yaml", name="research")
    }
    assert s.baselines["review_team"] == Baseline(
        duration_seconds=60, p95_seconds=120, success_rate=0.9, tool_calls=40, cost_usd=0.5
    )
    assert s.objective.quality == 0.1
    assert s.constraints.max_cost_usd is None
    assert s.analysis.window_days == 14
    assert s.analysis.current_config_only is False
    assert s.analysis.thresholds.cache_repeat_share == 0.3
    assert s.strategies["tool_budget"] == StrategySettings(
        enabled=True, options={"headroom": 0.2, "mode": "strict", "cap": 3, "dry": False}
    )
    assert s.strategies["caching"].enabled is False
    assert s.search.seed == 7
    assert s.ab_test.argv() == ("victor", "run", "{workflow}", "--input", "{input}")
    assert s.ab_test.inputs == ("inputs/a.json", "inputs/b.json")
    assert s.ab_test.max_cost_usd == 5.0
    assert s.pull_requests.labels == ("autotune", "performance")
    assert s.pull_requests.branch_prefix == "bot/autotune-"
    assert s.monitoring.enabled is False
    assert s.models["gpt-4o"] == ModelPrice(
        input_usd_per_mtok=2.5, output_usd_per_mtok=10.0, seconds_per_kilotoken=0.02
    )


def test_full_file_round_trips_through_a_dump() -> None:
    s = parse(FULL)
    assert Settings.model_validate(s.model_dump()) == s
    assert Settings.model_validate(json.loads(s.model_dump_json())) == s


def test_option_values_keep_their_yaml_types() -> None:
    options = parse(FULL).strategies["tool_budget"].options
    assert [type(options[k]) for k in ("headroom", "mode", "cap", "dry")] == [
        float,
        str,
        int,
        bool,
    ]


def test_values_are_plain_python_not_yaml_wrappers() -> None:
    s = parse("pull_requests: {labels: [\"quoted\"], author_name: 'single'}\n")
    assert type(s.pull_requests.labels[0]) is str
    assert type(s.pull_requests.author_name) is str


def test_settings_are_frozen() -> None:
    s = Settings()
    with pytest.raises(ValidationError):
        s.version = 1  # type: ignore[misc]


def test_command_string_is_split_like_a_shell() -> None:
    ab = parse("ab_test: {command: \"victor run '{workflow}' --flag 'a b'\"}\n").ab_test
    assert ab.argv() == ("victor", "run", "{workflow}", "--flag", "a b")


def test_glob_paths_are_normalised() -> None:
    assert parse('workflows: ["./flows/*.yaml"]\n').workflows == ("flows/*.yaml",)


def test_numeric_mapping_keys_become_strings() -> None:
    s = parse("baselines:\n  42: {success_rate: 0.5}\n  true: {cost_usd: 1}\n")
    assert set(s.baselines) == {"42", "true"}


# --- unknown keys -----------------------------------------------------------------------


def test_unknown_keys_at_several_depths_name_their_lines() -> None:
    text = """\
        version: 1
        analysis:
          confidence: 0.9
          thresholds:
            slow_node_ratoi: 3
        strategies:
          tool_budget:
            enabeld: true
        teams:
          reviewers: {workflow: w.yaml, node: n, color: red}
        pull_request: {}
        """
    assert problems_of(text) == [
        ".autotune.yml:5: analysis.thresholds.slow_node_ratoi: unknown key "
        "(did you mean 'slow_node_ratio'?)",
        ".autotune.yml:8: strategies.tool_budget.enabeld: unknown key (did you mean 'enabled'?)",
        ".autotune.yml:10: teams.reviewers.color: unknown key (expected one of: workflow, node)",
        ".autotune.yml:11: pull_request: unknown key (did you mean 'pull_requests'?)",
    ]


def test_the_error_reads_as_its_first_problem() -> None:
    with pytest.raises(SettingsError) as caught:
        parse("search: {algorithm: x}\nmonitoring: {min_runz: 3}\nobjectiv: {}\n")
    err = caught.value
    assert (
        str(err) == ".autotune.yml:2: monitoring.min_runz: unknown key (did you mean 'min_runs'?)"
    )
    assert (err.path, err.line, err.field) == (".autotune.yml", 2, "monitoring.min_runz")


# --- bad values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "ab_test:\n  alpha: 1.5\n",
            ":2: ab_test.alpha: must be strictly between 0 and 1 (got 1.5)",
        ),
        ("version: 2\n", ":1: version: must be 1 (got 2)"),
        (
            "analysis:\n  thresholds: {success_rate_margin: -0.1}\n",
            ":2: analysis.thresholds.success_rate_margin: must be between 0 and 1 (got -0.1)",
        ),
        (
            "analysis:\n  thresholds:\n    slow_node_ratio: 0.5\n",
            ":3: analysis.thresholds.slow_node_ratio: must be at least 1 (got 0.5)",
        ),
        ("analysis: {min_samples: 0}\n", ":1: analysis.min_samples: must be at least 1 (got 0)"),
        (
            "analysis: {min_samples: true}\n",
            ":1: analysis.min_samples: must be a whole number (got true)",
        ),
        (
            "analysis: {window_days: 0}\n",
            ":1: analysis.window_days: must be greater than 0 (got 0)",
        ),
        (
            "analysis: {confidence: .nan}\n",
            ":1: analysis.confidence: must be a finite number (got nan)",
        ),
        (
            "monitoring: {enabled: yes}\n",
            ":1: monitoring.enabled: must be true or false (got 'yes')",
        ),
        (
            "objective: {duration: 0, cost: 0}\n",
            ":1: objective: at least one weight must be greater than 0",
        ),
        (
            "objective: {cost: -1}\n",
            ":1: objective.cost: must be at least 0 (got -1)",
        ),
        (
            "baselines:\n  t: {success_rate: 1.2}\n",
            ":2: baselines.t.success_rate: must be between 0 and 1 (got 1.2)",
        ),
        ("baselines:\n  t: {}\n", ":2: baselines.t: a baseline needs at least one value"),
        (
            "teams:\n  r: {workflow: w.yaml}\n",
            ":2: teams.r.node: required key is missing",
        ),
        (
            "workflow_ids:\n  x: {workflow: /etc/w.yaml}\n",
            ":2: workflow_ids.x.workflow: must be relative to the repository root "
            "(got '/etc/w.yaml')",
        ),
        (
            "exclude:\n  - ok/**\n  - ../outside\n",
            ":3: exclude[1]: must stay inside the repository, without '..' (got '../outside')",
        ),
        ("analysis: [1, 2]\n", ":1: analysis: must be a mapping (got a list)"),
        ("pull_requests:\n  labels: autotune\n", ":2: pull_requests.labels: must be a list"),
        ("pull_requests: {author_name: ''}\n", ":1: pull_requests.author_name: must not be empty"),
        (
            "pull_requests: {author_email: bot}\n",
            ":1: pull_requests.author_email: must be an e-mail address (got 'bot')",
        ),
        (
            "pull_requests: {branch_prefix: 'a..b'}\n",
            ":1: pull_requests.branch_prefix: must be a git branch name prefix",
        ),
        (
            "search: {algorithm: 'hill climbing'}\n",
            ":1: search.algorithm: must be an identifier",
        ),
        ("search: {seed: -1}\n", ":1: search.seed: must be at least 0 (got -1)"),
        (
            'ab_test: {command: "run \'unclosed"}\n',
            ":1: ab_test.command: cannot be split into arguments",
        ),
        ("ab_test: {command: []}\n", ":1: ab_test.command: must be a non-empty list"),
        ("ab_test: {command: 3}\n", ":1: ab_test.command: must be a string or a list of strings"),
        ("ab_test: {runs_per_arm: 1}\n", ":1: ab_test.runs_per_arm: must be at least 2 (got 1)"),
        (
            "ab_test:\n  runs_per_arm: 150\n",
            ":1: ab_test: max_total_runs (200) must be at least twice runs_per_arm (150)",
        ),
        (
            "strategies:\n  s: {options: {x: [1]}}\n",
            ":2: strategies.s.options.x: must be a single value",
        ),
        ("models:\n  m: {}\n", ":2: models.m: a model override needs at least one value"),
    ],
)
def test_bad_values_name_line_field_and_problem(text: str, expected: str) -> None:
    problems = problems_of(text)
    assert len(problems) == 1
    assert problems[0].startswith(".autotune.yml" + expected)


def test_every_problem_is_reported_in_line_order() -> None:
    text = """\
        monitoring: {false_alarm_rate: 0}
        version: 3
        analysis:
          confidence: 2
          min_samples: 1.5
        ab_test:
          alpha: 1.5
          concurrency: 0
        unknown_section: {}
        """
    with pytest.raises(InvalidSettingsError) as caught:
        parse(text)
    lines = [(p.line, p.field) for p in caught.value.problems]
    assert lines == [
        (1, "monitoring.false_alarm_rate"),
        (2, "version"),
        (4, "analysis.confidence"),
        (5, "analysis.min_samples"),
        (7, "ab_test.alpha"),
        (8, "ab_test.concurrency"),
        (9, "unknown_section"),
    ]
    assert all(isinstance(p, SettingsError) for p in caught.value.problems)
    assert all("\n" not in str(p) for p in caught.value.problems)


# --- not a settings mapping -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "got"),
    [("- a\n- b\n", 1, "a list"), ("# settings\n\n42\n", 3, "42"), ("just text\n", 1, "'just")],
)
def test_top_level_must_be_a_mapping(text: str, line: int, got: str) -> None:
    with pytest.raises(InvalidSettingsError) as caught:
        parse(text)
    assert caught.value.line == line
    assert "top level must be a mapping" in str(caught.value)
    assert f"(got {got}" in str(caught.value)


def test_invalid_yaml_is_a_syntax_error_with_its_line() -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        parse("version: 1\nanalysis:\n  confidence: [0.9\n  min_samples: 3\n")
    assert caught.value.path == ".autotune.yml"
    assert caught.value.line is not None
    assert caught.value.line >= 3
    assert str(caught.value).startswith(f".autotune.yml:{caught.value.line}: invalid YAML")


def test_duplicate_keys_are_a_syntax_error() -> None:
    with pytest.raises(YamlSyntaxError):
        parse("version: 1\nversion: 1\n")


# --- loading from a repository ----------------------------------------------------------


def test_load_without_a_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == (Settings(), None)


@pytest.mark.parametrize("name", [".autotune.yml", ".autotune.yaml"])
def test_load_reads_the_repository_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("search: {seed: 3}\n", encoding="utf-8")
    settings, display = load_settings(tmp_path)
    assert settings.search.seed == 3
    assert display == name


def test_load_errors_name_the_repository_file(tmp_path: Path) -> None:
    (tmp_path / ".autotune.yml").write_text("search:\n  sead: 3\n", encoding="utf-8")
    with pytest.raises(InvalidSettingsError, match=r"^\.autotune\.yml:2: search\.sead: "):
        load_settings(tmp_path)


def test_load_refuses_two_settings_files(tmp_path: Path) -> None:
    (tmp_path / ".autotune.yml").write_text("", encoding="utf-8")
    (tmp_path / ".autotune.yaml").write_text("", encoding="utf-8")
    with pytest.raises(SettingsError, match="both"):
        load_settings(tmp_path)


def test_load_explicit_path(tmp_path: Path) -> None:
    explicit = tmp_path / "conf" / "tune.yml"
    explicit.parent.mkdir()
    explicit.write_text("monitoring: {min_runs: 5}\n", encoding="utf-8")
    (tmp_path / ".autotune.yml").write_text("monitoring: {min_runs: 9}\n", encoding="utf-8")
    settings, display = load_settings(tmp_path, explicit)
    assert settings.monitoring.min_runs == 5
    assert display == str(explicit)


def test_load_missing_explicit_path_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yml"
    with pytest.raises(SettingsError) as caught:
        load_settings(tmp_path, missing)
    assert str(missing) in str(caught.value)
    assert "not found" in str(caught.value)


def test_load_explicit_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not a file"):
        load_settings(tmp_path, tmp_path)


# --- JSON Schema ------------------------------------------------------------------------


def _all_properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = list(schema["properties"].items())
    for definition in schema.get("$defs", {}).values():
        found.extend(definition.get("properties", {}).items())
    return found


def test_schema_is_json_with_descriptions() -> None:
    schema = settings_json_schema()
    decoded = json.loads(json.dumps(schema))
    assert decoded["$schema"].startswith("https://json-schema.org/")
    assert "autotune" in decoded["title"]
    assert list(decoded["properties"]) == list(Settings.model_fields)
    assert decoded["additionalProperties"] is False
    missing = [name for name, prop in _all_properties(decoded) if not prop.get("description")]
    assert missing == []


def test_schema_carries_the_value_ranges() -> None:
    defs = settings_json_schema()["$defs"]
    alpha = defs["ABTestSettings"]["properties"]["alpha"]
    assert (alpha["exclusiveMinimum"], alpha["exclusiveMaximum"]) == (0, 1)
    margin = defs["AnalysisThresholds"]["properties"]["success_rate_margin"]
    assert (margin["minimum"], margin["maximum"]) == (0, 1)
    assert defs["SearchSettings"]["properties"]["max_evaluations"]["minimum"] == 1


def test_python_api_gets_the_same_messages() -> None:
    with pytest.raises(ValidationError, match=r"must be strictly between 0 and 1 \(got 2\)"):
        ABTestSettings(alpha=2)
