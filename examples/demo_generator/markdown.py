"""Re-wrapping Markdown prose to a fixed width."""

from __future__ import annotations

import re
import textwrap


def reflow(markdown: str, width: int = 92) -> str:
    """Re-wrap paragraphs and list items; tables, headings and code blocks stay as they are."""
    blocks = []
    for block in markdown.split("\n\n"):
        if block.startswith(("|", "#", "```")):
            blocks.append(block)
            continue
        items: list[list[str]] = []
        for line in block.splitlines():
            if not items or re.match(r"- |\d+\. ", line):
                items.append([line])
            else:
                items[-1].append(line.strip())
        wrapped = []
        for item in items:
            marker = re.match(r"(- |\d+\. )?", item[0])
            indent = " " * len(marker.group(0)) if marker else ""
            text = " ".join(item)
            wrapped.append(
                textwrap.fill(
                    text,
                    width,
                    subsequent_indent=indent,
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
        blocks.append("\n".join(wrapped))
    return "\n\n".join(blocks)
