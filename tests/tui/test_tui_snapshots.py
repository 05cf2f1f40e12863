"""Snapshots of every screen of the shell at 80x24 and 120x40.

Deterministic by construction: a fresh temp home, an empty environment for Services, the
shipped catalog, instances never tested (no times on screen). Regenerate with
`pytest tests/tui/test_tui_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from lace_tui.tui.app import LaceApp
from lace_tui.tui.widgets.model_table import ModelTable
from tests.tui.conftest import AnyResult, settle, steady_cursors

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def keys(*presses: str):
    """A run_before that lets start-up work finish, then presses keys, settling after each."""

    async def run(pilot: Pilot[AnyResult]) -> None:
        await settle(pilot)
        for key in presses:
            await pilot.press(key)
            await settle(pilot, rounds=1)
        await settle(pilot)
        await steady_cursors(pilot)

    return run


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_catalog(snap_compare, make_services, size):
    assert snap_compare(LaceApp(make_services()), terminal_size=size, run_before=keys())


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_provider(snap_compare, make_services, size):
    run = keys("slash", *"anthropic", "enter", "enter")
    assert snap_compare(LaceApp(make_services()), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_models(snap_compare, make_services, size):
    run = keys("2", "s", "s", "slash", *"sonnet", "escape")
    assert snap_compare(LaceApp(make_services()), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_compare(snap_compare, make_services, size):
    async def run(pilot: Pilot[AnyResult]) -> None:
        await keys("2", "slash", *"haiku 4.5", "escape")(pilot)
        table = pilot.app.screen.query_one(ModelTable)
        assert len(table.rows) >= 3
        await pilot.press("space", "space", "space", "c")
        await settle(pilot)
        await steady_cursors(pilot)

    assert snap_compare(LaceApp(make_services()), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_instances(snap_compare, make_services, populated_home, size):
    assert snap_compare(LaceApp(make_services()), terminal_size=size, run_before=keys("f4"))


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_wizard_provider_step(snap_compare, make_services, size):
    run = keys("3", "a", *"open")
    assert snap_compare(LaceApp(make_services()), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_wizard_form(snap_compare, make_services, size):
    run = keys("3", "a", *"openai", "enter", "ctrl+u", *"Work", "tab", "ctrl+u", *"Bad!")
    assert snap_compare(LaceApp(make_services()), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_help(snap_compare, make_services, size):
    assert snap_compare(LaceApp(make_services()), terminal_size=size, run_before=keys("2", "f1"))
