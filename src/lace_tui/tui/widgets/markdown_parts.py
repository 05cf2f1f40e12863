"""Cutting a long reply into parts, each drawn by its own Markdown widget.

Textual re-lays out a Markdown widget's blocks whenever one of them changes, so one widget
for a 10,000-word reply makes every frame of its stream cost more than the last. Parts that
are finished keep their layout (Textual caches it), so the work per frame stays that of the
part being written. Parts end only where a new top-level block begins after a blank line,
outside fenced code, so each part renders exactly as it would inside the whole document.
"""

from __future__ import annotations

from collections.abc import Iterator

# A part is closed at the first place it may end once it holds this many characters.
PART_CHARS = 2000


def cut_points(text: str) -> Iterator[int]:
    """Offsets where `text` may be cut: the start of a line that follows a blank line, is not
    indented (no list item, quote or indented code continues there) and is outside a fence."""
    fence = ""
    offset = 0
    after_blank = False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if not fence and after_blank and stripped and not line[0].isspace() and offset:
            yield offset
        marker = stripped[:3]
        if marker in ("```", "~~~"):
            if not fence:
                fence = marker
            elif marker == fence and stripped.strip(marker[0]) == "":
                fence = ""
        after_blank = not stripped
        offset += len(line)


def first_cut(text: str, at_least: int) -> int | None:
    """The first offset of `text` where it may be cut, at or after `at_least`."""
    return next((cut for cut in cut_points(text) if cut >= at_least), None)


def split_parts(text: str, size: int = PART_CHARS) -> list[str]:
    """`text` in parts of at least `size` characters where it allows (joined, they are `text`)."""
    parts: list[str] = []
    start = 0
    for cut in cut_points(text):
        if cut - start >= size:
            parts.append(text[start:cut])
            start = cut
    parts.append(text[start:])
    return parts
