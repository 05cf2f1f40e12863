"""Make text from outside safe to print or draw.

Replies, provider errors, model ids and catalog names come from servers and files we do not
control. Written raw to a terminal, a C0/C1 control starts an escape sequence (clear the screen,
set the window title, write the clipboard with OSC 52), and a bidi override makes text read
differently from what it is (CVE-2021-42574, "Trojan Source"). `printable` replaces each such
character by a visible stand-in, so the user sees that it was there and nothing acts on it.

Every place that prints or draws outside text calls `printable`; JSON output keeps the exact text
(JSON escapes controls itself). This module is the bottom layer: no Textual, no Rich.
"""

from __future__ import annotations

import re

# C0 controls are shown as their Unicode "Control Pictures" (U+2400 + code: ESC → ␛, BEL → ␇),
# DEL as ␡. C1 controls (U+0080..U+009F; U+009B is a one-byte CSI in some terminals) have no
# picture of their own: they become U+FFFD.
_STANDINS: dict[str, str] = {chr(c): chr(0x2400 + c) for c in range(0x20)}
_STANDINS["\x7f"] = "\u2421"
_STANDINS.update({chr(c): "\ufffd" for c in range(0x80, 0xA0)})
# Bidi embeddings, overrides and isolates (Unicode TR#9, "Explicit Directional Formatting
# Characters") are shown as ⇆ so text cannot be reordered behind the reader's back.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_STANDINS.update({ch: "\u21c6" for ch in _BIDI})  # ⇆

# Printable ASCII: a plain-ASCII text whose bytes are all in here needs no regex scan at all.
_SAFE_ASCII = bytes(range(0x20, 0x7F))
_SAFE_ASCII_MULTILINE = _SAFE_ASCII + b"\n\t"
_UNSAFE_MULTILINE = re.compile("\r\n|[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI + "]")
_UNSAFE_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f" + _BIDI + "]")


def _standin(match: re.Match[str]) -> str:
    found = match.group()
    if found == "\r\n":
        return "\n"  # a Windows line ending is a line ending, not a hostile carriage return
    return _STANDINS[found]


def printable(text: str, *, one_line: bool = False) -> str:
    """Return `text` with every control character and bidi control replaced by a stand-in.

    Newline and tab are kept (a CRLF becomes a newline); everything else below U+0020, DEL,
    the C1 range and the bidi embeddings/overrides/isolates become visible symbols such as `␛`.
    With `one_line=True` newline and tab become `␊`/`␉` too, for a table cell or an `error:`
    line. Text with nothing to replace comes back unchanged (the same object).
    """
    if text.isascii():
        # Deleting the safe bytes in C is about ten times faster than a regex scan.
        safe = _SAFE_ASCII if one_line else _SAFE_ASCII_MULTILINE
        if not text.encode("ascii").translate(None, safe):
            return text
    pattern = _UNSAFE_ONE_LINE if one_line else _UNSAFE_MULTILINE
    if pattern.search(text) is None:
        return text
    return pattern.sub(_standin, text)
