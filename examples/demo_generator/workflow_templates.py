"""The three Victor workflow files, with ``<<name>>`` placeholders for the generated parts."""

CODE_REVIEW_YAML = """\
# Pull-request review bot.
#
# Triggered by the pull_request webhook for every PR against main. The summary is posted
# back as one PR comment; nothing here blocks a merge.
workflows:
  code_review:
    description: Review a pull request with four specialist reviewers and post a summary.
    metadata:
      owner: platform-tools
      version: "2.4"
    execution:
      max_timeout_seconds: 1800
      default_node_timeout: 120
      max_retries: 1

    nodes:
      - id: fetch_diff
        type: compute
        handler: git.fetch_pull_request_diff
        inputs:
          pr_number: $ctx.pr_number
        output: diff
        timeout: 30

      # Linters first, so the reviewers do not waste tool calls on formatting nits.
      - id: static_checks
        type: compute
        handler: checks.run_linters
        tools: [ruff, mypy]
        inputs:
          diff: $ctx.diff
        output: lint_report
        timeout: 120

      # Four specialist reviewers. This team ran as `parallel` until v2.4; it was switched to
      # `sequential` so that each reviewer could build on the notes of the one before.
      # Budgets: 30 tool calls each, 120 in total.
      - id: review_team
        type: team
        team_formation: sequential
        total_tool_budget: <<budget>>
        timeout_seconds: <<timeout>>
        max_iterations: 20
        merge_strategy: dict
        output: review_notes
        members:
<<members>>
        next: [summarize]

      # Opus writes noticeably better summaries of long review threads; worth it here.
      - id: summarize
        type: agent
        role: lead reviewer
        goal: |
          Write a single pull-request comment. Group the findings by severity, drop
          duplicates and link every finding to a line of the diff.

          Linter findings:
          {{lint_report}}

          Reviewer notes:
          {{review_notes}}
        llm_config:
          model_hint: claude-3-opus
          temperature: 0.2
          max_tokens: 2000
        output: summary

      - id: post_comment
        type: compute
        handler: github.post_pr_comment
        tools: [github_api]
        inputs:
          pr_number: $ctx.pr_number
          body: $ctx.summary
        timeout: 30
"""

RESEARCH_YAML = """\
# Deep research assistant: takes a question, gathers papers and news, has a panel of
# reviewers agree on the findings and writes a report. Started from the research portal.
workflows:
  deep_research:
    description: Answer a research question with sources, a panel review and a short report.
    metadata:
      owner: research-platform
      version: "1.7"
    execution:
      max_timeout_seconds: 2400
      default_node_timeout: 180
      max_iterations: 50
      max_retries: 1

    nodes:
      - id: plan
        type: agent
        role: research planner
        goal: |
          Break the question into sub-questions and search queries.
          Question: {{question}}
          {% if audience %}Write the plan for this audience: {{audience}}.{% endif %}
        llm_config:
          model_hint: gpt-4o
          temperature: 0.3
        output: plan

      - id: fetch_papers
        type: agent
        role: literature searcher
        goal: Find peer-reviewed papers and preprints for every query in the plan.
        tools: [web_search, arxiv]
        tool_budget: 15
        llm_config:
          model_hint: gpt-4o-mini
        input_mapping:
          plan: $ctx.plan
        output: papers

      - id: fetch_news
        type: agent
        role: news searcher
        goal: |
          Find recent news coverage for the queries in {{plan}}. The news API key
          (${API_KEY}) is injected by the web_search tool; never put it in a URL.
        tools: [web_search]
        tool_budget: 10
        llm_config:
          model_hint: gpt-4o-mini
        output: news

      # Adds citation counts and outlet ratings from the old bibliography service. Kept
      # "for now" after the switch to the arxiv tool. The service times out a lot; failures
      # are logged and the run carries on.
      - id: legacy_enrich
        type: compute
        handler: bibliography.enrich_citations
        inputs:
          papers: $ctx.papers
          news: $ctx.news
        output: enrichment
        timeout: 10

      - id: route
        type: condition
        condition: "{{papers}} | length >= 8"
        branches:
          true: deep_dive
          false: quick_summary

      - id: deep_dive
        type: agent
        role: senior analyst
        goal: |
          Write a detailed analysis of {{papers}} and {{news}}.
          {% if plan.focus %}Pay particular attention to {{plan.focus}}.{% endif %}
        llm_config:
          model_hint: gpt-4o
          temperature: 0.4
          max_tokens: 4000
        output: analysis
        next: [research_team]

      - id: quick_summary
        type: agent
        role: analyst
        goal: Summarise the few sources in {{papers}} and {{news}} and say what is missing.
        llm_config:
          model_hint: gpt-4o-mini
        output: analysis
        next: [research_team]

      # A panel of five discusses the analysis until it agrees on the findings.
      - id: research_team
        type: team
        team_formation: consensus
        total_tool_budget: <<budget>>
        timeout_seconds: <<timeout>>
        max_iterations: <<iterations>>
        merge_strategy: custom
        output: findings
        members:
<<members>>
        next: [checks]

      # Both checks only read the findings, so they run side by side.
      - id: checks
        type: parallel
        parallel_nodes: [fact_check, citation_check]
        join_strategy: all
        next: [report]

      - id: fact_check
        type: compute
        handler: verify.fact_check_claims
        inputs:
          findings: $ctx.findings
        output: fact_report
        timeout: 60

      - id: citation_check
        type: compute
        handler: verify.check_citations
        inputs:
          findings: $ctx.findings
        output: citation_report
        timeout: 60

      - id: report
        type: agent
        role: report writer
        goal: |
          Turn the agreed findings into a one-page report.
          Findings: {{findings}}
          Fact check: {{fact_report}}
          Citations: {{citation_report}}
        llm_config:
          model_hint: gpt-4o
          temperature: 0.2
          max_tokens: 1000
        output: report
"""

RELEASE_YAML = """\
---
# Release notes for the widgets monorepo. Runs when a package tag such as
# widgets-core/v3.2.0 is pushed; the draft is published as a GitHub release.
workflow:
  name: release_notes
  description: Draft and publish the release notes of one tagged package.
  variables:
    package: ""
    since_tag: ""
    release_tag: ""

  nodes:
    - id: start
      type: start

    - id: collect_commits
      type: compute
      handler: git.commits_between
      inputs:
        since: $ctx.since_tag
        until: $ctx.release_tag
      output: commits
      timeout: 60

    # The editor plans and merges; the three writers draft their sections in parallel.
    # timeout_seconds is the p95 duration plus 20 %, rounded up to 10 s.
    - id: release_team
      type: team
      output: draft_notes
      team:
        formation: hierarchical
        total_tool_budget: <<budget>>
        timeout_seconds: <<timeout>>
        max_iterations: 20
        members:
<<members>>

    - id: publish_notes
      type: compute
      handler: github.create_release
      inputs:
        tag: $ctx.release_tag
        body: $ctx.draft_notes
      timeout: 30

    - id: end
      type: end

  edges:
    - {from: start, to: collect_commits}
    - {from: collect_commits, to: release_team}
    - {from: release_team, to: publish_notes}
    - {from: publish_notes, to: end}
"""
