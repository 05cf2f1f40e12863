"""Snapshots of the chat screen (a session with a finished reply) and the model picker, at
80x24 and 120x40. Everything shown is fixed: ids, titles, tokens, costs, times."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from lace_tui.services.app_services import Services
from lace_tui.tui.app import LaceApp
from lace_tui.tui.screens.chat import ChatScreen
from lace_tui.tui.screens.model_picker import ModelPicker
from tests.tui.conftest import AnyResult
from tests.tui.test_tui_chat_setup import build_services, wait_until

REPLY = """## Three options

Each has a trade-off:

- **Fake Small**: cheap and quick
- **Fake Large**: better at reasoning

```python
print("hello")
```

Pick *Small* for drafts."""


def snapshot_home(home: Path) -> Services:
    """A session with one agent and one finished exchange, every number fixed."""
    services = build_services(home, "http://127.0.0.1:9")
    store = services.sessions
    session = store.create_session("s-snap", title="Comparing models")
    agent = services.chat.add_agent(session.id, "fake", "fake-small")
    store.add_message(
        agent.id,
        "user",
        "Which model should I use for drafts?",
        model_id="fake-small",
        instance_id="fake",
    )
    reply = store.add_message(
        agent.id, "assistant", REPLY, model_id="fake-small", instance_id="fake"
    )
    store.update_message(
        reply.id,
        reasoning="The user wants a recommendation.",
        input_tokens=1200,
        output_tokens=340,
        cost_usd=0.00188,
        ttft_ms=420,
        duration_ms=3820,
    )
    return services


def app_for(tmp_path: Path) -> LaceApp:
    return LaceApp(snapshot_home(tmp_path / "home"), session_id="s-snap")


async def settle(pilot: Pilot[AnyResult]) -> None:
    app = pilot.app
    await wait_until(
        pilot, lambda: isinstance(app.screen, ChatScreen) and app.screen.session_id == "s-snap"
    )
    screen = app.screen
    assert isinstance(screen, ChatScreen)
    screen.prompt.cursor_blink = False
    await pilot.pause()
    await pilot.pause()


async def open_picker(pilot: Pilot[AnyResult]) -> None:
    await settle(pilot)
    await pilot.press("ctrl+o")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ModelPicker))
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_chat_screen_with_a_finished_reply(snap_compare, tmp_path: Path, size) -> None:
    assert snap_compare(app_for(tmp_path), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_model_picker(snap_compare, tmp_path: Path, size) -> None:
    assert snap_compare(app_for(tmp_path), terminal_size=size, run_before=open_picker)
