"""The one place that runs ``git``: argument lists, no shell, checked, secrets kept out.

Every git command of the bot goes through :func:`run_git`. It

- runs ``git`` with an argument list (never a shell) in the repository directory;
- removes environment variables that would redirect git to another repository or index,
  or override the commit identity (``GIT_DIR``, ``GIT_AUTHOR_EMAIL``, ...), never prompts
  (``GIT_TERMINAL_PROMPT=0``), ignores replace refs and disables automatic garbage
  collection and commit signing, so a user's or runner's git configuration does not change
  what the bot writes;
- passes the bot identity as ``-c user.name=… -c user.email=…`` and as the author and
  committer variables (which take precedence over ``author.*``/``committer.*`` settings);
- passes an access token, when given, as an HTTP ``Authorization`` header through
  ``GIT_CONFIG_*`` environment variables: never in the URL, never in the argument list
  (which other processes can read), never in an error message;
- raises :class:`GitError` with the command and the last line of git's error output.
"""

from __future__ import annotations

import base64
import os
import re
import shlex
import subprocess
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from autotune_bot.errors import AutotuneError

__all__ = [
    "GitError",
    "GitIdentity",
    "GitResult",
    "HttpAuth",
    "git_lines",
    "git_text",
    "run_git",
]

# Variables that point git at another repository, index or identity than the one we mean.
_DROPPED_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    "GIT_OBJECT_DIRECTORY",
    "GIT_CEILING_DIRECTORIES",
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "GIT_COMMITTER_DATE",
)

# Settings that would otherwise make the same command behave differently on other machines.
_BASE_CONFIG = (
    "commit.gpgSign=false",
    "gc.auto=0",
    "maintenance.auto=false",
    "core.splitIndex=false",
    "core.fsmonitor=false",
)

_CREDENTIALS_IN_URL = re.compile(r"(?P<scheme>https?://)[^/@\s]+@", re.IGNORECASE)


@dataclass(frozen=True)
class GitIdentity:
    """Name and e-mail the bot commits as (and recognises its own commits by)."""

    name: str
    email: str


@dataclass(frozen=True)
class HttpAuth:
    """An access token sent as an HTTP ``Authorization`` header to one remote URL."""

    url: str
    token: str = field(repr=False)

    def header(self) -> str:
        pair = base64.b64encode(f"x-access-token:{self.token}".encode()).decode("ascii")
        return f"AUTHORIZATION: basic {pair}"

    def secrets(self) -> tuple[str, ...]:
        """Strings that must never appear in a message: the token and its encoded form."""
        return (self.token, self.header().split()[-1])


@dataclass(frozen=True)
class GitResult:
    """What a git command returned: its exit status and its standard output."""

    returncode: int
    stdout: bytes


class GitError(AutotuneError):
    """A git command failed (or the bot refused to run one)."""

    def __init__(
        self,
        message: str,
        *,
        command: Sequence[str] = (),
        returncode: int | None = None,
        detail: str = "",
    ) -> None:
        self.message = message
        self.command = tuple(command)
        self.returncode = returncode
        self.detail = detail
        super().__init__(message)


def run_git(
    repo: Path,
    args: Sequence[str],
    *,
    identity: GitIdentity | None = None,
    auth: HttpAuth | None = None,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    ok_codes: Collection[int] = (0,),
    timeout: float | None = None,
) -> GitResult:
    """Run ``git <args>`` in ``repo``; raise :class:`GitError` unless it exits with ``ok_codes``.

    ``env`` adds variables (such as ``GIT_INDEX_FILE`` for a temporary index) to the
    cleaned environment. ``timeout`` (seconds) bounds network commands.
    """
    command = ["git"]
    for setting in _BASE_CONFIG:
        command += ["-c", setting]
    if identity is not None:
        command += ["-c", f"user.name={identity.name}", "-c", f"user.email={identity.email}"]
    command += list(args)
    secrets = auth.secrets() if auth is not None else ()
    shown = tuple(_redact(a, secrets) for a in args)
    what = f"git {shlex.join(shown)}"
    try:
        done = subprocess.run(
            command,
            cwd=repo,
            input=stdin if stdin is not None else b"",
            capture_output=True,
            env=_environment(identity, auth, env),
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"{what} timed out after {exc.timeout:g} s", command=shown) from None
    except OSError as exc:  # git missing, or the repository directory does not exist
        raise GitError(f"{what} could not start: {exc.strerror}", command=shown) from None
    if done.returncode not in ok_codes:
        detail = _redact(_last_line(done.stderr), secrets)
        message = f"{what} failed (exit {done.returncode})"
        raise GitError(
            f"{message}: {detail}" if detail else message,
            command=shown,
            returncode=done.returncode,
            detail=detail,
        )
    return GitResult(done.returncode, done.stdout)


def git_text(
    repo: Path,
    args: Sequence[str],
    *,
    identity: GitIdentity | None = None,
    auth: HttpAuth | None = None,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> str:
    """Standard output of a successful git command as text, without the final newline."""
    result = run_git(
        repo, args, identity=identity, auth=auth, stdin=stdin, env=env, timeout=timeout
    )
    return result.stdout.decode("utf-8", errors="surrogateescape").removesuffix("\n")


def git_lines(
    repo: Path,
    args: Sequence[str],
    *,
    auth: HttpAuth | None = None,
    timeout: float | None = None,
) -> list[str]:
    """Standard output of a successful git command as a list of non-empty lines."""
    text = git_text(repo, args, auth=auth, timeout=timeout)
    return [line for line in text.split("\n") if line]


def _environment(
    identity: GitIdentity | None, auth: HttpAuth | None, extra: Mapping[str, str] | None
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GCM_INTERACTIVE="never",
        GIT_NO_REPLACE_OBJECTS="1",
        LC_ALL="C",
        LANGUAGE="C",
    )
    if identity is not None:
        env.update(
            GIT_AUTHOR_NAME=identity.name,
            GIT_AUTHOR_EMAIL=identity.email,
            GIT_COMMITTER_NAME=identity.name,
            GIT_COMMITTER_EMAIL=identity.email,
        )
    if auth is not None:
        # An empty value first clears headers configured earlier for this URL (such as the
        # one actions/checkout persists), so exactly one Authorization header is sent.
        key = f"http.{auth.url}.extraheader"
        _add_config(env, key, "")
        _add_config(env, key, auth.header())
    if extra:
        env.update(extra)
    return env


def _add_config(env: dict[str, str], key: str, value: str) -> None:
    count = int(env.get("GIT_CONFIG_COUNT", "0") or "0")
    env[f"GIT_CONFIG_KEY_{count}"] = key
    env[f"GIT_CONFIG_VALUE_{count}"] = value
    env["GIT_CONFIG_COUNT"] = str(count + 1)


def _last_line(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", errors="replace").splitlines()]
    lines = [ln for ln in lines if ln]
    return lines[-1] if lines else ""


def _redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _CREDENTIALS_IN_URL.sub(r"\g<scheme>***@", text)
