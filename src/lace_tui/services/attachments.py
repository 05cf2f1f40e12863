"""Files sent with a prompt: read, recognised (PNG, JPEG, GIF and WebP images; UTF-8 text),
checked against what the model and its vendor take, and turned into request messages.

Everything is checked before anything is stored or sent, so a refused file changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from lace_tui.catalog.models import Model
from lace_tui.errors import BadInputError
from lace_tui.providers.events import ChatMessage, ImagePart
from lace_tui.services.instance_service import InstanceService
from lace_tui.sessions.models import Attachment, Message

_MB = 1024 * 1024
# Per image, as each vendor documents it: Anthropic "Vision" (5 MB per image over the API),
# OpenAI "Images and vision" (up to 20 MB per image), Gemini "Image understanding" (inline data
# within a 20 MB request). Ollama documents none; the common 20 MB is kept.
IMAGE_LIMITS = {"anthropic": 5 * _MB, "openai": 20 * _MB, "google": 20 * _MB, "ollama": 20 * _MB}
# A text file is inlined in the prompt; beyond this it would not fit any context window.
TEXT_LIMIT = 2 * _MB

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def wire_family(provider_type: str) -> str:
    """The wire format a catalog provider type speaks (for its limits)."""
    if provider_type in ("anthropic", "google", "ollama"):
        return provider_type
    return "openai"


def image_type(data: bytes) -> str | None:
    """The media type of a PNG, JPEG, GIF or WebP image, from its first bytes."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return media_type
    return None


def read_attachment(path: str) -> Attachment:
    """Read a file to attach: an image, or UTF-8 text; BadInputError for anything else."""
    file = Path(path).expanduser()
    try:
        data = file.read_bytes()
    except FileNotFoundError as exc:
        raise BadInputError(f"cannot attach {path}: no such file") from exc
    except IsADirectoryError as exc:
        raise BadInputError(f"cannot attach {path}: it is a directory") from exc
    except OSError as exc:
        raise BadInputError(f"cannot attach {path}: {exc.strerror or exc}") from exc
    digest = hashlib.sha256(data).hexdigest()
    media_type = image_type(data)
    if media_type is not None:
        return Attachment(
            name=file.name, kind="image", media_type=media_type, size=len(data),
            sha256=digest, data=data,
        )  # fmt: skip
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInputError(
            f"cannot attach {path}: a binary file that is not a PNG, JPEG, GIF or WebP image"
        ) from exc
    return Attachment(
        name=file.name, kind="text", media_type="text/plain", size=len(data),
        sha256=digest, data=data,
    )  # fmt: skip


def check_attachments(
    attachments: Sequence[Attachment], model_id: str, info: Model | None, provider_type: str
) -> None:
    """BadInputError unless the model takes every attachment: images only where the catalog
    says the model supports attachments, each within its vendor's size limit."""
    family = wire_family(provider_type)
    for attachment in attachments:
        if attachment.kind == "text":
            if attachment.size > TEXT_LIMIT:
                raise BadInputError(
                    f"cannot attach {attachment.name}: {_size(attachment.size)} of text is over "
                    f"the {_size(TEXT_LIMIT)} a prompt may inline"
                )
            continue
        if info is None or not info.supports_attachments:
            raise BadInputError(
                f"cannot attach {attachment.name}: the catalog does not list image support for "
                f"model '{model_id}' (text files can be attached to any model)"
            )
        limit = IMAGE_LIMITS[family]
        if attachment.size > limit:
            raise BadInputError(
                f"cannot attach {attachment.name}: {_size(attachment.size)} is over the "
                f"{_size(limit)} {family} takes per image"
            )


def with_attachments(role: str, content: str, attachments: Sequence[Attachment]) -> ChatMessage:
    """The request message for a prompt and its files: text files inlined after the prompt
    (each under a line naming it), images as image parts."""
    texts = [
        f"\n\n--- {a.name} ---\n{a.data.decode('utf-8')}" for a in attachments if a.kind == "text"
    ]
    images = [
        ImagePart(media_type=a.media_type, data=base64.b64encode(a.data).decode("ascii"))
        for a in attachments
        if a.kind == "image"
    ]
    return ChatMessage(
        role="user" if role == "user" else "assistant",
        content=content + "".join(texts),
        images=images,
    )


def message_with_attachments(
    message: Message, attached: Mapping[int, Sequence[Attachment]]
) -> ChatMessage:
    """A stored message as the provider should see it, with its stored attachments."""
    return with_attachments(message.role, message.content, attached.get(message.id, ()))


def _size(count: int) -> str:
    return f"{count / _MB:.1f} MB" if count >= _MB else f"{count / 1024:.0f} KB"


def load_attachments(
    instances: InstanceService, instance_id: str, model_id: str, paths: Sequence[str]
) -> list[Attachment]:
    """Read and check files to send to (instance, model); BadInputError for the first one
    that cannot go (missing, binary, too large, an image for a model without image support)."""
    if not paths:
        return []
    attachments = [read_attachment(path) for path in paths]
    check_for(instances, instance_id, model_id, attachments)
    return attachments


def check_for(
    instances: InstanceService, instance_id: str, model_id: str, attachments: Sequence[Attachment]
) -> None:
    """BadInputError unless (instance, model) takes every one of `attachments`."""
    if not attachments:
        return
    info = instances.resolve_model(instance_id, model_id).info
    provider_type = instances.check_usable(instance_id).provider_type
    check_attachments(attachments, model_id, info, provider_type)
