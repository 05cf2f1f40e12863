"""Budgets in the chat: the header shows spend against the cap, and a prompt that would pass
it asks first; declining stores nothing and keeps the prompt."""

from __future__ import annotations

from typing import cast

from textual.pilot import Pilot
from textual.widgets import Static

from lace_tui.services.app_services import Services
from lace_tui.tui.app import LaceApp
from lace_tui.tui.screens.confirm import ConfirmScreen
from lace_tui.tui.screens.model_picker import ModelPicker
from lace_tui.tui.widgets.price_dialog import PriceDialog
from tests.support.fake_provider import FakeProvider
from tests.tui import test_tui_chat_setup as setup
from tests.tui.test_tui_chat_setup import (
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


def _text(widget: Static) -> str:
    return str(widget.render())


async def test_over_budget_asks_and_declining_stores_nothing(
    services: Services, server: FakeProvider
) -> None:
    # fake-small's turn is estimated at 4,096 output tokens x $2/M: over a $0.001 daily cap.
    services.instances.edit("fake", budgets={"daily_budget": 0.001})
    session, agent = session_with_agent(services)
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as running:
        # The shared helpers take any app's pilot (Pilot is invariant in its return type).
        pilot = cast("Pilot[object]", running)
        screen = chat_screen(app)
        header = screen.query_one("#chat-header", Static)
        await wait_until(pilot, lambda: "today $0/$0.0010" in _text(header))
        type_prompt(screen, "hello")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        body = " ".join(_text(w) for w in app.screen.query(Static))
        assert "daily budget of $0.0010" in body
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is screen)
        assert screen.prompt.text == "hello"
        assert services.sessions.list_messages(agent.id) == []
        assert server.chat_count == 0
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_streams_done(pilot, screen)
        await wait_until(pilot, lambda: "today $0/" not in _text(header))
    stored = services.sessions.list_messages(agent.id)
    assert [m.role for m in stored] == ["user", "assistant"]
    assert stored[-1].status == "complete"


async def test_your_price_is_set_from_the_model_picker(
    services: Services, server: FakeProvider
) -> None:
    session, _ = session_with_agent(services)
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as running:
        pilot = cast("Pilot[object]", running)
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        picker = app.screen
        await pilot.press("f7")
        await wait_until(pilot, lambda: isinstance(app.screen, PriceDialog))
        await pilot.press("ctrl+u", "x", "enter")
        assert isinstance(app.screen, PriceDialog)  # not a price: explained, kept open
        await pilot.press("ctrl+u", "1", "tab", "ctrl+u", "4", "enter")
        await wait_until(pilot, lambda: app.screen is picker)
        await app.workers.wait_for_complete()
        await pilot.pause()
        detail = _text(picker.query_one("#picker-detail", Static))
        assert "your price" in detail
    price = services.instances.get("fake").prices["fake-small"]
    assert (price.input, price.output, price.cached_input) == (1.0, 4.0, None)
    info = services.instances.resolve_model("fake", "fake-small")
    assert info.price_source == "user" and info.info is not None
    assert info.info.cost_per_1m_out == 4.0
