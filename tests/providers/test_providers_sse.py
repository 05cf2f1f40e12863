"""The SSE and NDJSON decoders: line endings, chunk boundaries, comments, EOF flush."""

from __future__ import annotations

import pytest

from lace_tui.providers.ndjson import NDJSONDecoder
from lace_tui.providers.sse import SSEDecoder, SSEEvent


def decode(data: bytes, sizes: int | None = None) -> list[SSEEvent]:
    """All events of `data` fed in pieces of `sizes` bytes (or at once), then flushed."""
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    step = sizes or len(data) or 1
    for start in range(0, len(data), step):
        events += decoder.feed(data[start : start + step])
    return events + decoder.flush()


STREAM = (
    b"event: message_start\n"
    b'data: {"a":1}\n'
    b"\n"
    b": a comment, ignored\n"
    b"\n"
    b'data: {"b":"\xc3\xa9\xe2\x80\x94"}\n'
    b"\n"
    b"event: multi\n"
    b"data: line one\n"
    b"data:line two\n"
    b"id: 7\n"
    b"retry: 100\n"
    b"\n"
)
EXPECTED = [
    ("message_start", b'{"a":1}'),
    ("", b'{"b":"\xc3\xa9\xe2\x80\x94"}'),
    ("multi", b"line one\nline two"),
]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_every_line_ending_gives_the_same_events(newline: bytes) -> None:
    data = STREAM.replace(b"\n", newline)
    assert decode(data) == EXPECTED


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_chunk_boundaries_anywhere_do_not_matter(newline: bytes) -> None:
    data = STREAM.replace(b"\n", newline)
    for size in range(1, 12):
        assert decode(data, size) == EXPECTED, f"pieces of {size} bytes"


def test_a_crlf_split_between_two_reads_is_one_line_ending() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: x\r") == []
    assert decoder.feed(b"\n\r") == []
    assert decoder.feed(b"\ndata: y\r\n\r\n") == [("", b"x"), ("", b"y")]


def test_final_event_without_blank_line_is_flushed_at_eof() -> None:
    assert decode(b'event: message_stop\ndata: {"type":"message_stop"}') == [
        ("message_stop", b'{"type":"message_stop"}')
    ]
    assert decode(b"data: last\n") == [("", b"last")]
    assert decode(b"data: last\r") == [("", b"last")]


def test_utf8_split_inside_a_character_is_reassembled() -> None:
    data = 'data: {"t":"秋风瑟瑟"}\n\n'.encode()
    for size in (1, 2, 3, 5):
        assert decode(data, size) == [("", '{"t":"秋风瑟瑟"}'.encode())]


def test_unicode_line_separators_inside_json_do_not_split_the_event() -> None:
    # U+2028, U+2029 and U+0085 may appear unescaped in JSON strings; httpx's aiter_lines()
    # treats them as line breaks, the SSE spec does not.
    payload = '{"t":"a\u2028b\u2029c\u0085d\x0ce"}'.encode()
    assert decode(b"data: " + payload + b"\n\n") == [("", payload)]


def test_comments_and_events_without_data_dispatch_nothing() -> None:
    assert decode(b": OPENROUTER PROCESSING\n\n: keep-alive\n\nevent: ping\n\n") == []


def test_data_without_space_and_field_without_colon() -> None:
    assert decode(b"data:x\n\ndata\n\n") == [("", b"x"), ("", b"")]


def test_leading_byte_order_mark_is_ignored() -> None:
    assert decode(b"\xef\xbb\xbfdata: x\n\n") == [("", b"x")]


def test_runs_of_blank_lines_between_events() -> None:
    assert decode(b"data: a\n\n\n\n\ndata: b\n\n") == [("", b"a"), ("", b"b")]


def test_empty_body() -> None:
    assert decode(b"") == []


def test_ndjson_lines_across_chunks_with_crlf_and_blank_lines() -> None:
    data = b'{"a":1}\r\n\n{"b":"\xc3\xa9"}\n{"c":3}'
    for size in (1, 2, 4, len(data)):
        decoder = NDJSONDecoder()
        lines: list[bytes] = []
        for start in range(0, len(data), size):
            lines += decoder.feed(data[start : start + size])
        lines += decoder.flush()
        assert lines == [b'{"a":1}', b'{"b":"\xc3\xa9"}', b'{"c":3}'], f"pieces of {size}"
