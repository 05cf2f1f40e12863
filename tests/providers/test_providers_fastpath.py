"""The exact-shape fast paths must agree with a full JSON decode, or step aside (None).

They skip json decoding for the one event shape that carries nearly every token; any doubt
must send the payload to the general path, never produce different text.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from lace_tui.providers.anthropic import fast_delta
from lace_tui.providers.gemini import fast_text
from lace_tui.providers.ollama import fast_content as ollama_fast
from lace_tui.providers.openai_chat import fast_content as openai_fast
from tests.support.fake_provider import (
    anthropic_frames,
    gemini_frames,
    ollama_frames,
    openai_frames,
)


def data_payloads(raw: bytes) -> list[bytes]:
    raw = raw.replace(b"\r\n", b"\n")
    return [line[6:] for line in raw.split(b"\n") if line.startswith(b"data: ")]


def tricky_strings() -> list[str]:
    rng = random.Random(7)
    alphabet = 'ab "\\/\n\t\u00e9\u2014\u2028\u0085\x01}]{[,:秋😀'
    samples = [
        "",
        " plain",
        'He said "hi"',
        "back\\slash",
        'fake end"},"logprobs":null,"finish_reason":null}]}',
        '"}}',
        '"},"done":false}',
        "\u2028",
    ]
    samples += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(300)
    ]
    return samples


# -- OpenAI ------------------------------------------------------------------------------------


def openai_reference(payload: bytes) -> str:
    """What the general path would show for a chunk that is a plain content delta."""
    obj = json.loads(payload)
    text = obj["choices"][0]["delta"]["content"]
    assert isinstance(text, str)
    return text


def openai_chunk(text: str, *, ensure_ascii: bool) -> bytes:
    obj = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt",
        "system_fingerprint": "fp",
        "choices": [
            {"index": 0, "delta": {"content": text}, "logprobs": None, "finish_reason": None}
        ],
    }
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=ensure_ascii).encode()


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_openai_fast_path_decodes_any_string_like_json(ensure_ascii: bool) -> None:
    for text in tricky_strings():
        assert openai_fast(openai_chunk(text, ensure_ascii=ensure_ascii)) == text, repr(text)


def test_openai_fast_path_agrees_with_json_on_every_recorded_chunk(fixtures_dir: Path) -> None:
    matched = 0
    for path in sorted((fixtures_dir / "openai").glob("*.sse")):
        for payload in data_payloads(path.read_bytes()):
            fast = openai_fast(payload)
            if fast is not None:
                matched += 1
                assert fast == openai_reference(payload)
    assert matched > 40  # the fast path really carries the content chunks


@pytest.mark.parametrize(
    "payload",
    [
        # usage before choices: the general path must see it
        b'{"usage":{"prompt_tokens":1},"choices":[{"index":0,"delta":{"content":"a"},"logprobs":null,"finish_reason":null}]}',
        b'{"error":{"message":"x"},"choices":[{"index":0,"delta":{"content":"a"},"logprobs":null,"finish_reason":null}]}',
        # another choice, a finish, a role, a refusal
        b'{"id":"x","choices":[{"index":1,"delta":{"content":"a"},"logprobs":null,"finish_reason":null}]}',
        b'{"id":"x","choices":[{"index":0,"delta":{"content":"a"},"logprobs":null,"finish_reason":"stop"}]}',
        b'{"id":"x","choices":[{"index":0,"delta":{"role":"assistant","content":"a"},"logprobs":null,"finish_reason":null}]}',
        # an unescaped quote between the markers: a look-alike, not one string
        b'{"id":"x","choices":[{"index":0,"delta":{"content":"a"},"z":{"content":"b"},"logprobs":null,"finish_reason":null}]}',
        # invalid UTF-8 and a bad escape
        b'{"id":"x","choices":[{"index":0,"delta":{"content":"\xff"},"logprobs":null,"finish_reason":null}]}',
        b'{"id":"x","choices":[{"index":0,"delta":{"content":"\\q"},"logprobs":null,"finish_reason":null}]}',
        b"[DONE]",
    ],
)
def test_openai_fast_path_steps_aside(payload: bytes) -> None:
    assert openai_fast(payload) is None


# -- Anthropic ---------------------------------------------------------------------------------


def test_anthropic_fast_path_agrees_with_json_on_every_recorded_event(fixtures_dir: Path) -> None:
    matched = 0
    for path in sorted((fixtures_dir / "anthropic").rglob("*.*")):
        if path.name == "LICENSE":
            continue
        for payload in data_payloads(path.read_bytes()):
            fast = fast_delta(payload)
            obj = json.loads(payload)
            delta = obj.get("delta", {})
            if fast is None:
                assert delta.get("type") not in ("text_delta", "thinking_delta") or not (
                    payload.startswith(b'{"type":"content_block_delta"')
                ), payload
                continue
            matched += 1
            reasoning, text = fast
            assert text == delta["thinking" if reasoning else "text"]
            assert reasoning == (delta["type"] == "thinking_delta")
    assert matched > 30  # padded and compact events both go the fast way


@pytest.mark.parametrize("ensure_ascii", [True, False])
@pytest.mark.parametrize("kind", ["text", "thinking"])
def test_anthropic_fast_path_decodes_any_string_like_json(ensure_ascii: bool, kind: str) -> None:
    for index in (0, 7, 12):
        for text in tricky_strings():
            obj = {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": f"{kind}_delta", kind: text},
            }
            payload = json.dumps(obj, separators=(",", ":"), ensure_ascii=ensure_ascii).encode()
            assert fast_delta(payload) == (kind == "thinking", text), repr(text)
            assert fast_delta(payload[:-1] + b"    }") == (kind == "thinking", text)


@pytest.mark.parametrize(
    "payload",
    [
        b'{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","text":"x"}}',
        b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x","more":1}}',
        b'{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"x"}}',
        b'{"type":"content_block_delta","index":x,"delta":{"type":"text_delta","text":"x"}}',
        b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"},"b":{"text":"c"}}',
        b'{"type":"message_stop"}',
    ],
)
def test_anthropic_fast_path_steps_aside(payload: bytes) -> None:
    assert fast_delta(payload) is None


# -- Ollama ------------------------------------------------------------------------------------


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_ollama_fast_path_decodes_any_string_like_json(ensure_ascii: bool) -> None:
    for text in tricky_strings():
        obj = {
            "model": "llama3.2",
            "created_at": "2025-01-01T00:00:00Z",
            "message": {"role": "assistant", "content": text},
            "done": False,
        }
        line = json.dumps(obj, separators=(",", ":"), ensure_ascii=ensure_ascii).encode()
        assert ollama_fast(line) == text, repr(text)


@pytest.mark.parametrize(
    "line",
    [
        b'{"model":"m","created_at":"t","message":{"role":"assistant","content":"","thinking":"hm"},"done":false}',
        b'{"model":"m","created_at":"t","message":{"role":"assistant","content":"x"},"done":true}',
        b'{"model":"m","error":"boom","message":{"role":"assistant","content":"x"},"done":false}',
        b'{"error":"model not found"}',
    ],
)
def test_ollama_fast_path_steps_aside(line: bytes) -> None:
    assert ollama_fast(line) is None


# -- Gemini ------------------------------------------------------------------------------------


def test_gemini_fast_path_agrees_with_json_on_every_recorded_chunk(fixtures_dir: Path) -> None:
    payloads = []
    for path in sorted((fixtures_dir / "gemini").glob("*.txt")):
        payloads += data_payloads(path.read_bytes())
    for path in sorted((fixtures_dir / "gemini" / "js-genai-recordings").glob("*.json")):
        for interaction in json.loads(path.read_text())["interactions"]:
            for segment in interaction["response"]["bodySegments"]:
                payloads.append(json.dumps(segment).encode())
    _, frames, _ = gemini_frames([" a", ' "b"'], [], 3, "stop")
    payloads += data_payloads(b"".join(frames))
    matched = 0
    for payload in payloads:
        fast = fast_text(payload)
        if fast is None:
            continue
        matched += 1
        obj = json.loads(payload)
        candidate = obj["candidates"][0]
        assert "finishReason" not in candidate and "promptFeedback" not in obj
        assert fast[0] == "".join(p["text"] for p in candidate["content"]["parts"])
        assert (b'"usageMetadata"' in fast[1]) == ("usageMetadata" in obj)
    assert matched >= 6  # Developer API and Vertex chunks without a finish, and ours


@pytest.mark.parametrize(
    "payload",
    [
        b'{"candidates": [{"content": {"parts": [{"text": "x", "thought": true}],'
        b'"role": "model"},"index": 0}]}',
        b'{"candidates": [{"content": {"parts": [{"text": "x"}],"role": "model"},'
        b'"finishReason": "STOP","index": 0}]}',
        b'{"candidates": [{"content": {"parts": [{"text": "x"}],"role": "model"},"index": 0}],'
        b'"promptFeedback": {"blockReason": "SAFETY"}}',
        b'{"candidates": [{"content": {"parts": [{"text": "x"}],"role": "model"},"index": 1}]}',
    ],
)
def test_gemini_fast_path_steps_aside(payload: bytes) -> None:
    assert fast_text(payload) is None


def test_the_fake_provider_frames_take_the_fast_paths() -> None:
    """The benchmark measures the fast paths only if its frames have the vendors' shape."""
    _, frames, _ = openai_frames([" x"], [], 1, "stop")
    assert openai_fast(data_payloads(frames[0])[0]) == " x"
    _, frames, _ = anthropic_frames([" x", " y"], [], 1, "stop")
    assert fast_delta(data_payloads(frames[1])[0]) == (False, " y")
    _, frames, _ = ollama_frames([" x"], [], 1, "stop")
    assert ollama_fast(frames[0].strip()) == " x"
