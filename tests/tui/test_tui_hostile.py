"""The app starts and draws whatever is stored: hostile strings in every field (#11).

Escape sequences must arrive as visible stand-ins and markup from data must be shown as
literal text: a stored error holding `[/]` used to raise MarkupError on every later start."""

from __future__ import annotations

import json
from pathlib import Path

from textual.pilot import Pilot

from lace_tui.instances.models import ConnectionStatus, Instance
from lace_tui.paths import resolve_paths
from lace_tui.services.app_services import Services
from lace_tui.tui.app import LaceApp
from lace_tui.tui.screens.catalog_editor.screen import CatalogEditorScreen
from lace_tui.tui.screens.compare import CompareScreen
from lace_tui.tui.screens.help import HelpScreen
from lace_tui.tui.screens.model_picker import ModelPicker
from lace_tui.tui.screens.provider import ProviderScreen
from lace_tui.tui.screens.wizard import WizardScreen
from lace_tui.tui.sections import SECTIONS
from tests.support.hostile_server import ESCAPES, MARKUP

EVIL = f"{MARKUP} {ESCAPES}"
FORBIDDEN = ("\x1b", "\x07", "\x9b", "\x9c", "\u202e", "&#27;", "&#x1b;")


def _hostile_home(home: Path) -> Services:
    paths = resolve_paths(home)
    paths.user_catalogs_dir.mkdir(parents=True, exist_ok=True)
    provider = {
        "id": "evilco",
        "name": f"Evil {EVIL}",
        "type": "openai",
        "api_endpoint": "http://127.0.0.1:9/v1",
        "default_large_model_id": "m1",
        "models": [
            {"id": "m1", "name": f"Model {EVIL}", "context_window": 1000},
            {"id": f"[/]m2{ESCAPES}", "name": "[/]", "context_window": 1000},
        ],
    }
    (paths.user_catalogs_dir / "evilco.json").write_text(json.dumps(provider))
    services = Services(paths, environ={})
    services.instances.add(
        Instance(id="evil", name=f"Evil {EVIL}", provider="evilco", extra_models=[f"x{EVIL}"]),
        "sk-test-key-0000",
    )
    status = ConnectionStatus(state="error", message=f"refused: {EVIL}", tested_at="2026-01-01")
    services.instances.state.set_status("evil", status)
    session = services.sessions.create_session("s-evil", title=f"Title {EVIL}")
    agent = services.session_store.add_agent(
        session.id, f"Agent {MARKUP}", "evil", "m1", system_prompt=f"sys {EVIL}"
    )
    services.session_store.add_message(
        agent.id, "user", f"question {EVIL}", model_id="m1", instance_id="evil"
    )
    reply = services.session_store.add_message(
        agent.id, "assistant", f"answer {EVIL}", model_id="m1", instance_id="evil"
    )
    services.session_store.update_message(
        reply.id, reasoning=f"thinking {EVIL}", status="error", error=f"failed: {EVIL}"
    )
    return services


def _assert_drawn_inert(app: LaceApp) -> None:
    picture = app.export_screenshot()
    for bad in FORBIDDEN:
        assert bad not in picture, (bad, type(app.screen).__name__)


async def _show(pilot: Pilot[int], app: LaceApp) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    _assert_drawn_inert(app)


async def test_the_app_starts_and_draws_every_screen_with_hostile_data(tmp_path: Path) -> None:
    services = _hostile_home(tmp_path / "home")
    try:
        app = LaceApp(services, session_id="s-evil")
        async with app.run_test(size=(120, 40)) as pilot:
            await _show(pilot, app)
            assert "␛[2J" in app.export_screenshot()  # the reply is there, inert
            for section in SECTIONS:
                app.action_section(section)
                await _show(pilot, app)
            catalog = services.catalog
            for screen in (
                ProviderScreen("evilco"),
                CompareScreen(catalog.rows()[:4]),
                ModelPicker(services),
                CatalogEditorScreen(services, "evilco"),
                WizardScreen(services, instance_id="evil"),
                HelpScreen(f"Help {MARKUP}", f"how {EVIL}", [("k", f"key {MARKUP}")]),
            ):
                await app.push_screen(screen)
                await _show(pilot, app)
                app.pop_screen()
                await pilot.pause()
            app.notify(f"note {EVIL}", title=f"t {MARKUP}")
            await _show(pilot, app)
    finally:
        services.close()
