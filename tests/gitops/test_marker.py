"""The hidden proposal marker: round trips, HTML-comment safety, tolerant and hostile parsing."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autotune_bot.gitops.marker import MAX_MARKER_CHARS, parse_marker, render_marker

META = {
    "key": "code_review/review_team",
    "branch": "autotune/code_review/review_team",
    "evidence_key": "0123456789abcdef0123",
    "file": "workflows/code_review.yaml",
    "validation_status": "not_validated",
    "scope": "team",
    "improvement": {"metric": "duration", "percent": -35.2},
}


class _Comments(HTMLParser):
    """Collects what an HTML parser sees: comments and any other text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.comments: list[str] = []
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.tags.append(tag)


def _html_view(html: str) -> _Comments:
    parser = _Comments()
    parser.feed(html)
    parser.close()
    return parser


def _marker(key: str = "a/b", evidence: str = "e1", **extra: Any) -> str:
    return render_marker(
        {"key": key, "branch": f"autotune/{key}", "evidence_key": evidence, **extra}
    )


def test_round_trip_adds_the_version() -> None:
    assert parse_marker(render_marker(META)) == {"version": 1, **META}


def test_rendered_marker_is_one_hidden_html_comment() -> None:
    marker = render_marker(META)
    assert marker.startswith("<!-- autotune:proposal {")
    assert marker.endswith("} -->")
    assert "\n" not in marker
    view = _html_view(f"<p>before</p>{marker}<p>after</p>")
    assert len(view.comments) == 1
    assert "".join(view.text) == "beforeafter"  # nothing of the JSON leaks into the page


HOSTILE_VALUES = [
    "-->",
    "--!>",
    "<!-- nested -->",
    "a--b---c----d",
    "<script>alert(1)</script>",
    "`code` **bold** @someone #12",
    'quote " and backslash \\',
    "line\nbreak\r\nand\u2028separator",
    "ünïcödé ✓ 🚀",
    "-",
    ">",
    "<!-",
]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_strings_stay_inside_the_comment(value: str) -> None:
    meta = {**META, "target": value, "notes": [value, {"deep": value}]}
    marker = render_marker(meta)
    inner = marker[len("<!--") : -len("-->")]
    # HTML: a comment's text must not contain "--" runs that could end it, nor "<" / ">"
    assert "--" not in inner.strip(" -").replace("autotune:proposal", "")
    assert ">" not in inner
    assert "<" not in inner
    view = _html_view(f"x{marker}y")
    assert view.comments == [inner]
    assert "".join(view.text) == "xy"
    assert view.tags == []
    assert parse_marker(f"x{marker}y") == {"version": 1, **meta}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    key=st.text(min_size=1, max_size=40),
    extra=st.dictionaries(
        st.text(max_size=10).filter(
            lambda k: k not in ("key", "branch", "evidence_key", "version")
        ),
        json_values,
        max_size=4,
    ),
    before=st.text(max_size=60),
    after=st.text(max_size=60),
)
def test_any_meta_round_trips_inside_any_text(
    key: str, extra: dict[str, Any], before: str, after: str
) -> None:
    meta = {"key": key, "branch": "autotune/x/y", "evidence_key": "k", **extra}
    marker = render_marker(meta)
    assert "--" not in marker[len("<!--") : -len("-->")].replace("-\\u002d", "")
    assert parse_marker(before + "\n" + marker + "\n" + after) == {"version": 1, **meta}


def test_tolerant_of_surrounding_text_and_crlf() -> None:
    body = "# Title\r\n\r\nSome text <!-- an ordinary comment -->\r\n\r\n" + _marker() + "\r\n"
    assert parse_marker(body) == {
        "version": 1,
        "key": "a/b",
        "branch": "autotune/a/b",
        "evidence_key": "e1",
    }


def test_extra_whitespace_inside_the_opening_is_accepted() -> None:
    payload = json.dumps({"version": 1, "key": "k", "branch": "b", "evidence_key": "e"})
    assert parse_marker(f"<!--   autotune:proposal \t{payload}   -->") is not None


def test_last_well_formed_marker_wins() -> None:
    quoted = "```diff\n+ # " + _marker("fake/one", "evil") + "\n```\n"
    body = quoted + "text\n" + _marker("real/two", "good") + "\n<!-- autotune:proposal {broken -->"
    found = parse_marker(body)
    assert found is not None
    assert (found["key"], found["evidence_key"]) == ("real/two", "good")


def _raw(payload: str) -> str:
    return f"<!-- autotune:proposal {payload} -->"


MALFORMED = {
    "not json": _raw("{key: 'a'}"),
    "python expression": _raw("__import__('os').system('echo pwned')"),
    "list": _raw('[{"version": 1}]'),
    "string": _raw('"autotune"'),
    "no version": _raw('{"key":"a","branch":"b","evidence_key":"e"}'),
    "version zero": _raw('{"version":0,"key":"a","branch":"b","evidence_key":"e"}'),
    "version bool": _raw('{"version":true,"key":"a","branch":"b","evidence_key":"e"}'),
    "version string": _raw('{"version":"1","key":"a","branch":"b","evidence_key":"e"}'),
    "missing key": _raw('{"version":1,"branch":"b","evidence_key":"e"}'),
    "empty key": _raw('{"version":1,"key":"","branch":"b","evidence_key":"e"}'),
    "key not text": _raw('{"version":1,"key":7,"branch":"b","evidence_key":"e"}'),
    "missing evidence": _raw('{"version":1,"key":"a","branch":"b"}'),
    "NaN": _raw('{"version":1,"key":"a","branch":"b","evidence_key":"e","x":NaN}'),
    "Infinity": _raw('{"version":1,"key":"a","branch":"b","evidence_key":"e","x":-Infinity}'),
    "duplicate key": _raw('{"version":1,"key":"a","key":"b","branch":"b","evidence_key":"e"}'),
    "unterminated": "<!-- autotune:proposal "
    + '{"version":1,"key":"a","branch":"b","evidence_key":"e"}',
    "line break inside": _raw('{"version":1,"key":"a",\n"branch":"b","evidence_key":"e"}'),
    "deep nesting": _raw(
        '{"version":1,"key":"a","branch":"b","evidence_key":"e","x":'
        + "[" * 5000
        + "]" * 5000
        + "}"
    ),
    "huge integer": _raw(
        '{"version":1' + "0" * 5000 + ',"key":"a","branch":"b","evidence_key":"e"}'
    ),
    "other marker name": (
        '<!-- autotune:dashboard {"version":1,"key":"a","branch":"b","evidence_key":"e"} -->'
    ),
}


@pytest.mark.parametrize("body", list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_markers_are_rejected(body: str) -> None:
    assert parse_marker("text before\n" + body + "\ntext after") is None


def test_oversized_marker_is_rejected_both_ways() -> None:
    big = {"key": "a", "branch": "b", "evidence_key": "e", "pad": "x" * MAX_MARKER_CHARS}
    with pytest.raises(ValueError, match="too long"):
        render_marker(big)
    payload = json.dumps({"version": 1, **big})
    assert parse_marker(_raw(payload)) is None


def test_render_refuses_values_json_cannot_hold() -> None:
    with pytest.raises(ValueError, match="JSON compliant"):
        render_marker({**META, "x": float("nan")})
    with pytest.raises(TypeError):
        render_marker({**META, "x": object()})


def test_no_marker_and_non_text() -> None:
    assert parse_marker("") is None
    assert parse_marker("just a pull request description") is None
    assert parse_marker(None) is None  # type: ignore[arg-type]


def test_many_marker_openings_do_not_hang() -> None:
    body = "<!-- autotune:proposal " * 20_000 + _marker()
    found = parse_marker(body)
    assert found is not None
    assert found["key"] == "a/b"
