"""The Models section: sort, filter, toggles, marks, compare, and starting a chat."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from lace_tui.catalog.query import ModelRow
from lace_tui.services.cost import estimate_cost
from lace_tui.tui.app import LaceApp
from lace_tui.tui.screens.compare import CompareScreen, compare_cost
from lace_tui.tui.screens.models import ModelsScreen, parse_tokens
from lace_tui.tui.screens.pick_instance import PickInstanceScreen
from lace_tui.tui.screens.wizard import WizardScreen
from lace_tui.tui.widgets.model_table import ModelTable
from tests.tui.conftest import settle, wait_until


async def open_models(app: LaceApp, pilot) -> ModelTable:
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)
    assert isinstance(app.screen, ModelsScreen)
    return app.screen.query_one(ModelTable)


def prices(rows: list[ModelRow]) -> list[float | None]:
    return [row.model.cost_per_1m_in for row in rows]


async def test_every_model_is_listed_by_name(make_services):
    services = make_services()
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_models(app, pilot)
        assert len(table.rows) == len(services.catalog.rows()) == 1534
        names = [row.model.display_name.lower() for row in table.rows]
        assert names == sorted(names)


async def test_sort_cycles_columns_and_reverses(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_models(app, pilot)
        await pilot.press("s")  # provider
        providers = [row.provider_name.lower() for row in table.rows]
        assert providers == sorted(providers)
        await pilot.press("s")  # input price, cheapest first, unknown prices last
        known = [p for p in prices(table.rows) if p is not None]
        assert known == sorted(known)
        assert table.sort_key == "input_price"
        tail = prices(table.rows)[len(known) :]
        assert all(price is None for price in tail)
        await pilot.press("S")  # reversed: dearest first, unknown still last
        known_desc = [p for p in prices(table.rows) if p is not None]
        assert known_desc == sorted(known_desc, reverse=True)
        assert prices(table.rows)[0] == max(known)
        assert table.descending
        for _ in range(4):  # context, max output, then back to name
            await pilot.press("s")
        assert table.sort_key == "name"


async def test_filter_narrows_as_you_type(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_models(app, pilot)
        total = len(table.rows)
        await pilot.press("slash", *"haiku")
        assert 0 < len(table.rows) < total
        assert all("haiku" in row.haystack for row in table.rows)
        await pilot.press("space", *"anthropic")
        assert {row.provider_id for row in table.rows} >= {"anthropic"}
        assert all("haiku" in r.haystack and "anthropic" in r.haystack for r in table.rows)
        await pilot.press("escape", "x")  # back to the table, reset every filter
        assert len(table.rows) == total


async def test_toggles_and_limits(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_models(app, pilot)
        total = len(table.rows)
        await pilot.press("r")
        assert 0 < len(table.rows) < total
        assert all(row.model.can_reason for row in table.rows)
        await pilot.press("i")
        assert all(r.model.can_reason and r.model.supports_attachments for r in table.rows)
        await pilot.press("r", "i")
        assert len(table.rows) == total

        screen = app.screen
        screen.query_one("#min-context", Input).focus()
        await pilot.press(*"1m")
        assert table.rows and all(row.model.context_window >= 1_000_000 for row in table.rows)
        screen.query_one("#max-in", Input).focus()
        await pilot.press("1")
        assert table.rows
        assert all(
            row.model.cost_per_1m_in is not None and row.model.cost_per_1m_in <= 1
            for row in table.rows
        )
        narrowed = len(table.rows)
        # An invalid limit is flagged on the field and ignored by the filter.
        await pilot.press("backspace", *"abc")
        assert screen.query_one("#max-in", Input).has_class("-invalid")
        assert len(table.rows) > narrowed


@pytest.mark.parametrize(("text", "tokens"), [("128k", 128000), ("1m", 1_000_000), ("", 0)])
def test_parse_tokens(text: str, tokens: int):
    assert parse_tokens(text) == tokens


def test_parse_tokens_rejects_words():
    assert parse_tokens("lots") is None


async def test_mark_and_compare_shows_the_marked_models_and_sample_cost(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_models(app, pilot)
        await pilot.press("slash", *"claude haiku 4.5", "escape")
        first, second = table.rows[0], table.rows[1]
        await pilot.press("space", "space")  # marks one, moves down, marks the next
        assert [row.model.id for row in table.marked_rows()] == [
            first.model.id,
            second.model.id,
        ]
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        compare = screen.query_one("#compare", DataTable)
        assert len(compare.columns) == 3
        assert str(compare.get_row("id")[1]) == first.model.id
        assert str(compare.get_row("id")[2]) == second.model.id
        cost = compare.get_row("cost")
        assert str(cost[1]) == compare_cost(estimate_cost(10_000, 1_000, first.model))
        assert str(cost[0]) == "Sample cost"

        # The sample size is editable; the costs follow.
        sample_in = screen.query_one("#sample-in", Input)
        sample_in.focus()
        await pilot.press("ctrl+u", *"1000000")
        cost = compare.get_row("cost")
        assert str(cost[2]) == compare_cost(estimate_cost(1_000_000, 1_000, second.model))
        # A bad value is refused with a message; the last valid costs stay.
        await pilot.press("ctrl+u")
        error = str(screen.query_one("#compare-error").render())
        assert "whole number" in error
        assert str(compare.get_row("cost")[2]) == str(cost[2])
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, ModelsScreen)


async def test_compare_without_marks_uses_the_highlighted_model(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_models(app, pilot)
        await pilot.press("c")
        assert isinstance(app.screen, CompareScreen)
        assert [row.model.id for row in app.screen.rows] == [table.rows[0].model.id]


async def wait_for_screen(pilot, screen_type: type) -> None:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, screen_type))


def select(table: ModelTable, provider_id: str, model_id: str) -> None:
    for index, row in enumerate(table.rows):
        if row.provider_id == provider_id and row.model.id == model_id:
            table.cursor = index
            return
    raise AssertionError(f"{provider_id}/{model_id} not listed")


async def test_chat_with_a_model_of_a_configured_provider(make_services, populated_home):
    services = make_services()
    model_id = services.catalog.provider("anthropic").models[0].id
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_models(app, pilot)
        select(table, "anthropic", model_id)
        await pilot.press("n")
        await settle(pilot)
        assert app.current_mode == "chat"
    sessions = services.sessions.list_sessions()
    assert sessions
    agents = services.sessions.list_agents(sessions[0].id)
    assert [(a.instance_id, a.model_id) for a in agents] == [("anthropic-work", model_id)]


async def test_chat_with_an_unconfigured_provider_opens_the_wizard(make_services, populated_home):
    services = make_services()
    model_id = services.catalog.provider("openrouter").models[0].id
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_models(app, pilot)
        select(table, "openrouter", model_id)
        await pilot.press("enter")
        await wait_for_screen(pilot, WizardScreen)  # the chat worker waits on the wizard
        wizard = app.screen
        assert isinstance(wizard, WizardScreen)
        assert wizard.provider_id == "openrouter"
        await pilot.press("escape")  # cancelled: no session is made
        await settle(pilot)
        assert app.current_mode == "models"
    assert services.sessions.list_sessions() == []


async def test_several_instances_ask_which(make_services, populated_home):
    from lace_tui.instances.models import Instance

    services = make_services()
    services.instances.add(Instance(id="anthropic-home", provider="anthropic"), "sk-ant-2")
    model_id = services.catalog.provider("anthropic").models[0].id
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_models(app, pilot)
        select(table, "anthropic", model_id)
        await pilot.press("n")
        await wait_for_screen(pilot, PickInstanceScreen)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.current_mode == "chat"
    sessions = services.sessions.list_sessions()
    agents = services.sessions.list_agents(sessions[0].id)
    assert [a.instance_id for a in agents] == ["anthropic-work"]


async def test_browse_only_models_cannot_start_a_chat(
    make_services, populated_home, browse_only_provider
):
    services = make_services()
    model_id = services.catalog.provider(browse_only_provider).models[0].id
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_models(app, pilot)
        select(table, browse_only_provider, model_id)
        await pilot.press("n")
        await settle(pilot)
        assert app.current_mode == "models"
        assert any("cannot chat" in n.message for n in app._notifications)


async def test_twenty_thousand_models_stay_usable(make_services, lace_paths):
    import json

    from lace_tui.paths import resolve_paths
    from lace_tui.services.app_services import Services

    shipped = Services(resolve_paths(lace_paths.config_dir.parent / "empty"), environ={})
    templates = [
        m.model_dump(mode="json") for p in shipped.catalog.providers.values() for m in p.models
    ]
    lace_paths.user_catalogs_dir.mkdir(parents=True)
    for index in range(20):
        models = []
        for offset in range(1000):
            model = dict(templates[(index * 1000 + offset) % len(templates)])
            model["id"] = f"{model['id']}-{index}-{offset}"
            models.append(model)
        provider: dict[str, object] = {
            "id": f"gen-{index}",
            "name": f"Gen {index}",
            "type": "openai-compat",
        }
        provider["models"] = models
        (lace_paths.user_catalogs_dir / f"gen-{index}.json").write_text(json.dumps(provider))
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_models(app, pilot)
        assert len(table.rows) == 21_534
        await pilot.press("end")
        assert table.cursor == 21_533
        await pilot.press("slash", *"gen-7 haiku")
        assert table.rows
        assert all(r.provider_id == "gen-7" and "haiku" in r.haystack for r in table.rows)
        await pilot.press("escape", "S")  # reverse the name order
        names = [row.model.display_name.lower() for row in table.rows]
        assert names == sorted(names, reverse=True)
