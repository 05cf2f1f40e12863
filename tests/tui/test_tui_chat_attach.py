"""Attaching files in the app at 80x24: f7 asks for a path, the file is checked for the agent's
model at once, shown over the prompt and sent with the next prompt in the wire format's form."""

from __future__ import annotations

import base64
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from lace_tui.services.app_services import Services
from lace_tui.tui.app import LaceApp
from lace_tui.tui.widgets.chat_dialogs import TextDialog
from tests.support.fake_provider import FakeProvider
from tests.tui import test_tui_chat_setup as setup
from tests.tui.test_tui_chat_setup import (
    chat_screen,
    session_with_agent,
    type_prompt,
    wait_streams_done,
    wait_until,
)

shared_server = setup.shared_server
server = setup.server
services = setup.services

PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)


async def _attach(pilot: Pilot[int], app: LaceApp, path: Path) -> None:
    await pilot.press("f7")
    await wait_until(
        pilot, lambda: isinstance(app.screen, TextDialog) and bool(app.screen.query(Input))
    )
    app.screen.query_one(Input).value = str(path)
    await pilot.press("enter")


async def test_an_attached_image_goes_with_the_next_prompt(
    services: Services, server: FakeProvider, tmp_path: Path
) -> None:
    picture = tmp_path / "pic.png"
    picture.write_bytes(PNG)
    session, agent = session_with_agent(services, model_id="fake-large")
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        await _attach(pilot, app, picture)
        await wait_until(pilot, lambda: screen.prompt.border_title == "attached: pic.png")
        type_prompt(screen, "what is this?")
        await pilot.press("enter")
        await wait_until(pilot, lambda: server.chat_count == 1)
        await wait_streams_done(pilot, screen)
        assert not screen.prompt.border_title
        body = server.requests[-1].body
        assert isinstance(body, dict)
        data = base64.b64encode(PNG).decode()
        assert body["messages"][-1]["content"] == [
            {"type": "text", "text": "what is this?"},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}},
        ]
    stored = services.sessions.attachments_for_agent(agent.id)
    assert [a.name for files in stored.values() for a in files] == ["pic.png"]


async def test_an_image_for_a_model_without_image_support_is_refused_at_once(
    services: Services, server: FakeProvider, tmp_path: Path
) -> None:
    picture = tmp_path / "pic.png"
    picture.write_bytes(PNG)
    session, _ = session_with_agent(services, model_id="fake-small")
    app = LaceApp(services, session_id=session.id)
    refused: list[str] = []
    async with app.run_test(size=(80, 24), message_hook=lambda m: refused.append(str(m))) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        await _attach(pilot, app, picture)
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_until(pilot, lambda: any("image support" in m for m in refused))
        assert not screen.prompt.border_title
    assert server.chat_count == 0
