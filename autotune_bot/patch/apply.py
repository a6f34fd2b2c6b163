"""Minimal edits of a YAML file's text.

:func:`apply_edits` changes exactly the nodes the edits name and leaves every other byte
alone: comments, quoting, key order, blank lines, line endings, a byte-order mark and a
missing final newline all survive. It does text surgery on spans located in the parsed
file, then re-reads the result and checks that its data is exactly the original data with
the edits applied. Whatever it cannot do that way it refuses with :class:`PatchError`
instead of reformatting the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from autotune_bot.errors import YamlSyntaxError
from autotune_bot.patch.edits import Edit
from autotune_bot.patch.error import PatchError, format_path
from autotune_bot.patch.expected import expected_data
from autotune_bot.patch.locate import Located, compose
from autotune_bot.patch.ops import resolve_edits, to_ops
from autotune_bot.patch.plain import same, to_plain
from autotune_bot.patch.plan import plan_text
from autotune_bot.patch.source_text import SourceText
from autotune_bot.workflow.model import YamlPath
from autotune_bot.yaml_source import load_yaml

__all__ = ["PatchError", "apply_edits"]

_BOM = "\ufeff"
_ODD_BREAKS = re.compile("\r(?!\n)|[\x85\u2028\u2029]")


def apply_edits(text: str, edits: Sequence[Edit], source: str) -> str:
    """``text`` (the content of ``source``) with ``edits`` applied minimally.

    All paths refer to the document as read. Raises :class:`PatchError` when an edit
    cannot be made without reformatting or guessing (nothing is half-applied), and
    :class:`~autotune_bot.errors.YamlSyntaxError` when ``text`` is not valid YAML.
    """
    if not edits:
        return text
    bom = _BOM if text.startswith(_BOM) else ""
    body = text[len(bom) :]
    _check_line_breaks(body, source)
    data = to_plain(load_yaml(body, source))
    eol = SourceText.of(body).eol
    unterminated = bool(body) and not body.endswith("\n")
    doc = compose(SourceText.of(body + eol if unterminated else body), source)
    locs = resolve_edits(doc, edits)
    new_body = plan_text(doc, to_ops(doc, data, edits, locs))
    if unterminated and new_body.endswith(eol):
        new_body = new_body[: -len(eol)]  # keep the final newline missing
    if new_body != body:
        _verify(new_body, expected_data(data, edits, locs), source, locs)
    return bom + new_body


def _check_line_breaks(body: str, source: str) -> None:
    odd = _ODD_BREAKS.search(body)
    if odd is not None:
        raise PatchError(
            "the file uses unusual line breaks (a lone CR, NEL or Unicode separators); "
            "refusing to edit it",
            source=source,
            line=body.count("\n", 0, odd.start()) + 1,
            path=(),
        )


def _verify(new_body: str, expected: Any, source: str, locs: Sequence[Located]) -> None:
    """Refuse the result unless it reads back as exactly the expected data."""
    first = locs[0]
    anchor = first.node or first.parent
    line = int(anchor.start_mark.line) + 1 if anchor is not None else 1
    try:
        actual = to_plain(load_yaml(new_body, source))
    except YamlSyntaxError as err:
        raise PatchError(
            f"the edit would produce invalid YAML ({err.message}); refusing",
            source=source,
            line=line,
            path=first.path,
        ) from err
    if not same(actual, expected):
        where = _first_difference(actual, expected, ())
        raise PatchError(
            f"the edited text would not read back as intended (at {where or 'root'}); refusing",
            source=source,
            line=line,
            path=first.path,
        )


def _first_difference(a: Any, b: Any, path: YamlPath) -> str:
    if isinstance(a, dict) and isinstance(b, dict) and list(a) == list(b):
        for key in a:
            if not same(a[key], b[key]):
                return _first_difference(a[key], b[key], (*path, str(key)))
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            if not same(x, y):
                return _first_difference(x, y, (*path, index))
    return format_path(path)
