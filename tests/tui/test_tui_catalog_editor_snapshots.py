"""Snapshots of the catalog editor and its update dialog, at 80x24 and 120x40.

The data is fixed: a custom provider with three models, an override of our own `lmstudio`
provider (not Catwalk data, so a Catwalk refresh does not change these pictures), and a catalog
update served by respx at a fixed URL, diffed against a small update applied first.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
import respx
from textual.pilot import Pilot

from lace_tui.catalog.custom import CatalogEditor
from lace_tui.catalog.update import apply_update, prepare_update
from lace_tui.paths import Paths
from lace_tui.services.app_services import Services
from lace_tui.tui.app import LaceApp
from lace_tui.tui.screens.catalog_editor import CatalogEditorScreen
from lace_tui.tui.screens.catalog_editor_update import open_update_flow
from tests.tui.conftest import settle, steady_cursors

SIZES = [(80, 24), (120, 40)]
CATWALK = "https://catwalk.test"

BEFORE = [
    {
        "id": "acme",
        "name": "Acme AI",
        "type": "openai-compat",
        "api_endpoint": "https://api.acme.test/v1",
        "models": [
            {
                "id": "acme-large",
                "cost_per_1m_in": 3,
                "cost_per_1m_out": 15,
                "context_window": 200000,
            },
            {"id": "acme-small", "cost_per_1m_in": 0.25, "cost_per_1m_out": 1.25},
            {"id": "acme-old", "cost_per_1m_in": 1, "cost_per_1m_out": 2},
        ],
    },
    {"id": "globex", "name": "Globex", "type": "anthropic", "models": [{"id": "g1"}]},
]
AFTER = [
    {
        "id": "acme",
        "name": "Acme AI",
        "type": "openai-compat",
        "api_endpoint": "https://api.acme.test/v1",
        "models": [
            {
                "id": "acme-large",
                "cost_per_1m_in": 2.5,
                "cost_per_1m_out": 15,
                "context_window": 400000,
            },
            {"id": "acme-small", "cost_per_1m_in": 0.25, "cost_per_1m_out": 1.25},
            {"id": "acme-mini", "cost_per_1m_in": 0.1, "cost_per_1m_out": 0.4},
        ],
    },
    {
        "id": "initech",
        "name": "Initech",
        "type": "openai-compat",
        "models": [{"id": "i1"}, {"id": "i2"}],
    },
    {"id": "broken", "name": "Broken", "models": []},
]


def make_home(paths: Paths) -> None:
    """A custom provider with three models, and an override of `lmstudio`."""
    editor = CatalogEditor(paths)
    editor.create_from_template("openai-compat", "box", "Box vLLM")
    editor.save_provider(
        {
            "id": "box",
            "name": "Box vLLM",
            "type": "openai-compat",
            "api_endpoint": "http://box.lan:8000/v1",
            "api_key": "$BOX_API_KEY",
            "default_large_model_id": "qwen-72b",
            "default_small_model_id": "llama-8b",
            "models": [
                {
                    "id": "qwen-72b",
                    "name": "Qwen 72B",
                    "cost_per_1m_in": 0.9,
                    "cost_per_1m_out": 0.9,
                    "context_window": 131072,
                    "default_max_tokens": 8192,
                    "can_reason": True,
                },
                {
                    "id": "llama-8b",
                    "name": "Llama 8B",
                    "cost_per_1m_in": 0.05,
                    "cost_per_1m_out": 0.08,
                    "context_window": 32768,
                    "supports_attachments": True,
                },
                {"id": "mystery", "name": "No prices yet"},
            ],
        },
        create=False,
    )
    editor.save_provider(
        {"id": "lmstudio", "name": "LM Studio (desk)", "type": "openai-compat"}, create=False
    )


def run_editor(services: Services) -> Callable[[Pilot[int]], Awaitable[None]]:
    async def run_before(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.app.push_screen(CatalogEditorScreen(services, "box"))
        await settle(pilot)
        await steady_cursors(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_editor_snapshot(snap_compare, make_services, lace_paths, size):
    make_home(lace_paths)
    services = make_services()
    assert snap_compare(LaceApp(services), terminal_size=size, run_before=run_editor(services))


def test_model_dialog_with_errors_snapshot(snap_compare, make_services, lace_paths):
    make_home(lace_paths)
    services = make_services()

    async def run_before(pilot: Pilot[int]) -> None:
        await run_editor(services)(pilot)
        await pilot.press("enter")  # edit qwen-72b
        await settle(pilot)
        await pilot.press("tab", "tab", "ctrl+u", "minus", "1", "tab", "ctrl+u", *"1500")
        await pilot.press("tab", "tab", "tab", "ctrl+u", *"lots")
        await settle(pilot)
        await steady_cursors(pilot)

    assert snap_compare(LaceApp(services), terminal_size=(80, 24), run_before=run_before)


def apply_first_update(paths: Paths, tmp_path: Path) -> None:
    source = tmp_path / "before.json"
    source.write_text(json.dumps(BEFORE))
    pending = asyncio.run(prepare_update(paths, str(source)))
    apply_update(paths, pending)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_update_diff_snapshot(snap_compare, make_services, lace_paths, tmp_path, size):
    apply_first_update(lace_paths, tmp_path)
    services = make_services()

    async def run_before(pilot: Pilot[object]) -> None:
        await settle(pilot)
        await pilot.app.push_screen(CatalogEditorScreen(services))
        await settle(pilot)
        open_update_flow(pilot.app, services, CATWALK)
        await settle(pilot)
        await steady_cursors(pilot)

    with respx.mock(assert_all_called=True) as router:
        router.get(f"{CATWALK}/v2/providers").mock(return_value=httpx.Response(200, json=AFTER))
        assert snap_compare(LaceApp(services), terminal_size=size, run_before=run_before)
