"""Keys never reach a message: the one redactor every error passes through.

Vendors echo keys back in error text (an in-stream `{"error": {"message": "... Bearer sk-..."}}`),
and transport libraries quote header values. Whatever builds an error message, the message goes
through `redact` on its way into a `LaceError` or a `StreamError`, so it is clean wherever it is
then shown, stored (sessions.db, state.json) or written as `--json`.

Keys are remembered when they are resolved for use (`remember_secret`); besides them, anything
after `Bearer ` is hidden, whoever's key it is. Bottom layer: imports nothing of ours.
"""

from __future__ import annotations

import re

MASK = "***"
# Header names whose values may be credentials.
SENSITIVE_HEADER_WORDS = ("auth", "key", "token", "secret", "cookie", "password")
# Shorter values (a local server's placeholder key) are too likely to be ordinary words.
_MIN_SECRET = 8
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[^\s\"',;]+")
# Longest first, so `Bearer <key>` goes before the key inside it. A tuple, replaced whole, so a
# worker thread remembering a key never changes it under a reader.
_secrets: tuple[str, ...] = ()


def remember_secret(value: str | None) -> None:
    """Note a key (or other credential) about to be used, so `redact` hides it from then on."""
    global _secrets
    if value and len(value) >= _MIN_SECRET and value not in _secrets:
        _secrets = tuple(sorted({*_secrets, value}, key=len, reverse=True))


def is_sensitive_header(name: str) -> bool:
    """Whether a header's value may be a credential (by its name)."""
    lowered = name.lower()
    return any(word in lowered for word in SENSITIVE_HEADER_WORDS)


def redact(text: str) -> str:
    """`text` with every remembered secret and every `Bearer <token>` replaced by `***`."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    if "earer" in text or "asic" in text:
        text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    return text
