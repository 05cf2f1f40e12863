"""The shared sanitiser: no control sequence from outside reaches a terminal."""

import pytest

from lace_tui.textsafe import printable

HOSTILE = [
    "\x1b[2J",  # clear screen
    "\x1b]52;c;aGVsbG8=\x07",  # OSC 52: write the clipboard
    "\x1b]0;pwned\x1b\\",  # OSC 0: window title, ST-terminated
    "\x9b2J",  # C1 CSI
    "\x9d0;title\x9c",  # C1 OSC ... ST
    "a\rb",  # carriage return overwrites the line
    "\x08\x7f\x00",  # backspace, DEL, NUL
    "\u202eevil\u202c",  # right-to-left override
    "\u2066x\u2069",  # left-to-right isolate
]


@pytest.mark.parametrize("text", HOSTILE)
def test_no_control_or_bidi_character_survives(text: str) -> None:
    out = printable(text)
    assert not any(ord(c) < 0x20 and c not in "\n\t" for c in out)
    assert not any(0x7F <= ord(c) <= 0x9F for c in out)
    assert not set(out) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert out  # replaced by something visible, not dropped


def test_escape_becomes_a_visible_stand_in() -> None:
    assert printable("\x1b[2Jhi") == "␛[2Jhi"
    assert printable("ring\x07") == "ring␇"


def test_newline_and_tab_are_kept_and_crlf_is_a_line_ending() -> None:
    assert printable("a\n\tb\r\nc") == "a\n\tb\nc"


def test_one_line_replaces_newline_and_tab_too() -> None:
    out = printable("bad\nline\tx\r\n", one_line=True)
    assert "\n" not in out and "\t" not in out and "\r" not in out
    assert out.startswith("bad␊line␉x")


def test_plain_and_unicode_text_come_back_unchanged() -> None:
    plain = "Hello, world! [/] {x} — naïve 日本語 🙂 \u200d"
    assert printable(plain) is plain
    assert printable(plain, one_line=True) is plain


def test_plain_ascii_with_one_control_is_still_caught() -> None:
    text = "x" * 10_000 + "\x1b[2J"
    assert printable(text).endswith("␛[2J")
    assert printable("a\nb", one_line=True) == "a␊b"
    assert printable("a\nb") == "a\nb"
