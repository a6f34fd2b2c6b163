"""What ``autotune action`` hands back to the GitHub Actions runner: workflow commands and files.

:func:`annotation` and :func:`mask` return workflow-command lines (``::error …``,
``::add-mask::``) for the caller to print, escaped as ``@actions/core`` does;
:func:`verbatim` frames free text so that none of it is taken as a workflow command.
:func:`write_outputs` appends step outputs to ``$GITHUB_OUTPUT`` (heredoc syntax with a
delimiter found in no value) and :func:`append_summary` Markdown to ``$GITHUB_STEP_SUMMARY``,
cut at a line so the step's summary stays within the runner's 1 MiB cap. The formatting is
pure; only the two writers touch files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

__all__ = [
    "SUMMARY_MAX_BYTES",
    "annotation",
    "append_summary",
    "format_outputs",
    "mask",
    "summary_text",
    "verbatim",
    "write_outputs",
]

SUMMARY_MAX_BYTES = 1024 * 1024  # the runner drops a step summary over 1 MiB
_OUTPUT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_DELIMITER = "AUTOTUNE_EOF"
_TRUNCATED = "\n\n*(summary truncated: GitHub shows at most 1 MiB of summary per step)*\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(
    kind: Literal["error", "warning", "notice"],
    message: str,
    file: str | None = None,
    line: int | None = None,
    *,
    title: str | None = None,
) -> str:
    """A ``::error file=…,line=…::message`` workflow command, escaped as ``@actions/core`` does."""
    if kind not in ("error", "warning", "notice"):
        raise ValueError(f"unknown annotation kind {kind!r}")
    props = [(k, v) for k, v in (("title", title), ("file", file), ("line", line)) if v is not None]
    text = ",".join(f"{k}={_escape_property(str(v))}" for k, v in props)
    return f"::{kind}{' ' + text if text else ''}::{_escape_data(message)}"


def mask(value: str) -> str:
    """The ``::add-mask::`` command that makes the runner hide ``value`` in later log lines."""
    return f"::add-mask::{_escape_data(value)}"


def verbatim(text: str, token: str) -> str:
    """``text`` framed by ``::stop-commands::`` so the runner takes none of it as a command.

    Free text on standard output (names from workflow files, error messages) could hold a
    line starting with ``::`` or a ``##[…]`` command anywhere in a line; between
    ``::stop-commands::<token>`` and ``::<token>::`` the runner processes no workflow command.
    ``token`` must be unguessable (the caller draws it at random) and is refused when
    ``text`` holds it.
    """
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,}", token) or token in text:
        raise ValueError("the stop-commands token must be 16+ safe characters not in the text")
    body = text if text.endswith("\n") or not text else text + "\n"
    return f"::stop-commands::{token}\n{body}::{token}::\n"


def _delimiter(name: str, value: str) -> str:
    """A heredoc delimiter found in neither ``name`` nor ``value`` (no randomness needed)."""
    candidate, n = _DELIMITER, 0
    while candidate in value or candidate in name:
        n += 1
        candidate = f"{_DELIMITER}_{n}"
    return candidate


def format_outputs(outputs: Mapping[str, str | int | bool]) -> str:
    """``$GITHUB_OUTPUT`` text: every output as ``name<<DELIM`` / value / ``DELIM``."""
    chunks = []
    for name, raw in outputs.items():
        if not _OUTPUT_NAME.fullmatch(name):
            raise ValueError(f"invalid output name {name!r}")
        value = ("true" if raw else "false") if isinstance(raw, bool) else str(raw)
        delimiter = _delimiter(name, value)
        chunks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(chunks)


def write_outputs(path: Path, outputs: Mapping[str, str | int | bool]) -> None:
    """Append ``outputs`` to the runner's ``$GITHUB_OUTPUT`` file at ``path``."""
    with path.open("a", encoding="utf-8", newline="\n") as handle:
        handle.write(format_outputs(outputs))


def summary_text(markdown: str, used_bytes: int, max_bytes: int = SUMMARY_MAX_BYTES) -> str:
    """``markdown`` (newline-terminated) cut at a line so the summary stays within the cap."""
    text = markdown if markdown.endswith("\n") else markdown + "\n"
    room = max_bytes - used_bytes
    if len(text.encode("utf-8")) <= room:
        return text
    keep = room - len(_TRUNCATED.encode("utf-8"))
    if keep <= 0:
        return ""
    head = text.encode("utf-8")[:keep].decode("utf-8", errors="ignore")
    cut = head.rfind("\n")
    return (head[: cut + 1] if cut >= 0 else head) + _TRUNCATED


def append_summary(path: Path, markdown: str) -> None:
    """Append ``markdown`` to the job summary file (``$GITHUB_STEP_SUMMARY``) at ``path``."""
    used = path.stat().st_size if path.exists() else 0
    with path.open("a", encoding="utf-8", newline="\n") as handle:
        handle.write(summary_text(markdown, used))
