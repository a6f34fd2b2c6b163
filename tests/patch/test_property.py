"""Property: a scalar SetValue on a generated, commented block-style file changes exactly
one line (or inserts exactly one), and the result reads back as the expected data."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autotune_bot.patch.apply import apply_edits
from autotune_bot.patch.edits import SetValue
from autotune_bot.patch.plain import same, to_plain
from autotune_bot.yaml_source import load_yaml

KEYS = ["alpha", "beta", "gamma", "tool_budget", "timeout", "goal", "role", "members", "x1"]
WORDS = ["parallel", "gpt-4o", "web search", "a_b", "Review it", "$ctx.key"]
SAFE = "abcdefghijklmnopqrstuvwxyz ABC0123456789_-.,:#{}"


@dataclass
class Built:
    lines: list[str] = field(default_factory=list)
    scalars: list[tuple[tuple[str | int, ...], Any]] = field(default_factory=list)
    mappings: list[tuple[str | int, ...]] = field(default_factory=list)


def _quoted(text: str, quote: str) -> str:
    if quote == "'":
        return "'" + text.replace("'", "''") + "'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def scalar_token(draw: st.DrawFn) -> tuple[str, Any]:
    kind = draw(st.sampled_from(["int", "word", "bool", "single", "double"]))
    if kind == "int":
        value = draw(st.integers(-5000, 10**7))
        return str(value), value
    if kind == "word":
        word = draw(st.sampled_from(WORDS))
        return word, word
    if kind == "bool":
        flag = draw(st.booleans())
        return ("true" if flag else "false"), flag
    text = draw(st.text(alphabet=SAFE, max_size=12))
    return _quoted(text, "'" if kind == "single" else '"'), text


@st.composite
def mapping(
    draw: st.DrawFn, built: Built, path: tuple[str | int, ...], col: int, depth: int
) -> dict[str, Any]:
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4, unique=True))
    built.mappings.append(path)
    data: dict[str, Any] = {}
    pad = " " * col
    for key in keys:
        if draw(st.booleans()):
            built.lines.append("")
        if draw(st.booleans()):
            built.lines.append(f"{pad}# about {key}")
        kind = draw(st.sampled_from(["scalar", "scalar", "map", "list", "flow"]))
        if kind == "map" and depth < 3:
            built.lines.append(f"{pad}{key}:")
            data[key] = draw(mapping(built, (*path, key), col + 2, depth + 1))
        elif kind in ("list", "flow"):
            items = draw(st.lists(scalar_token(), min_size=1, max_size=3))
            data[key] = [value for _, value in items]
            for index, (_, value) in enumerate(items):
                built.scalars.append(((*path, key, index), value))
            if kind == "flow":
                built.lines.append(f"{pad}{key}: [{', '.join(t for t, _ in items)}]")
            else:
                built.lines.append(f"{pad}{key}:")
                built.lines.extend(f"{pad}  - {token}" for token, _ in items)
        else:
            token, value = draw(scalar_token())
            comment = draw(st.sampled_from(["", "  # note", "   #: tricky"]))
            built.lines.append(f"{pad}{key}: {token}{comment}")
            built.scalars.append(((*path, key), value))
            data[key] = value
    return data


new_values = st.one_of(
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=20),
    st.sampled_from(["yes", "no", "null", "~", "a: b", "#x", "{x}", "[y]", "- z", "1.0", "0x1F"]),
)


@st.composite
def case(draw: st.DrawFn) -> tuple[str, dict[str, Any], SetValue, bool]:
    built = Built()
    if draw(st.booleans()):
        built.lines.append("# header comment")
    data = draw(mapping(built, (), 0, 1))
    value = draw(new_values)
    existing = draw(st.booleans())
    if built.scalars and existing:
        path, _ = draw(st.sampled_from(built.scalars))
        inserted = False
    else:
        parent = draw(st.sampled_from(built.mappings))
        path = (*parent, "new_key")
        inserted = True
    return "\n".join(built.lines) + "\n", data, SetValue(path, value), inserted


def _set(data: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    result = copy.deepcopy(data)
    target: Any = result
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case())
def test_scalar_set_changes_one_line_and_reads_back(
    generated: tuple[str, dict[str, Any], SetValue, bool],
) -> None:
    text, data, edit, inserted = generated
    assert same(to_plain(load_yaml(text, "gen.yaml")), data)  # the generator itself is right
    new = apply_edits(text, [edit], "gen.yaml")
    assert same(to_plain(load_yaml(new, "gen.yaml")), _set(data, edit.path, edit.value))
    old_lines, new_lines = text.split("\n"), new.split("\n")
    if inserted:
        assert len(new_lines) == len(old_lines) + 1
        extra = next(
            i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=False)) if a != b
        )
        assert new_lines[:extra] + new_lines[extra + 1 :] == old_lines
        assert new_lines[extra].lstrip().startswith("new_key: ")
    else:
        assert len(new_lines) == len(old_lines)
        differing = [
            i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=False)) if a != b
        ]
        assert len(differing) == (0 if same(_get(data, edit.path), edit.value) else 1)


def _get(data: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        data = data[step]
    return data
