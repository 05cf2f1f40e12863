"""Agent settings and export from the app, keyboard only at 80x24: f6 sets the system prompt
and a reasoning level the catalog lists (shown in the header, sent with the next prompt); the
palette exports the session to a file the user names, or copies it whole."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Input, TextArea

from lace_tui.tui.app import LaceApp
from lace_tui.tui.commands import collect_commands
from lace_tui.tui.screens.agent_settings import AgentSettingsDialog, ExportDialog
from lace_tui.tui.widgets.chat_header import SessionHeader
from tests.support.fake_provider import FakeProvider
from tests.tui import test_tui_chat_setup as setup
from tests.tui.test_tui_chat_setup import (
    FAKE_CATALOG,
    build_services,
    chat_screen,
    type_prompt,
    wait_streams_done,
    wait_until,
)

shared_server = setup.shared_server
server = setup.server


async def test_settings_and_export_from_the_keyboard(tmp_path: Path, server: FakeProvider) -> None:
    services = build_services(tmp_path / "home", server.url)
    catalog = json.loads(json.dumps(FAKE_CATALOG))
    catalog["models"][1]["reasoning_levels"] = ["low", "high"]
    (services.paths.user_catalogs_dir / "fakeco.json").write_text(json.dumps(catalog))
    services.reload_catalog()
    session = services.sessions.create_session("s-set", title="Settings")
    services.chat.add_agent(session.id, "fake", "fake-large")
    app = LaceApp(services, session_id=session.id)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = chat_screen(app)
            await wait_until(pilot, lambda: screen.session_id == session.id)
            await pilot.press("f6")
            await wait_until(
                pilot,
                lambda: (
                    isinstance(app.screen, AgentSettingsDialog) and bool(app.screen.query(TextArea))
                ),
            )
            app.screen.query_one(TextArea).insert("Answer in French.")  # as typed
            await pilot.press("tab", "enter", "down", "down", "enter", "ctrl+s")
            await wait_until(pilot, lambda: app.screen is screen)
            header = str(screen.query_one(SessionHeader).render())
            assert "effort high" in header
            type_prompt(screen, "hello")
            await pilot.press("enter")
            await wait_until(pilot, lambda: server.chat_count == 1)
            await wait_streams_done(pilot, screen)
            body = server.requests[-1].body
            assert isinstance(body, dict)
            assert body["messages"][0] == {"role": "system", "content": "Answer in French."}
            assert body["reasoning_effort"] == "high"
            # Both are palette entries (typing their names there is the palette's own test).
            names = [command.name for command in collect_commands(app.screen)]
            assert {"Export session", "Copy session", "Agent settings"} <= set(names)
            await screen.run_action("export")
            await wait_until(
                pilot,
                lambda: isinstance(app.screen, ExportDialog) and bool(app.screen.query(Input)),
            )
            target = tmp_path / "out.json"
            app.screen.query_one(Input).value = str(target)
            await pilot.press("enter")
            await wait_until(pilot, lambda: target.exists())
            assert json.loads(target.read_text())["session"]["id"] == session.id
            await screen.run_action("copy_session")
            await wait_until(pilot, lambda: "hello" in app.clipboard)
            assert app.clipboard.startswith("#")
    finally:
        services.close()
