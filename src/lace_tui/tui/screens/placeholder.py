"""A section that is not available in this build: says so instead of failing."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from lace_tui.tui.widgets.key_footer import KeyFooter


class PlaceholderScreen(Screen[None]):
    """A titled screen with one line of explanation."""

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.section_title = title
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(f"[b]{self.section_title}[/b]\n\n{self.text}", classes="placeholder")
        yield KeyFooter()
