"""Metrics from workflow-run artifacts: listing, the 302 without credentials, caps, zip-slip."""

from __future__ import annotations

import gzip
import io
import stat
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from autotune_bot.forge.artifacts import (
    ArtifactError,
    ArtifactInfo,
    ArtifactLimits,
    extract_metrics_archive,
    select_artifacts,
    unsafe_entry_reason,
)
from autotune_bot.forge.github_artifacts import GitHubArtifacts
from autotune_bot.forge.github_client import GitHubClient
from autotune_bot.settings.models import Settings
from tests.github_fake.server import FAKE_TOKEN, STORAGE_URL, FakeGitHub

pytest_plugins = ("tests.github_fake.fixtures",)

METRICS = b'{"run_id": "r1", "duration": 12.5}\n'


def zip_of(*entries: tuple[str | zipfile.ZipInfo, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def symlink_entry(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


@pytest.fixture
def artifacts(github_client: GitHubClient) -> GitHubArtifacts:
    return GitHubArtifacts(github_client)


# -- listing and choosing ------------------------------------------------------------------


def test_fetch_metrics_takes_matching_artifacts_of_this_repository(
    artifacts: GitHubArtifacts, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    older = fake_github.add_artifact("autotune-metrics-1", {"metrics/a.jsonl": METRICS})
    newer = fake_github.add_artifact(
        "autotune-metrics-2", {"m/b.json": b"[]", "notes.txt": b"hello", "m/c.jsonl.gz": b"x"}
    )
    fake_github.add_artifact("coverage", {"cov.json": b"{}"})
    fake_github.add_artifact("autotune-metrics-old", {"a.json": b"{}"}, expired=True)
    fake_github.add_artifact("autotune-metrics-fork", {"a.json": b"{}"}, from_fork=True)

    patterns = Settings().metrics_artifacts
    got = artifacts.fetch_metrics(patterns, tmp_path / "downloads")

    assert patterns == ("autotune-metrics*",)
    assert [a.name for a in got.extracted] == ["autotune-metrics-2", "autotune-metrics-1"]
    assert got.rejected == ()
    first = tmp_path / "downloads" / f"{older}-autotune-metrics-1"
    assert (first / "metrics" / "a.jsonl").read_bytes() == METRICS
    second = tmp_path / "downloads" / f"{newer}-autotune-metrics-2"
    assert sorted(p.relative_to(second).as_posix() for p in got.extracted[0].files) == [
        "m/b.json",
        "m/c.jsonl.gz",
    ]
    assert got.extracted[0].skipped == ("notes.txt",)
    assert not (second / "notes.txt").exists()
    assert len(fake_github.calls_to("actions/download-artifact")) == 2


def test_the_archive_is_fetched_from_storage_without_the_authorization_header(
    artifacts: GitHubArtifacts, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    fake_github.add_artifact("autotune-metrics", {"a.json": METRICS})

    got = artifacts.fetch_metrics(["autotune-*"], tmp_path)

    assert len(got.files) == 1
    [api_call] = fake_github.calls_to("actions/download-artifact")
    assert api_call.headers["Authorization"] == f"Bearer {FAKE_TOKEN}"
    assert api_call.status == 302
    [storage_call] = fake_github.storage_calls
    assert storage_call.url.startswith(f"{STORAGE_URL}/")
    assert "Authorization" not in storage_call.headers
    assert FAKE_TOKEN not in str(storage_call.headers)
    assert storage_call.status == 200


def test_one_runs_artifacts(
    artifacts: GitHubArtifacts, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    mine = fake_github.add_artifact("autotune-metrics", {"a.json": b"{}"}, run_id=81)
    fake_github.add_artifact("autotune-metrics", {"a.json": b"{}"}, run_id=82)

    listed = artifacts.list_artifacts(run_id=81)

    assert [a.id for a in listed] == [mine]
    assert (listed[0].run_id, listed[0].head_branch, listed[0].from_fork) == (81, "main", False)
    assert fake_github.calls_to("actions/get-workflow-run")
    assert fake_github.calls_to("actions/list-workflow-run-artifacts")


def test_download_failures_are_retried(
    artifacts: GitHubArtifacts, fake_github: FakeGitHub, tmp_path: Path, sleeps: list[float]
) -> None:
    fake_github.add_artifact("autotune-metrics", {"a.json": b"{}"})
    fake_github.inject("actions/download-artifact", status=502)
    got = artifacts.fetch_metrics(["autotune-*"], tmp_path)
    assert len(got.files) == 1
    assert sleeps == [2.0]


def test_an_expired_archive_is_reported_and_the_rest_used(
    artifacts: GitHubArtifacts, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    gone = fake_github.add_artifact("autotune-metrics-a", {"a.json": b"{}"}, expired=True)
    fake_github.add_artifact("autotune-metrics-b", {"b.json": b"{}"})
    listed = {a.name: a for a in artifacts.list_artifacts()}
    # Listed as not expired a moment ago, gone by the time it is downloaded:
    stale = listed["autotune-metrics-a"]
    assert stale.id == gone
    fresh = ArtifactInfo(**{**vars(stale), "expired": False})

    got = artifacts.download([fresh, listed["autotune-metrics-b"]], tmp_path)

    assert [a.name for a in got.extracted] == ["autotune-metrics-b"]
    [(name, reason)] = got.rejected
    assert name == "autotune-metrics-a"
    assert "410 Artifact has expired" in reason


# -- size caps -------------------------------------------------------------------------------


def capped(client: GitHubClient, **limits: int) -> GitHubArtifacts:
    return GitHubArtifacts(client, limits=ArtifactLimits(**limits))


def test_archive_size_cap(
    github_client: GitHubClient, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    data = zip_of(("a.json", b"1" * 5000))
    fake_github.add_artifact("autotune-metrics", data=data)

    got = capped(github_client, max_archive_bytes=len(data) - 1).fetch_metrics(["*"], tmp_path)

    assert got.extracted == ()
    assert f"more than {len(data) - 1}" in got.rejected[0][1]
    assert not fake_github.storage_calls  # the listed size already told


@pytest.mark.parametrize(
    ("send_length", "message"),
    [(True, "archive of {size} bytes (more than 1000)"), (False, "archive over 1000 bytes")],
)
def test_an_archive_bigger_than_listed_is_cut_off(
    github_client: GitHubClient,
    fake_github: FakeGitHub,
    tmp_path: Path,
    send_length: bool,
    message: str,
) -> None:
    data = zip_of(("a.json", bytes(range(256)) * 20))
    assert len(data) > 5120  # stored, not compressed
    fake_github.add_artifact("m", data=data, listed_size=10, send_length=send_length)

    got = capped(github_client, max_archive_bytes=1000).fetch_metrics(["*"], tmp_path / "out")

    assert got.extracted == ()
    assert message.format(size=len(data)) in got.rejected[0][1]
    assert fake_github.storage_calls[0].status == 200


def test_extracted_size_cap(
    github_client: GitHubClient, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    fake_github.add_artifact("autotune-metrics", {"a.json": b"1" * 4000, "b.json": b"2" * 4000})
    target = tmp_path / "out"
    got = capped(github_client, max_extracted_bytes=7000).fetch_metrics(["*"], target)
    assert "unpacks to more than 7000 bytes" in got.rejected[0][1]
    assert list(target.iterdir()) == []  # nothing half-written is left


def test_total_size_cap_across_artifacts(
    github_client: GitHubClient, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    fake_github.add_artifact("autotune-metrics-1", {"a.json": b"1" * 3000})
    fake_github.add_artifact("autotune-metrics-2", {"a.json": b"2" * 3000})
    fake_github.add_artifact("autotune-metrics-3", {"a.json": b"3" * 3000})

    got = capped(github_client, max_total_bytes=7000).fetch_metrics(["*"], tmp_path)

    assert [a.name for a in got.extracted] == ["autotune-metrics-3", "autotune-metrics-2"]
    assert [name for name, _ in got.rejected] == ["autotune-metrics-1"]


def test_gzip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = gzip.compress(b"0" * 200_000)
    assert len(bomb) < 1000
    with pytest.raises(ArtifactError, match="decompresses to more than 100000 bytes"):
        extract_metrics_archive(
            io.BytesIO(zip_of(("m.jsonl.gz", bomb))),
            tmp_path / "a",
            name="m",
            limits=ArtifactLimits(max_extracted_bytes=100_000),
        )
    assert not (tmp_path / "a").exists()


def test_too_many_entries(tmp_path: Path) -> None:
    data = zip_of(*((f"{i}.json", b"{}") for i in range(5)))
    with pytest.raises(ArtifactError, match="5 entries"):
        extract_metrics_archive(
            io.BytesIO(data), tmp_path / "a", name="m", limits=ArtifactLimits(max_entries=4)
        )


# -- zip-slip --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (("../evil.json", b"{}"), "has '..' in its path"),
        (("metrics/../../evil.json", b"{}"), "has '..' in its path"),
        (("/etc/evil.json", b"{}"), "has an absolute path"),
        (("C:/evil.json", b"{}"), "has an absolute path"),
        (("..\\evil.json", b"{}"), "has a backslash"),
        (symlink_entry("link.json", "/etc/passwd"), "is a symbolic link"),
    ],
)
def test_unsafe_entries_reject_the_whole_artifact(
    github_client: GitHubClient,
    fake_github: FakeGitHub,
    tmp_path: Path,
    entry: tuple[str | zipfile.ZipInfo, bytes],
    reason: str,
) -> None:
    data = zip_of(("good.json", b"{}"), entry)
    fake_github.add_artifact("autotune-metrics", data=data)
    work = tmp_path / "work"
    work.mkdir()

    got = GitHubArtifacts(github_client).fetch_metrics(["*"], work / "downloads")

    assert got.extracted == ()
    [(_, why)] = got.rejected
    assert reason in why
    assert [p.relative_to(work).as_posix() for p in work.rglob("*")] == []


def test_unsafe_entry_reason_accepts_ordinary_paths() -> None:
    for name in ("a.json", "metrics/2026/a.jsonl", "./a.json", "a..b.json"):
        assert unsafe_entry_reason(zipfile.ZipInfo(name)) is None


def test_a_duplicate_entry_is_refused(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = zip_of(("a.json", b"1"), ("a.json", b"2"))
    with pytest.raises(ArtifactError, match="appears twice"):
        extract_metrics_archive(io.BytesIO(data), tmp_path / "a", name="m")


def test_not_a_zip(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="not a zip archive"):
        extract_metrics_archive(io.BytesIO(b"PK no zip"), tmp_path / "a", name="m")


# -- selection (pure) ------------------------------------------------------------------------


def info(
    artifact_id: int, name: str, day: int, head_branch: str, from_fork: bool = False
) -> ArtifactInfo:
    created = datetime(2026, 1, day, tzinfo=UTC)
    url = f"https://api.github.com/repos/o/r/actions/artifacts/{artifact_id}/zip"
    return ArtifactInfo(
        artifact_id, name, 10, False, created, url, head_branch=head_branch, from_fork=from_fork
    )


def test_select_artifacts() -> None:
    listed = [
        info(1, "autotune-metrics-a", 1, head_branch="main"),
        info(2, "autotune-metrics-b", 3, head_branch="feature"),
        info(3, "Autotune-Metrics-c", 4, head_branch="main"),  # globs are case-sensitive
        info(4, "bench-metrics", 2, head_branch="main"),
        info(5, "autotune-metrics-d", 5, head_branch="main", from_fork=True),
    ]
    patterns = ["autotune-metrics*", "bench-*"]
    assert [a.id for a in select_artifacts(listed, patterns)] == [2, 4, 1]
    assert [a.id for a in select_artifacts(listed, patterns, branch="main")] == [4, 1]
    assert [a.id for a in select_artifacts(listed, patterns, limit=1)] == [2]
    assert [a.id for a in select_artifacts(listed, patterns, include_forks=True)] == [5, 2, 4, 1]
