"""Decoding vendor JSON and narrowing it to the shapes we read, without trusting it."""

from __future__ import annotations

import json
from collections.abc import Callable

# The C scanner behind json.loads, minus the two whitespace regex passes json.loads makes
# around it: this runs once per streamed token, so the saving shows in the benchmark.
# (`scan_once` is set in JSONDecoder.__init__ but missing from typeshed.) Not strict: a raw
# tab or newline inside a string is accepted, as the fast paths below accept it too.
_ScanOnce = Callable[[str, int], tuple[object, int]]
_scan_once: _ScanOnce = getattr(json.JSONDecoder(strict=False), "scan_once")  # noqa: B009
_scanstring: Callable[[str, int, bool], tuple[str, int]] = getattr(json.decoder, "scanstring")  # noqa: B009

_QUOTE = ord('"')
_BACKSLASH = ord("\\")

# The body of a JSON string (between its quotes), for the exact-shape fast paths.
JSON_STRING_BODY = rb'[^"\\]*(?:\\.[^"\\]*)*'


def loads(payload: bytes) -> object:
    """Decode one JSON document from bytes; ValueError on bad UTF-8, bad JSON or trailing junk."""
    text = payload.decode("utf-8")
    if text[:1].isspace():
        text = text.lstrip()
    try:
        value, end = _scan_once(text, 0)
    except StopIteration:
        raise ValueError("not a JSON document") from None
    if end != len(text) and not text[end:].isspace():
        raise ValueError("extra data after the JSON document")
    return value


def json_string(raw: bytes) -> str:
    """Decode the body of a JSON string (without its quotes); ValueError when it is invalid."""
    if _BACKSLASH not in raw:
        return raw.decode()
    text, _end = _scanstring(raw.decode() + '"', 0, False)
    return text


def string_between(payload: bytes, start: int, end: int) -> str | None:
    """Decode `payload[start:end]` as the body of exactly one JSON string, or None.

    The fast paths find a string by its known surroundings; this checks that nothing in
    between closes it early (an unescaped quote), so a look-alike never slips through.
    """
    if end < start:
        return None
    raw = payload[start:end]
    try:
        # Integer membership is a plain memchr; `b'"' in raw` costs ten times more.
        if _QUOTE not in raw and _BACKSLASH not in raw:
            return raw.decode()
        text = raw.decode()
        value, stop = _scanstring(text + '"', 0, False)
    except ValueError:
        return None
    return value if stop == len(text) + 1 else None


def as_dict(value: object) -> dict[str, object] | None:
    """The value as a JSON object, or None."""
    return value if isinstance(value, dict) else None


def get_dict(obj: dict[str, object], key: str) -> dict[str, object] | None:
    value = obj.get(key)
    return value if isinstance(value, dict) else None


def get_list(obj: dict[str, object], key: str) -> list[object]:
    """The list under `key`, or an empty list when absent or not a list."""
    value = obj.get(key)
    return value if isinstance(value, list) else []


def get_str(obj: dict[str, object], key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) else None


def get_int(obj: dict[str, object], key: str) -> int | None:
    """An integer count; booleans (which are ints in Python) do not count."""
    value = obj.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None
