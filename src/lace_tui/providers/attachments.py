"""Images in each wire format's own form: one small function per format, called where that
format builds its request body. A message without images stays a plain string, byte for byte
what it was before attachments existed."""

from __future__ import annotations

from lace_tui.providers.events import ChatMessage


def anthropic_content(message: ChatMessage) -> str | list[dict[str, object]]:
    """Anthropic Messages API: image blocks with a base64 source, then the text block
    (Anthropic's "Vision" guide puts images before the text that refers to them)."""
    if not message.images:
        return message.content
    blocks: list[dict[str, object]] = [
        {
            "type": "image",
            "source": {"type": "base64", "media_type": image.media_type, "data": image.data},
        }
        for image in message.images
    ]
    blocks.append({"type": "text", "text": message.content})
    return blocks


def openai_content(message: ChatMessage) -> str | list[dict[str, object]]:
    """Chat Completions: a text part, then `image_url` parts holding data URLs (OpenAI's
    "Images and vision" guide, base64-encoded images)."""
    if not message.images:
        return message.content
    parts: list[dict[str, object]] = [{"type": "text", "text": message.content}]
    parts.extend(
        {"type": "image_url", "image_url": {"url": f"data:{image.media_type};base64,{image.data}"}}
        for image in message.images
    )
    return parts


def gemini_parts(message: ChatMessage) -> list[dict[str, object]]:
    """Gemini `generateContent`: a text part, then one `inlineData` part per image."""
    parts: list[dict[str, object]] = [{"text": message.content}]
    parts.extend(
        {"inlineData": {"mimeType": image.media_type, "data": image.data}}
        for image in message.images
    )
    return parts


def ollama_message(message: ChatMessage) -> dict[str, object]:
    """Ollama `/api/chat`: the message with an `images` list of base64 strings."""
    entry: dict[str, object] = {"role": message.role, "content": message.content}
    if message.images:
        entry["images"] = [image.data for image in message.images]
    return entry
