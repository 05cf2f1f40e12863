"""The Chat section driven with Pilot: real SessionStore and instances in tmp_path, replies
served by the loopback fake provider."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message as TextualMessage
from textual.notifications import Notification, Notify
from textual.widgets import Button, DataTable, Input, Markdown, OptionList, Static

from lace_tui.sessions.models import Agent
from lace_tui.tui.app import LaceApp
from lace_tui.tui.screens.chat import ChatScreen
from lace_tui.tui.screens.confirm import ConfirmScreen
from lace_tui.tui.screens.model_picker import ModelPicker
from lace_tui.tui.widgets.chat_dialogs import TextDialog
from lace_tui.tui.widgets.chat_header import SessionHeader
from lace_tui.tui.widgets.chat_message import ReplyView, UserMessage
from lace_tui.tui.widgets.chat_pane import AgentColumn
from lace_tui.tui.widgets.chat_transcript import MAX_MESSAGES, Transcript
from tests.support.fake_provider import FakeBehaviour
from tests.tui import test_tui_chat_setup as setup
from tests.tui.test_tui_chat_setup import (
    build_services,
    chat_screen,
    session_with_agent,
    type_prompt,
    wait_streams_done,
    wait_until,
)

# The shared fixtures, made visible to pytest in this module.
shared_server = setup.shared_server
server = setup.server
services = setup.services


class Notes:
    """Notifications the app showed, captured from its messages."""

    def __init__(self) -> None:
        self.items: list[Notification] = []

    def hook(self, message: TextualMessage) -> None:
        if isinstance(message, Notify):
            self.items.append(message.notification)

    def errors(self) -> list[str]:
        return [n.message for n in self.items if n.severity == "error"]


def replies(screen: ChatScreen) -> list[ReplyView]:
    return list(screen.query(ReplyView))


def visible_text(widget: Static) -> str:
    return str(widget.render())


# -- streaming -----------------------------------------------------------------------------


async def test_reply_streams_into_the_transcript_and_is_stored(services, server) -> None:
    session, agent = session_with_agent(services)
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        assert app.focused is screen.prompt
        type_prompt(screen, "hello")
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(replies(screen)))
        await wait_streams_done(pilot, screen)
        reply = replies(screen)[0]
        assert reply.text == "Hello **there**, friend."
        # Rendered as Markdown: the bold markers are gone from what is drawn.
        markdown = reply.query_one(Markdown)
        assert markdown.source == "Hello **there**, friend."
        drawn = str(markdown.query_one("MarkdownParagraph").render())
        assert "Hello there, friend." in drawn
        summary = visible_text(reply.query_one(".reply-summary", Static))
        assert "fake-small @ fake" in summary
        assert "7 in / 3 out tokens" in summary
        assert "<$0.0001" in summary
        assert "TTFT" in summary and "tok/s" in summary
        assert screen.prompt.text == ""
        assert [w.text for w in screen.query(UserMessage)] == ["hello"]
    stored = services.sessions.list_messages(agent.id)
    assert [(m.role, m.content, m.status) for m in stored] == [
        ("user", "hello", "complete"),
        ("assistant", "Hello **there**, friend.", "complete"),
    ]
    assert stored[1].cost_usd is not None and stored[1].cost_usd > 0


async def test_reasoning_is_shown_dimmed_and_collapsible(services, server) -> None:
    server.behaviour = FakeBehaviour(reply="The answer.", reasoning="Let me think it over.")
    session, _ = session_with_agent(services, model_id="fake-large")
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        type_prompt(screen, "why")
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(replies(screen)))
        await wait_streams_done(pilot, screen)
        reply = replies(screen)[0]
        assert reply.reasoning == "Let me think it over."
        from textual.widgets import Collapsible

        collapsible = reply.query_one(Collapsible)
        assert collapsible.display and collapsible.has_class("-has-reasoning")
        assert collapsible.collapsed  # folded once the answer began
        assert collapsible.title == "Reasoning"
        collapsible.collapsed = False
        await pilot.pause()
        assert "Let me think it over." in visible_text(reply.query_one(".reply-reasoning", Static))


async def test_escape_stops_the_stream_and_keeps_the_partial_text(services, server) -> None:
    server.behaviour = FakeBehaviour(reply="one two three four five six", stall_after=3)
    session, agent = session_with_agent(services)
    notes = Notes()
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40), message_hook=notes.hook) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        type_prompt(screen, "count")
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(replies(screen)) and replies(screen)[0].text)
        await wait_until(pilot, lambda: replies(screen)[0].text == "one two three")
        assert screen.streaming_agents() == [agent.id]
        await pilot.press("escape")
        await wait_streams_done(pilot, screen)
        reply = replies(screen)[0]
        await wait_until(pilot, lambda: reply.message.status == "interrupted")
        assert reply.query_one(Markdown).source == "one two three"
        assert "interrupted" in visible_text(reply.query_one(".reply-summary", Static))
        assert any("Stopped" in n.message for n in notes.items)
    assert server.disconnected.wait(5)
    stored = services.sessions.list_messages(agent.id)[-1]
    assert (stored.status, stored.content) == ("interrupted", "one two three")


async def test_fan_out_fills_a_column_per_agent(services, server) -> None:
    session, small = session_with_agent(services)
    large = services.chat.add_agent(session.id, "fake", "fake-large")
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        await pilot.press("ctrl+g")
        columns = list(screen.query(AgentColumn))
        assert [c.agent.id for c in columns] == [small.id, large.id]
        assert all(c.display for c in columns)
        header = screen.query_one(SessionHeader)
        assert "all 2 agents" in visible_text(header)
        type_prompt(screen, "compare")
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(replies(screen)) == 2)
        await wait_streams_done(pilot, screen)
        for column in columns:
            [reply] = column.query(ReplyView)
            assert reply.text == "Hello **there**, friend."
            assert reply.message.model_id == column.agent.model_id
        # Back to one column: only the selected agent's transcript shows.
        await pilot.press("ctrl+g")
        assert [c.display for c in columns] == [True, False]
    small_reply = services.sessions.list_messages(small.id)[-1]
    large_reply = services.sessions.list_messages(large.id)[-1]
    assert small_reply.status == large_reply.status == "complete"
    assert small_reply.turn_id is not None and small_reply.turn_id == large_reply.turn_id


async def test_a_fast_reply_ends_up_whole_on_screen(services, server) -> None:
    """Many deltas arriving at once are batched, and the final render has them all."""
    server.behaviour = FakeBehaviour(reply="", tokens=2000)
    session, agent = session_with_agent(services)
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        type_prompt(screen, "go")
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(replies(screen)))
        await wait_streams_done(pilot, screen)
        stored = services.sessions.list_messages(agent.id)[-1]
        reply = replies(screen)[0]
        assert len(stored.content.split()) == 2000
        assert reply.query_one(Markdown).source == stored.content


async def test_a_reply_keeps_streaming_while_another_session_is_open(services, server) -> None:
    # The server sends 5 of 40 words, then holds the stream open until the test lets it go.
    behaviour = FakeBehaviour(reply="", tokens=40, hold_after=5)
    server.behaviour = behaviour
    first, first_agent = session_with_agent(services, session_id="s-first")
    session_with_agent(services, session_id="s-second")
    app = LaceApp(services, session_id=first.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == first.id)
        type_prompt(screen, "long one")
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(replies(screen)))
        reply = replies(screen)[0]
        screen.load_session("s-second")
        await wait_until(pilot, lambda: screen.session_id == "s-second")
        assert screen.streaming_agents() == [first_agent.id]
        assert reply.is_attached  # its pane is hidden, not removed: the reply streams on
        behaviour.release.set()
        await wait_streams_done(pilot, screen)
        screen.load_session(first.id)
        await wait_until(pilot, lambda: screen.session_id == first.id)
        await pilot.pause()
        [shown] = replies(screen)
        assert shown is reply  # the same widget: it went on streaming while hidden
        stored = services.sessions.list_messages(first_agent.id)[-1]
        assert stored.status == "complete"
        assert shown.query_one(Markdown).source == stored.content
        assert len(stored.content.split()) == 40


async def test_the_view_follows_the_stream_unless_scrolled_up(services, server) -> None:
    server.behaviour = FakeBehaviour(reply="", tokens=300)
    session, agent = session_with_agent(services)
    for n in range(6):  # enough history to scroll
        services.sessions.add_message(
            agent.id, "user", f"line {n}\n" * 8, model_id="fake-small", instance_id="fake"
        )
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        transcript = screen.query_one(Transcript)
        type_prompt(screen, "first")
        await pilot.press("enter")
        await wait_streams_done(pilot, screen)
        await pilot.pause()
        assert transcript.scroll_y == transcript.max_scroll_y  # followed to the end
        behaviour = FakeBehaviour(reply="", tokens=100, hold_after=5)
        server.behaviour = behaviour
        type_prompt(screen, "second")
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(replies(screen)) == 2 and bool(replies(screen)[1].text))
        transcript.focus()
        await pilot.press("home")  # the user scrolls up to reread, while the reply streams
        behaviour.release.set()
        await wait_streams_done(pilot, screen)
        await pilot.pause()
        assert transcript.scroll_y < transcript.max_scroll_y  # left where the user put it


# -- errors --------------------------------------------------------------------------------


async def _send_and_expect_error(services, server, fragment: str) -> None:
    session, agent = session_with_agent(services)
    notes = Notes()
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40), message_hook=notes.hook) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        type_prompt(screen, "hello")
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(replies(screen)))
        await wait_streams_done(pilot, screen)
        reply = replies(screen)[0]
        await wait_until(pilot, lambda: reply.message.status == "error")
        error = reply.query_one(".reply-error", Static)
        assert error.display
        assert fragment in visible_text(error).lower()
        assert notes.errors() and fragment in notes.errors()[-1].lower()
        assert "sk-test-key" not in visible_text(error)
        # The app goes on: the prompt still works.
        assert app.is_running
        await pilot.press("o", "k")
        assert screen.prompt.text == "ok"
    stored = services.sessions.list_messages(agent.id)[-1]
    assert stored.status == "error" and stored.error


async def test_an_auth_failure_shows_in_the_transcript_and_as_a_notification(
    services, server
) -> None:
    server.behaviour = FakeBehaviour(require_key="a-different-key")
    await _send_and_expect_error(services, server, "key")


async def test_a_server_error_after_retries_shows_and_nothing_crashes(services, server) -> None:
    server.behaviour = FakeBehaviour(status=500, error_message="the fake is down")
    await _send_and_expect_error(services, server, "500")


async def test_prompt_is_kept_when_sending_fails_before_it_is_stored(services, server) -> None:
    session, _ = session_with_agent(services)
    # The instance now reads its key from a variable that is not set: send() refuses.
    services.instances.edit("fake", api_key_env="LACE_TEST_UNSET_KEY")
    notes = Notes()
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40), message_hook=notes.hook) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        type_prompt(screen, "keep me")
        await pilot.press("ctrl+j")
        type_prompt(screen, "please")
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.prompt.text == "keep me\nplease")
        await wait_streams_done(pilot, screen)
        assert any("LACE_TEST_UNSET_KEY" in error for error in notes.errors())
        assert not screen.query(UserMessage)  # nothing shown as sent
        assert not replies(screen)
        assert app.is_running


async def test_a_session_deleted_elsewhere_keeps_the_prompt(services, server) -> None:
    session, _ = session_with_agent(services)
    notes = Notes()
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40), message_hook=notes.hook) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        services.sessions.delete_session(session.id)  # by the CLI, say
        type_prompt(screen, "still here")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.prompt.text == "still here"
        assert notes.errors()
        assert app.is_running


async def test_first_prompt_without_an_agent_keeps_the_text_if_the_picker_is_cancelled(
    services, server
) -> None:
    services.sessions.create_session("s-empty", title="Empty")
    app = LaceApp(services, session_id="s-empty")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == "s-empty")
        type_prompt(screen, "my prompt")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        assert screen.prompt.text == "my prompt"
    assert services.sessions.list_agents("s-empty") == []


async def test_context_overflow_asks_before_dropping_turns_and_keeps_the_prompt(
    services, server
) -> None:
    session, _ = session_with_agent(services, model_id="tiny")
    long_prompt = "word " * 22
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        type_prompt(screen, "hi")
        await pilot.press("enter")
        await wait_streams_done(pilot, screen)
        requests = len(server.requests)
        screen.prompt.load_text(long_prompt)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        body = " ".join(visible_text(w) for w in app.screen.query(Static))
        assert "context window" in body and "oldest" in body
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is screen)
        assert screen.prompt.text == long_prompt
        assert len(server.requests) == requests  # nothing went on the wire
        assert len(replies(screen)) == 1


async def test_context_overflow_offers_to_drop_the_oldest_turns(services, server) -> None:
    session, agent = session_with_agent(services, model_id="tiny")
    # 110 characters, ~28 tokens: with the first turn, more than the 32 tokens the 40-token
    # window leaves after reserving room for the reply; alone, it fits.
    long_prompt = "word " * 22
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        type_prompt(screen, "hi")
        await pilot.press("enter")
        await wait_streams_done(pilot, screen)
        screen.prompt.load_text(long_prompt)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert screen.prompt.text == long_prompt  # kept while the user decides
        await pilot.press("y")
        await wait_until(pilot, lambda: app.screen is screen)
        await pilot.pause()
        await wait_streams_done(pilot, screen)
        assert len(replies(screen)) == 2
        assert screen.prompt.text == ""
    stored = services.sessions.list_messages(agent.id)
    assert stored[-1].role == "assistant" and stored[-1].status == "complete"
    assert [m.content for m in stored if m.role == "user"].count(long_prompt) == 1


# -- the prompt ----------------------------------------------------------------------------


async def test_enter_sends_and_ctrl_j_inserts_a_newline(services, server) -> None:
    session, agent = session_with_agent(services)
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        await pilot.press("a", "ctrl+j", "b", "shift+enter", "c")
        assert screen.prompt.text == "a\nb\nc"
        assert services.sessions.list_messages(agent.id) == []
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(replies(screen)))
        await wait_streams_done(pilot, screen)
        assert screen.prompt.text == ""
    assert services.sessions.list_messages(agent.id)[0].content == "a\nb\nc"


async def test_a_second_prompt_to_a_busy_agent_waits_and_is_not_lost(services, server) -> None:
    server.behaviour = FakeBehaviour(reply="slow reply here", stall_after=1)
    session, _ = session_with_agent(services)
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        type_prompt(screen, "first")
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(screen.streaming_agents()) and bool(replies(screen)))
        server.behaviour = FakeBehaviour(reply="", tokens=100, delay=0.005)
        type_prompt(screen, "second")
        await pilot.press("enter")
        assert screen.prompt.text == "second"
        await pilot.press("escape")
        await wait_streams_done(pilot, screen)


# -- models and agents ---------------------------------------------------------------------


async def test_picker_adds_an_agent_with_the_chosen_model(services, server) -> None:
    session, first = session_with_agent(services)
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        await pilot.press("ctrl+a")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        picker = app.screen
        table = picker.query_one(DataTable)
        assert table.row_count == 3
        await pilot.press(*"large")
        assert table.row_count == 1
        detail = visible_text(picker.query_one("#picker-detail", Static))
        assert "fake-large" in detail and "next turn" in detail
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_until(pilot, lambda: len(screen.query(AgentColumn)) == 2)
        agents = services.sessions.list_agents(session.id)
        assert [(a.id == first.id, a.model_id) for a in agents] == [
            (True, "fake-small"),
            (False, "fake-large"),
        ]
        assert screen.agent_id == agents[1].id
        assert app.focused is screen.prompt


async def test_picker_switches_the_selected_agents_model(services, server) -> None:
    session, agent = session_with_agent(services)
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_until(
            pilot, lambda: services.sessions.get_agent(agent.id).model_id == "fake-large"
        )
        column = screen.query_one(AgentColumn)
        assert "fake-large" in visible_text(column.query_one(".column-title", Static))
        type_prompt(screen, "hi")
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(replies(screen)))
        await wait_streams_done(pilot, screen)
    assert services.sessions.list_messages(agent.id)[-1].model_id == "fake-large"
    body = server.requests[-1].body
    assert isinstance(body, dict) and body["model"] == "fake-large"


async def test_first_prompt_of_a_new_user_picks_a_model_then_sends(services, server) -> None:
    app = LaceApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        assert screen.session_id is None
        type_prompt(screen, "first ever")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(replies(screen)))
        await wait_streams_done(pilot, screen)
        assert screen.session_id is not None
        session_id = screen.session_id
    sessions = services.sessions.list_sessions()
    assert [s.id for s in sessions] == [session_id]
    assert sessions[0].title == "first ever"
    [agent] = services.sessions.list_agents(session_id)
    assert services.sessions.list_messages(agent.id)[0].content == "first ever"


async def test_picker_without_instances_offers_the_instances_section(tmp_path: Path) -> None:
    bare = build_services(tmp_path / "bare", None)
    try:
        app = LaceApp(bare, session_id="s-one")
        async with app.run_test(size=(120, 40)) as pilot:
            screen = chat_screen(app)
            await wait_until(pilot, lambda: screen.session_id == "s-one")
            await pilot.press("ctrl+a")
            await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
            text = " ".join(visible_text(s) for s in app.screen.query(Static))
            assert "No instances configured" in text
            await pilot.press("i")
            await wait_until(pilot, lambda: app.current_mode == "instances")
    finally:
        bare.close()


# -- sessions ------------------------------------------------------------------------------


async def test_session_flag_opens_that_session_with_the_prompt_focused(services, server) -> None:
    _, agent = session_with_agent(services, session_id="s-chosen")
    services.sessions.create_session("s-other", title="Other")
    services.sessions.add_message(
        agent.id, "user", "stored question", model_id="fake-small", instance_id="fake"
    )
    app = LaceApp(services, session_id="s-chosen")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == "s-chosen")
        assert app.focused is screen.prompt
        assert [w.text for w in screen.query(UserMessage)] == ["stored question"]
        sessions = screen.query_one("#chat-sessions", OptionList)
        assert sessions.highlighted_option is not None
        assert sessions.highlighted_option.id == "s-chosen"


async def test_new_session_rename_archive_and_delete(services, server) -> None:
    session, _ = session_with_agent(services, session_id="s-first")
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == "s-first")
        # ctrl+n: pick the first model; the session exists once picked.
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.session_id not in (None, "s-first"))
        new_id = screen.session_id
        assert new_id is not None
        assert len(services.sessions.list_agents(new_id)) == 1

        # rename (r in the sessions list)
        sessions = screen.query_one("#chat-sessions", OptionList)
        sessions.focus()
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, TextDialog))
        app.screen.query_one(Input).value = ""
        await pilot.press(*"Renamed", "enter")
        await wait_until(pilot, lambda: services.sessions.get_session(new_id).title == "Renamed")

        # delete asks first; n keeps it, y deletes it
        await wait_until(pilot, lambda: app.screen is screen)
        sessions.focus()
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is screen)
        assert services.sessions.find_session(new_id) is not None
        sessions.focus()
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")  # the focused button is Cancel: Enter never deletes
        await wait_until(pilot, lambda: app.screen is screen)
        assert services.sessions.find_session(new_id) is not None
        sessions.focus()
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: services.sessions.find_session(new_id) is None)
        await wait_until(pilot, lambda: screen.session_id == "s-first")

        # archive: the open session stays open, marked; other archived ones hide (h shows them)
        services.sessions.create_session("s-third", title="Third")
        await screen.run_action("toggle_archived")
        await screen.run_action("toggle_archived")
        await pilot.pause()
        sessions.focus()
        sessions.highlighted = [o.id for o in sessions.options].index("s-third")
        await pilot.press("a")
        await wait_until(pilot, lambda: services.sessions.get_session("s-third").archived)
        await pilot.pause()
        assert "s-third" not in [option.id for option in sessions.options]
        await pilot.press("h")
        assert "s-third" in [option.id for option in sessions.options]
        label = str(sessions.get_option("s-third").prompt)
        assert "(archived)" in label
        sessions.highlighted = [o.id for o in sessions.options].index("s-third")
        await pilot.press("a")
        await wait_until(pilot, lambda: not services.sessions.get_session("s-third").archived)


async def test_a_long_session_mounts_only_the_latest_messages(services, server) -> None:
    session, agent = session_with_agent(services)
    store = services.sessions
    for n in range(60):
        store.add_message(agent.id, "user", f"q{n}", model_id="fake-small", instance_id="fake")
        store.add_message(agent.id, "assistant", f"a{n}", model_id="fake-small", instance_id="fake")
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        transcript = screen.query_one(Transcript)
        assert len(transcript.message_widgets()) == MAX_MESSAGES
        assert transcript.hidden_count == 120 - MAX_MESSAGES
        assert screen.query_one(UserMessage).text == f"q{60 - MAX_MESSAGES // 2}"
        assert "80 not shown" in str(transcript.query_one("#load-earlier", Button).label)
        await screen.run_action("load_earlier")
        await pilot.pause()
        assert len(transcript.message_widgets()) == 2 * MAX_MESSAGES
        assert transcript.hidden_count == 120 - 2 * MAX_MESSAGES
        assert screen.query(UserMessage).first().text == f"q{60 - MAX_MESSAGES}"


async def test_long_replies_shrink_the_window(services, server) -> None:
    session, agent = session_with_agent(services)
    store = services.sessions
    long_reply = "\n\n".join(f"Paragraph {n}." for n in range(30))  # ~60 lines each
    for n in range(10):
        store.add_message(agent.id, "user", f"q{n}", model_id="fake-small", instance_id="fake")
        store.add_message(
            agent.id, "assistant", long_reply, model_id="fake-small", instance_id="fake"
        )
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        transcript = screen.query_one(Transcript)
        # The last prompt and its long reply fill the window; the rest waits.
        assert [type(w) for w in transcript.message_widgets()] == [UserMessage, ReplyView]
        assert transcript.hidden_count == 18


async def test_header_shows_cost_tokens_and_context_fill(services, server) -> None:
    session, _ = session_with_agent(services)
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        type_prompt(screen, "hello")
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(replies(screen)))
        await wait_streams_done(pilot, screen)
        await wait_until(
            pilot, lambda: "tokens 10" in visible_text(screen.query_one(SessionHeader))
        )
        header = visible_text(screen.query_one(SessionHeader))
        assert "Test session" in header
        assert "cost <$0.0001" in header
        assert "ctx" in header and "/128k" in header


def _agent_ids(services, session_id: str) -> list[str]:
    agents: list[Agent] = services.sessions.list_agents(session_id)
    return [a.id for a in agents]


async def test_removing_an_agent_asks_first(services, server) -> None:
    session, first = session_with_agent(services)
    second = services.chat.add_agent(session.id, "fake", "fake-large")
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        agents = screen.query_one("#chat-agents", OptionList)
        agents.focus()
        await pilot.press("down")
        assert screen.agent_id == second.id
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: _agent_ids(services, session.id) == [first.id])
        await wait_until(pilot, lambda: len(screen.query(AgentColumn)) == 1)
        assert screen.agent_id == first.id
