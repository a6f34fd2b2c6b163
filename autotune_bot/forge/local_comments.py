"""Comments on local drafts: one JSON file per comment, next to the draft in the outbox.

The comments of the draft ``<outbox>/<name>.md`` are the files
``<outbox>/<name>.comments/<id>.json``, each ``{"author": null, "body": "…", "id": "<id>"}``.
Ids are ``1``, ``2``, ``3``… in the order the comments were made; an id is never given twice
and never changes, and comments are listed by id (oldest first). Every file is written
whole, through a temporary file that is linked (a new comment: never over another one) or
renamed (an edit) into place, so a reader sees the old or the new comment, never a part.
The outbox is kept out of version control, so the comments are too.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from autotune_bot.errors import AutotuneError
from autotune_bot.gitops.types import ForgeComment

__all__ = ["DraftComments", "LocalForgeError"]

_ID = re.compile(r"[1-9][0-9]{0,17}")


class LocalForgeError(AutotuneError):
    """A local proposal or comment cannot be written (its draft, branch or base branch does
    not exist)."""


class DraftComments:
    """The comments of the drafts in the outbox ``outbox`` (relative to ``repo``)."""

    def __init__(self, repo: Path, outbox: str) -> None:
        self.repo = repo
        self.outbox = outbox

    def list_comments(self, ref: str) -> list[ForgeComment]:
        """The comments of draft ``ref`` (its file name), oldest first."""
        folder = self._folder(ref)
        if not folder.is_dir():
            return []
        ids = sorted(int(path.stem) for path in folder.glob("*.json") if _ID.fullmatch(path.stem))
        found = [self._read(folder, ref, str(number)) for number in ids]
        return [comment for comment in found if comment is not None]

    def create_comment(self, ref: str, body: str) -> ForgeComment:
        """Add a comment to draft ``ref``: the next free id."""
        folder = self._folder(ref)
        folder.mkdir(parents=True, exist_ok=True)
        taken = [int(path.stem) for path in folder.glob("*.json") if _ID.fullmatch(path.stem)]
        number = max(taken, default=0) + 1
        scratch = self._scratch(folder, _text(str(number), body))
        try:
            while True:
                try:
                    os.link(scratch, folder / f"{number}.json")
                    break
                except FileExistsError:  # written meanwhile by someone else: take the next
                    number += 1
                    scratch.write_bytes(_text(str(number), body))
        finally:
            scratch.unlink(missing_ok=True)
        return ForgeComment(id=str(number), body=body, author=None, url=self._url(ref, number))

    def edit_comment(self, ref: str, comment: ForgeComment, body: str) -> ForgeComment:
        """Replace the body of ``comment`` of draft ``ref``; nothing is written when it is
        unchanged."""
        folder = self._folder(ref)
        current = self._read(folder, ref, comment.id) if _ID.fullmatch(comment.id) else None
        if current is None:
            raise LocalForgeError(f"{self.outbox}/{ref}: no comment {comment.id!r} to edit")
        if current.body == body:
            return current
        scratch = self._scratch(folder, _text(comment.id, body, current.author))
        try:
            os.replace(scratch, folder / f"{comment.id}.json")
        except BaseException:
            scratch.unlink(missing_ok=True)
            raise
        return ForgeComment(id=comment.id, body=body, author=current.author, url=current.url)

    # -- files ----------------------------------------------------------------------------

    def _folder(self, ref: str) -> Path:
        """The comment folder of draft ``ref``, which must exist."""
        plain = ref.isprintable() and "/" not in ref and "\\" not in ref
        if not plain or not ref.endswith(".md") or ref.startswith("."):
            raise LocalForgeError(f"not a draft name: {ref!r}")
        if not (self.repo / self.outbox / ref).is_file():
            raise LocalForgeError(f"{self.outbox}/{ref}: no such draft")
        return self.repo / self.outbox / (ref.removesuffix(".md") + ".comments")

    def _url(self, ref: str, number: int | str) -> str:
        return f"{self.outbox}/{ref.removesuffix('.md')}.comments/{number}.json"

    def _read(self, folder: Path, ref: str, comment_id: str) -> ForgeComment | None:
        path = folder / f"{comment_id}.json"
        try:
            value = json.loads(path.read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        if not isinstance(value, dict) or not isinstance(value.get("body"), str):
            return None
        author = value.get("author")
        return ForgeComment(
            id=comment_id,
            body=value["body"],
            author=author if isinstance(author, str) else None,
            url=self._url(ref, comment_id),
        )

    @staticmethod
    def _scratch(folder: Path, data: bytes) -> Path:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".comment-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        return Path(name)


def _text(comment_id: str, body: str, author: str | None = None) -> bytes:
    value = {"author": author, "body": body, "id": comment_id}
    # ASCII JSON: any body (control characters, lone surrogates) is stored and read back as is.
    return (json.dumps(value, sort_keys=True, ensure_ascii=True) + "\n").encode("ascii")
