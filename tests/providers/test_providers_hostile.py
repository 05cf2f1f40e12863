"""Hostile servers cannot make a stream take unbounded memory, CPU or time (#11)."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from lace_tui import errors
from lace_tui.providers.bounded import StreamLimits, bounded_body
from lace_tui.providers.factory import create_client
from lace_tui.providers.ndjson import NDJSONDecoder
from lace_tui.providers.sse import MAX_EVENT_BYTES, SSEDecoder
from tests.providers.conftest import chat_request, collect_stream, config_for
from tests.support.hostile_server import (
    HostileServer,
    endless_line,
    gzip_bomb,
    reply,
    slowloris,
    sse_done,
    sse_text,
)

MIB = 1024 * 1024


def test_a_long_line_in_small_pieces_costs_linear_time() -> None:
    # 16 MiB in 4 KiB pieces: re-joining the pending bytes on every piece copied ~32 GB.
    decoder = SSEDecoder()
    piece = b"x" * 4096
    assert decoder.feed(b"data: ") == []
    for _ in range(MAX_EVENT_BYTES // 4096 - 1):
        assert decoder.feed(piece) == []
    assert decoder.feed(b"\n\n") == [("", b"x" * (MAX_EVENT_BYTES - 4096))]


def test_an_event_over_the_cap_ends_in_a_clear_error() -> None:
    decoder = SSEDecoder(limit=1000)
    decoder.feed(b"data: " + b"x" * 600)
    with pytest.raises(errors.ProviderRequestError, match="longer than 1,000 bytes"):
        decoder.feed(b"y" * 600)


@pytest.mark.parametrize(
    "pieces",
    [
        [b"data: a\n", b"\ndata: b\n\n"],  # LF | LF
        [b"data: a\r\n", b"\r\ndata: b\r\n\r\n"],  # CRLF | CRLF
        [b"data: a\r", b"\rdata: b\r\r"],  # CR | CR
        [b"data: a", b"\n", b"\n", b"data: b\n", b"\n"],
    ],
)
def test_boundaries_across_pieces_still_end_events(pieces: list[bytes]) -> None:
    decoder = SSEDecoder()
    events = [event for piece in pieces for event in decoder.feed(piece)]
    assert events + decoder.flush() == [("", b"a"), ("", b"b")]


def test_ndjson_line_is_capped_and_linear() -> None:
    decoder = NDJSONDecoder(limit=1000)
    assert decoder.feed(b'{"a":') == []
    assert decoder.feed(b"1}\n{") == [b'{"a":1}']
    with pytest.raises(errors.ProviderRequestError, match="longer than 1,000 bytes"):
        for _ in range(10):
            decoder.feed(b"x" * 200)


async def test_an_endless_line_from_a_server_is_stopped() -> None:
    routes = {"/chat/completions": endless_line(MAX_EVENT_BYTES + MIB)}
    with HostileServer(routes) as server:
        async with create_client(config_for("openai", server.url + "/v1")) as client:
            seen = await collect_stream(client, chat_request())
    assert isinstance(seen.raised, errors.ProviderRequestError)
    assert "without ending it" in str(seen.raised)


async def test_a_gzip_bomb_is_stopped_before_it_is_inflated() -> None:
    with HostileServer({"/chat/completions": gzip_bomb(MAX_EVENT_BYTES + MIB)}) as server:
        async with create_client(config_for("openai", server.url + "/v1")) as client:
            seen = await collect_stream(client, chat_request())
    assert isinstance(seen.raised, errors.ProviderRequestError)


async def test_the_decompressed_size_is_capped_and_inflated_in_small_steps() -> None:
    with HostileServer({"*": gzip_bomb(8 * MIB)}) as server:
        async with httpx.AsyncClient() as http, http.stream("GET", server.url + "/x") as response:
            limits = StreamLimits(idle=5.0, max_decompressed=2 * MIB)
            progress = _Progress()
            sizes: list[int] = []
            with pytest.raises(errors.ProviderRequestError, match="passed 2 MiB"):
                async for chunk in bounded_body(response, limits, progress, "work"):
                    sizes.append(len(chunk))
    assert max(sizes) <= MIB


async def test_a_gzipped_reply_still_streams() -> None:
    import gzip

    body = gzip.compress(b"".join([sse_text("zipped "), sse_text("reply"), *sse_done()]))
    script = dataclasses.replace(
        reply(""),
        chunks=[body],
        headers={"content-type": "text/event-stream", "content-encoding": "gzip"},
    )
    with HostileServer({"/chat/completions": script}) as server:
        async with create_client(config_for("openai", server.url + "/v1")) as client:
            seen = await collect_stream(client, chat_request())
    assert seen.raised is None and seen.text == "zipped reply"


async def test_a_slowloris_trips_the_idle_limit_between_events() -> None:
    # Every read succeeds (a byte each 10 ms), so only the idle limit between events stops it.
    with HostileServer({"/chat/completions": slowloris()}) as server:
        config = config_for("openai", server.url + "/v1", timeout=0.2)
        async with create_client(config) as client:
            seen = await collect_stream(client, chat_request())
    assert seen.text == "slow "
    assert isinstance(seen.raised, errors.StreamCutError)
    assert "no data before the timeout" in str(seen.raised)


async def test_the_overall_deadline_stops_a_reply_that_keeps_sending() -> None:
    script = dataclasses.replace(slowloris(), trickle=sse_text("."), trickle_every=0.01)
    with HostileServer({"/chat/completions": script}) as server:
        config = dataclasses.replace(
            config_for("openai", server.url + "/v1", timeout=5.0), deadline=0.2
        )
        async with create_client(config) as client:
            seen = await collect_stream(client, chat_request())
    assert seen.text.startswith("slow .")
    assert isinstance(seen.raised, errors.ProviderTimeoutError)
    assert str(seen.raised) == (
        "instance 'work': the reply took longer than its 0.2 s deadline: raise it with "
        "`lace-tui instance edit work --deadline SECONDS`"
    )


@dataclasses.dataclass
class _Progress:
    events_seen: int = 0
    chars: int = 0
