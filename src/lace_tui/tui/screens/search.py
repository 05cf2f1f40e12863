"""Search every session's prompts and replies; Enter opens the chat at the chosen message.

The query runs in a thread worker as the user types (a newer query replaces an older one),
so the screen never waits on SQLite.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from lace_tui.errors import LaceError
from lace_tui.services.app_services import Services
from lace_tui.services.search_service import SearchHit, search_sessions
from lace_tui.textsafe import printable

ROLE_LABEL = {"user": "you", "assistant": "reply"}


def hit_label(hit: SearchHit) -> Content:
    """Two lines: where the message is (session, agent, who), then the snippet with the
    matched words highlighted. Built from parts, never parsed as markup."""
    title = printable(hit.session_title or hit.session_id, one_line=True)
    agent = printable(hit.agent_name, one_line=True)
    parts: list[str | tuple[str, str]] = [
        (title, "bold"),
        ("  ", ""),
        (f"{agent} · {ROLE_LABEL.get(hit.role, hit.role)} · {hit.created_at[:10]}", "dim"),
        ("\n", ""),
    ]
    # One character in, one out: the highlight offsets still hold after `printable`.
    snippet = printable(hit.snippet)
    at = 0
    for start, end in hit.highlights:
        parts.append(snippet[at:start])
        parts.append((snippet[start:end], "bold reverse"))
        at = end
    parts.append(snippet[at:])
    return Content.assemble(*parts)


class SearchScreen(ModalScreen[SearchHit | None]):
    """Type words; the newest matching messages of every session are listed as you type."""

    DEFAULT_CSS = """
    SearchScreen {
        align: center top;
    }
    SearchScreen > #search-box {
        width: 100%;
        max-width: 110;
        height: 1fr;
        margin: 1 2;
        padding: 0 1;
        background: $surface;
        border: round $accent;
    }
    SearchScreen #search-input {
        margin: 0;
    }
    SearchScreen #search-hits {
        height: 1fr;
        border: none;
    }
    SearchScreen #search-status {
        height: 1;
        color: $text-muted;
    }
    """

    HOWTO: ClassVar[str] = (
        "Type words to find in every session's prompts and replies (all of them must appear; "
        "three letters or more match the start of a word). Down moves to the hits, Enter opens "
        "the session at that message, Esc goes back."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("down", "to_hits", "Hits", show=False),
    ]

    def __init__(self, services: Services, text: str = "") -> None:
        super().__init__()
        self.services = services
        self._initial = text
        self._hits: list[SearchHit] = []
        self._shown_for: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Input(self._initial, placeholder="words to find", id="search-input")
            yield Static("Type to search every session.", id="search-status")
            yield OptionList(id="search-hits")

    def on_mount(self) -> None:
        self.query_one("#search-box").border_title = "Search messages"
        self.query_one("#search-input", Input).focus()
        if self._initial.strip():
            self.run_search(self._initial)

    @property
    def hits(self) -> list[SearchHit]:
        """The hits listed now."""
        return list(self._hits)

    @on(Input.Changed, "#search-input")
    def _on_changed(self, event: Input.Changed) -> None:
        if event.value.strip():
            self.run_search(event.value)
        else:
            self._show(event.value, [], "Type to search every session.")

    @on(Input.Submitted, "#search-input")
    def _on_submitted(self) -> None:
        if self._hits:
            self.dismiss(self._hits[0])

    def action_to_hits(self) -> None:
        hits = self.query_one("#search-hits", OptionList)
        if self._hits:
            hits.focus()
            hits.highlighted = 0

    def action_close(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, text: str) -> None:
        """Query the index off the UI loop; show the hits unless the text changed since."""
        try:
            hits = search_sessions(self.services.sessions, text)
        except LaceError as exc:
            self.app.call_from_thread(self._show, text, [], exc.message)
            return
        status = f"{len(hits)} message{'s' if len(hits) != 1 else ''}, newest first"
        if not hits:
            status = "No prompt or reply contains these words."
        self.app.call_from_thread(self._show, text, hits, status)

    def _show(self, text: str, hits: list[SearchHit], status: str) -> None:
        if text != self.query_one("#search-input", Input).value:
            return  # a stale answer: the user typed on
        self._hits = hits
        self._shown_for = text
        self.query_one("#search-status", Static).update(Content(status))
        options = self.query_one("#search-hits", OptionList)
        options.clear_options()
        options.add_options(
            [Option(hit_label(hit), id=str(index)) for index, hit in enumerate(hits)]
        )

    @on(OptionList.OptionSelected, "#search-hits")
    def _on_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self._hits[event.option_index])
