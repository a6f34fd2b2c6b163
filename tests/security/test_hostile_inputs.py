"""Hostile inputs other than comments, each with the safe outcome it must have.

Every row runs the real code path (the repository loader, the settings loader, the metrics
reader, the artifact extractor, branch naming, titles, workflow commands, git) on one hostile
input and returns what came out: an error's text or the value produced. The row's expected
fragment must be in it; rows also check what must not happen (a file read whole, another
workflow dropped, code run, a token shown).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from autotune_bot.actions_env import ActionInputError, annotation, read_event, verbatim
from autotune_bot.errors import AutotuneError
from autotune_bot.forge.artifacts import ArtifactLimits, extract_metrics_archive
from autotune_bot.gitops.branch_names import MAX_COMPONENT, branch_name, is_valid_branch
from autotune_bot.gitops.git import GitError, HttpAuth, run_git
from autotune_bot.gitops.headline import Headline
from autotune_bot.gitops.markdown import prose
from autotune_bot.gitops.titles import commit_message, proposal_title
from autotune_bot.history import read_history, read_texts
from autotune_bot.metrics.ingest import ingest_files
from autotune_bot.repository import load_inputs
from autotune_bot.settings import load_settings
from autotune_bot.yaml_source import MAX_YAML_ALIASES, load_yaml

GOOD_WORKFLOW = "name: good\nnodes:\n  - id: plan\n    next: [build]\n  - id: build\n"
GIB = 1024 * 1024 * 1024
MIB = 1024 * 1024
TOKEN = "ghs_" + "S3cr3tT0k3n" * 3


@dataclass(frozen=True)
class Case:
    name: str
    run: Callable[[Path], str]  # the outcome: an error's text or the safe value produced
    expected: str  # a fragment of the outcome (or all of it, for values)


def _error_text(action: Callable[[], object]) -> str:
    try:
        action()
    except AutotuneError as err:
        return str(err)
    raise AssertionError("no error raised")


# -- workflow and settings YAML --------------------------------------------------------------


def _laughs(levels: int = 9) -> str:
    lines = ["lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for k in range(1, levels + 1):
        lines.append(f"lol{k}: &l{k} [" + ", ".join([f"*l{k - 1}"] * 10) + "]")
    return "nodes:\n  - id: a\n" + "\n".join(lines) + "\n"


def _merge_bomb() -> str:
    lines = ["m0: &m0 {k: v}"]
    for k in range(1, 30):
        lines.append(f"m{k}: &m{k} {{<<: *m{k - 1}, a{k}: *m{k - 1}, b{k}: *m{k - 1}}}")
    return "nodes:\n  - id: a\n" + "\n".join(lines) + "\n"


def _repo_with(tmp: Path, name: str, content: str | int) -> Path:
    """A repository with a good workflow and ``workflows/<name>`` holding ``content`` (text,
    or a size in bytes for a sparse file of that size)."""
    (tmp / "workflows").mkdir(parents=True)
    (tmp / "workflows" / "good.yaml").write_text(GOOD_WORKFLOW, encoding="utf-8")
    bad = tmp / "workflows" / name
    if isinstance(content, int):
        with bad.open("wb") as handle:
            handle.truncate(content)
    else:
        bad.write_text(content, encoding="utf-8")
    return tmp


def _workflow_outcome(tmp: Path, name: str, content: str | int) -> str:
    """Load the repository; the bad file is one error, the good workflow is still there, and
    at most a few MiB were held in memory."""
    repo = _repo_with(tmp, name, content)
    tracemalloc.start()
    try:
        inputs = load_inputs(repo)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [wf.name for f in inputs.workflows for wf in f.workflows] == ["good"]
    [error] = inputs.workflow_errors
    assert error.path == f"workflows/{name}"
    assert peak < 32 * MIB, f"{peak} bytes held while loading"
    return str(error)


def _settings_outcome(tmp: Path, size: int) -> str:
    with (tmp / ".autotune.yml").open("wb") as handle:
        handle.truncate(size)
    tracemalloc.start()
    try:
        text = _error_text(lambda: load_settings(tmp))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * MIB
    return text


def _tagged_yaml(tmp: Path, tag: str) -> str:
    """A Python-object tag loads as inert data: nothing is imported, called or written."""
    sentinel = tmp / "ran"
    doc = load_yaml(f"a: {tag} ['touch {sentinel}']\n", "x.yml")
    assert not sentinel.exists()
    value = doc["a"]
    assert type(value).__module__.startswith("ruamel.yaml")
    return f"{type(value).__name__} {list(value)}"


def _many_aliases(_: Path) -> str:
    refs = ", ".join(["*a"] * (MAX_YAML_ALIASES + 1))
    return _error_text(lambda: load_yaml(f"x: &a [1]\ny: [{refs}]\n", "wf.yml"))


YAML_CASES = [
    Case(
        "billion laughs in a workflow",
        lambda t: _workflow_outcome(t, "bomb.yaml", _laughs()),
        "workflows/bomb.yaml: YAML aliases expand the document to more than 1000000 nodes",
    ),
    Case(
        "merge-key alias bomb in a workflow",
        lambda t: _workflow_outcome(t, "merge.yaml", _merge_bomb()),
        "workflows/merge.yaml: YAML aliases expand the document to more than 1000000 nodes",
    ),
    Case(
        "too many alias references",
        _many_aliases,
        f"wf.yml: more than {MAX_YAML_ALIASES} references to repeated YAML anchors",
    ),
    Case(
        "flow YAML nested 5000 levels",
        lambda t: _workflow_outcome(t, "deep.yaml", "[" * 5000 + "]" * 5000),
        "workflows/deep.yaml: YAML nested deeper than 100 levels; not loaded",
    ),
    Case(
        "block YAML nested 3000 levels",
        lambda t: _workflow_outcome(t, "deep.yaml", "- " * 3000 + "x\n"),
        "workflows/deep.yaml: YAML nested too deeply to load (the limit is 100 levels)",
    ),
    Case(
        "YAML nested 150 levels",
        lambda t: _workflow_outcome(t, "deep.yaml", "a: " + "[" * 150 + "]" * 150),
        "workflows/deep.yaml: YAML nested deeper than 100 levels; not loaded",
    ),
    Case(
        "3 MB workflow file",
        lambda t: _workflow_outcome(t, "big.yaml", "# " + "x" * (3 * 1000 * 1000) + "\n"),
        "workflows/big.yaml: workflow file larger than the 2 MiB limit (2.86 MiB); not read",
    ),
    Case(
        "1 GB sparse workflow file",
        lambda t: _workflow_outcome(t, "huge.yaml", GIB),
        "workflows/huge.yaml: workflow file larger than the 2 MiB limit (1.02e+03 MiB)",
    ),
    Case(
        "1 GB sparse settings file",
        lambda t: _settings_outcome(t, GIB),
        ".autotune.yml: settings file larger than the 2 MiB limit (1.02e+03 MiB); not read",
    ),
    Case(
        "3 MB YAML text already in memory",
        lambda t: _error_text(lambda: load_yaml("a: " + "b" * 3_000_000, "wf.yml")),
        "wf.yml: YAML text of 3000003 bytes is over the limit of 2097152 bytes; not parsed",
    ),
    Case(
        "!!python/object/apply tag",
        lambda t: _tagged_yaml(t, "!!python/object/apply:os.system"),
        "CommentedSeq ['touch ",
    ),
    Case(
        "!python/object tag",
        lambda t: _tagged_yaml(t, "!!python/object:subprocess.Popen"),
        "CommentedSeq ['touch ",
    ),
    Case(
        "duplicate keys in a workflow",
        lambda t: _workflow_outcome(t, "dup.yaml", "nodes: []\nnodes:\n  - id: a\n"),
        'workflows/dup.yaml:2: invalid YAML: found duplicate key "nodes"',
    ),
]


# -- metrics files and artifacts -------------------------------------------------------------


def _long_metrics_line(tmp: Path) -> str:
    """A 256 MiB line (sparse zeros) then a good record: the line is one located problem, the
    record is read, and the line was never held whole."""
    path = tmp / "metrics.jsonl"
    with path.open("wb") as handle:
        handle.truncate(256 * MIB)
        handle.seek(0, os.SEEK_END)
        handle.write(b'\n{"workflow": "w", "run_id": "r1", "duration": 12.5}\n')
    tracemalloc.start()
    try:
        result = ingest_files([(path, "metrics.jsonl")])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 96 * MIB, f"{peak} bytes held"
    assert result.problems.counts["line_too_long"] == 1
    assert result.store.records_read == 1  # the record after the long line
    [problem] = result.problems.examples["line_too_long"]
    return problem.one_line()


DEFAULT_LIMITS = ArtifactLimits()


def _zip(*entries: tuple[str | zipfile.ZipInfo, bytes], level: int = 6) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def _symlink(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def _extract(
    tmp: Path, archive: io.BytesIO, limits: ArtifactLimits = DEFAULT_LIMITS
) -> Callable[[], object]:
    def action() -> object:
        return extract_metrics_archive(archive, tmp / "out", name="metrics", limits=limits)

    return action


def _artifact_outcome(
    tmp: Path,
    *entries: tuple[str | zipfile.ZipInfo, bytes],
    limits: ArtifactLimits = DEFAULT_LIMITS,
) -> str:
    text = _error_text(_extract(tmp, _zip(("good.json", b"{}"), *entries), limits))
    assert not (tmp / "out").exists()  # nothing of a refused artifact stays
    assert sorted(p.name for p in tmp.rglob("*")) == []
    return text


def _zip_bomb(tmp: Path) -> str:
    archive = _zip(("bomb.jsonl", b"\0" * (64 * MIB)), level=9)
    assert archive.getbuffer().nbytes < 200_000  # a ratio over 300:1
    limits = ArtifactLimits(max_extracted_bytes=4 * MIB)
    text = _error_text(_extract(tmp, archive, limits))
    assert not (tmp / "out").exists()
    return text


METRICS_CASES = [
    Case(
        "256 MiB single metrics line",
        _long_metrics_line,
        "metrics.jsonl:1 (record #1): line_too_long: longer than 16777216 bytes",
    ),
    Case(
        "zip entry ../../etc/x",
        lambda t: _artifact_outcome(t, ("../../etc/x.json", b"{}")),
        "artifact 'metrics': entry '../../etc/x.json' has '..' in its path",
    ),
    Case(
        "zip entry with an absolute path",
        lambda t: _artifact_outcome(t, ("/etc/cron.d/x.json", b"{}")),
        "entry '/etc/cron.d/x.json' has an absolute path",
    ),
    Case(
        "zip entry with a drive letter",
        lambda t: _artifact_outcome(t, ("C:/Windows/x.json", b"{}")),
        "entry 'C:/Windows/x.json' has an absolute path",
    ),
    Case(
        "zip symlink entry",
        lambda t: _artifact_outcome(t, _symlink("link.json", "/etc/passwd")),
        "entry 'link.json' is a symbolic link",
    ),
    Case(
        "zip entry with Windows separators",
        lambda t: _artifact_outcome(t, ("..\\..\\evil.json", b"{}")),
        "entry '..\\\\..\\\\evil.json' has a backslash or NUL in its name",
    ),
    Case(
        "zip bomb (64 MiB of zeros in a small archive)",
        _zip_bomb,
        "artifact 'metrics': unpacks to more than 4194304 bytes",
    ),
    Case(
        "zip with too many entries",
        lambda t: _artifact_outcome(
            t, *((f"{k}.json", b"{}") for k in range(20)), limits=ArtifactLimits(max_entries=10)
        ),
        "artifact 'metrics': 21 entries (more than 10)",
    ),
    Case(
        "zip entry with a 5000-character path",
        lambda t: _artifact_outcome(t, ("d/" * 2499 + "x.json", b"{}")),
        "has a name longer than 1024 characters or a path part longer than 255 bytes",
    ),
    Case(
        "zip entry with a 300-byte file name",
        lambda t: _artifact_outcome(t, ("é" * 150 + ".json", b"{}")),
        "has a name longer than 1024 characters or a path part longer than 255 bytes",
    ),
]


# -- names from workflow files: branches, titles, Markdown -----------------------------------


def _digest(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _branch(tmp: Path, target: str) -> str:
    """The proposal branch of a hostile team name: safe characters only, bounded, accepted by
    ``git check-ref-format --branch``."""
    branch = branch_name("autotune/", "wf", target)
    assert re.fullmatch(r"[A-Za-z0-9._/-]+", branch), branch
    assert is_valid_branch(branch)
    assert len(branch) <= len("autotune/wf/") + MAX_COMPONENT + 9
    component = branch.removeprefix("autotune/wf/")
    assert ".." not in component
    assert not component.startswith(("-", "."))
    run_git(tmp, ["check-ref-format", "--branch", branch])
    return branch


def _branch_case(label: str, target: str, clean: str) -> Case:
    expected = (
        f"autotune/wf/{clean}-{_digest(target)}" if clean else f"autotune/wf/{_digest(target)}"
    )
    return Case(f"branch from {label}", lambda t: _branch(t, target), expected)


def _title(_: Path) -> str:
    name = "evil\u202etxt.exe\n::set-output name=x::1\r\u2066x\u2069"
    head = Headline(metric="duration", percent=-35.0, status="not_validated", evidence="simulated")
    title = proposal_title(name, [], head)
    message = commit_message(
        title,
        description=name,
        key=f"wf/{name}",
        file="workflows/wf.yaml",
        evidence_key="e",
        validation_status="not_validated",
        history_entry="h",
    )
    subject = message.split("\n")[0]
    assert subject == title
    assert f"Autotune-Key: wf/{name}" not in message
    for hidden in ("\u202e", "\u2066", "\u2069", "\r"):
        assert hidden not in message
    return title


BRANCH_CASES = [
    _branch_case("'..'", "..", ""),
    _branch_case("a leading '-'", "-rf", "rf"),
    _branch_case("'@{'", "main@{1}", "main-1"),
    _branch_case("spaces", "review team", "review-team"),
    _branch_case("a newline", "a\nb", "a-b"),
    _branch_case("a bidi override U+202E", "\u202eexe.txt", "exe.txt"),
    _branch_case("a zero-width space", "re\u200bview", "re-view"),
    _branch_case("a Cyrillic homoglyph", "\u0430dmin", "dmin"),
    _branch_case("a 500-character name", "x" * 500, "x" * MAX_COMPONENT),
    _branch_case("a .lock suffix", "team.lock", "team"),
    _branch_case("a path", "refs/heads/main", "refs-heads-main"),
    _branch_case("an empty name", "", ""),
    Case(
        "bidi and line breaks in a title",
        _title,
        "autotune: evil txt.exe ::set-output name=x::1 x configuration change "
        "(−35 % duration, not validated)",
    ),
    Case(
        "Markdown and HTML in a name",
        lambda t: prose("<img src=x onerror=alert(1)> [x](javascript:y) @admin #1 `code`"),
        "&lt;img src=x onerror=alert(1)&gt; \\[x\\](javascript:y) @&#8203;admin "
        "#&#8203;1 \\`code\\`",
    ),
]


# -- workflow commands, tokens, history, event payload ---------------------------------------


def _annotation(_: Path) -> str:
    line = annotation(
        "error",
        "workflow 'x\n::add-mask::y\r\n::set-output name=a::b' 100%",
        "workflows/a,b:c.yaml",
        3,
    )
    assert "\n" not in line
    assert "\r" not in line
    return line


def _verbatim(_: Path) -> str:
    text = "note: team\n::stop-commands::x\n  ::add-mask::y\nrun ##[set-output name=a;]b\n"
    token = "k" * 32
    framed = verbatim(text, token)
    lines = framed.split("\n")
    assert lines[0] == f"::stop-commands::{token}"
    assert lines[-2] == f"::{token}::"
    with pytest.raises(ValueError, match="token"):
        verbatim(f"guess {token}", token)
    return framed


def _git_error(tmp: Path) -> str:
    run_git(tmp, ["init", "-q"])
    auth = HttpAuth(url="https://example.invalid/", token=TOKEN)
    try:
        run_git(tmp, ["checkout", f"https://x-access-token:{TOKEN}@example.invalid/"], auth=auth)
    except GitError as err:
        shown = f"{err} {err!r} {err.args} {err.command} {err.detail}"
        assert TOKEN not in shown
        assert TOKEN not in repr(auth)
        return str(err)
    raise AssertionError("git did not fail")


def _history_outside(tmp: Path) -> str:
    repo = tmp / "repo"
    repo.mkdir()
    (repo / "inside.txt").write_text("x\n", encoding="utf-8")
    (tmp / "outside.txt").write_text("secret\n", encoding="utf-8")
    text = _error_text(lambda: read_texts(repo, ["../outside.txt"]))
    assert "secret" not in text
    return text


def _history_too_big(tmp: Path) -> str:
    (tmp / ".autotune").mkdir()
    with (tmp / ".autotune" / "history.jsonl").open("wb") as handle:
        handle.truncate(65 * MIB)
    return _error_text(lambda: read_history(tmp))


def _event_too_big(tmp: Path) -> str:
    path = tmp / "event.json"
    with path.open("wb") as handle:
        handle.truncate(30 * MIB)
    with pytest.raises(ActionInputError) as info:
        read_event(path)
    return str(info.value)


OUTPUT_CASES = [
    Case(
        "workflow-command injection in an annotation",
        _annotation,
        "::error file=workflows/a%2Cb%3Ac.yaml,line=3::workflow 'x%0A::add-mask::y%0D%0A"
        "::set-output name=a::b' 100%25",
    ),
    Case(
        "workflow commands in printed free text",
        _verbatim,
        "::stop-commands::" + "k" * 32 + "\nnote: team\n::stop-commands::x\n",
    ),
    Case(
        "token in a git error message",
        _git_error,
        "git checkout 'https://***@example.invalid/' failed (exit 1): error: pathspec "
        "'https://***@example.invalid/' did not match",
    ),
    Case(
        "history naming a file outside the repository",
        _history_outside,
        ".autotune/history.jsonl: '../outside.txt' has a '..' component: it would leave the "
        "repository; not read",
    ),
    Case(
        "65 MiB history file",
        _history_too_big,
        ".autotune/history.jsonl: history file larger than the 64 MiB limit (65 MiB); not read",
    ),
    Case(
        "30 MiB event payload",
        _event_too_big,
        "event payload larger than 26214400 bytes",
    ),
]

CASES = YAML_CASES + METRICS_CASES + BRANCH_CASES + OUTPUT_CASES


def test_the_table_has_at_least_twenty_distinct_hostile_inputs() -> None:
    assert len({case.name for case in CASES}) == len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input_has_its_safe_outcome(case: Case, tmp_path: Path) -> None:
    outcome = case.run(tmp_path)
    assert case.expected in outcome
