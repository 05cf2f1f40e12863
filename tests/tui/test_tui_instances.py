"""The Instances section: the list, delete with confirmation, connection tests, model refresh."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from lace_tui.instances.credentials import CredentialStore
from lace_tui.instances.models import Instance, RetryPolicy
from lace_tui.paths import Paths
from lace_tui.tui.app import LaceApp
from lace_tui.tui.screens.confirm import ConfirmScreen
from lace_tui.tui.screens.instances import InstancesScreen
from tests.support.fake_provider import FakeBehaviour, FakeProvider
from tests.tui.conftest import settle


async def open_instances(app: LaceApp, pilot) -> DataTable[object]:
    await settle(pilot)
    await pilot.press("f4")
    await settle(pilot)
    assert isinstance(app.screen, InstancesScreen)
    return app.screen.query_one("#instances", DataTable)


def dot_style(table: DataTable[object], row: str) -> str:
    dot = table.get_cell(row, "dot")
    assert isinstance(dot, Text)
    return str(dot.style)


def cell(table: DataTable[object], row: str, column: str) -> str:
    return str(table.get_cell(row, column))


async def test_instances_list_shows_status_key_and_endpoint(make_services, populated_home):
    app = LaceApp(make_services())
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_instances(app, pilot)
        assert [str(k.value) for k in table.rows] == [
            "anthropic-work",
            "local-ollama",
            "openai-env",
        ]
        assert cell(table, "anthropic-work", "dot") == "○"  # untested
        assert cell(table, "anthropic-work", "tested") == "never"
        # Keys: stored and masked, an environment variable by name, or none; never the key.
        assert cell(table, "anthropic-work", "key") == "stored sk-…abcd"
        assert cell(table, "openai-env", "key") == "$OPENAI_API_KEY unset"
        assert cell(table, "local-ollama", "key") == "none"
        default = table.get_cell("anthropic-work", "endpoint")
        custom = table.get_cell("local-ollama", "endpoint")
        assert isinstance(default, Text) and "dim" in str(default.style)
        assert isinstance(custom, Text) and str(custom) == "http://127.0.0.1:9"
        assert "dim" not in str(custom.style)
        for row in table.rows:
            assert "0000abcd" not in " ".join(str(c) for c in table.get_row(row))


async def test_delete_asks_first(make_services, populated_home: Paths):
    services = make_services()
    app = LaceApp(services)
    key_file = CredentialStore(populated_home).path("anthropic-work")
    assert any(populated_home.credentials_dir.iterdir())
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_instances(app, pilot)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        assert "anthropic-work" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert "anthropic-work" in {i.id for i in services.instances.all()}
        await pilot.press("d", "y")
        await settle(pilot)
        assert [i.id for i in services.instances.all()] == ["local-ollama", "openai-env"]
        assert [str(k.value) for k in table.rows] == ["local-ollama", "openai-env"]
    assert not key_file.exists()
    assert not any(populated_home.credentials_dir.iterdir())


async def test_connection_test_shows_testing_then_the_result(make_services):
    services = make_services()
    behaviour = FakeBehaviour(require_key="sk-good")
    with FakeProvider(behaviour) as server:
        services.instances.add(
            Instance(id="fake", provider="openai", endpoint=f"{server.url}/v1"), "sk-good"
        )
        services.instances.add(
            Instance(id="fake-bad", provider="openai", endpoint=f"{server.url}/v1"), "sk-bad"
        )
        app = LaceApp(services)
        async with app.run_test(size=(120, 40)) as pilot:
            table = await open_instances(app, pilot)
            screen = app.screen
            assert isinstance(screen, InstancesScreen)
            screen.action_test()  # what `t` runs; checked before the worker can finish
            assert screen.testing == {"fake"}
            assert cell(table, "fake", "tested") == "testing…"
            await settle(pilot)
            assert screen.testing == set()
            assert cell(table, "fake", "dot") == "●"
            assert "green" in dot_style(table, "fake")
            assert cell(table, "fake", "tested") == "just now"
            assert any(n.message.startswith("connected") for n in app._notifications)

            await pilot.press("down", "t")
            await settle(pilot)
            assert "red" in dot_style(table, "fake-bad")
            detail = str(screen.query_one("#instance-detail").render())
            assert "key rejected" in detail
    # The results were stored by the service: a new list shows them.
    statuses = {view.instance.id: view.status for view in services.instances.views()}
    assert statuses["fake"] is not None and statuses["fake"].state == "connected"
    assert statuses["fake-bad"] is not None and statuses["fake-bad"].state == "auth_failed"


async def test_refresh_models_counts_the_served_models(make_services):
    services = make_services()
    with FakeProvider(FakeBehaviour(models=["alpha-1", "beta-2"])) as server:
        services.instances.add(
            Instance(id="box", name="Ollama box", provider="ollama", endpoint=server.url)
        )
        app = LaceApp(services)
        async with app.run_test(size=(120, 40)) as pilot:
            table = await open_instances(app, pilot)
            assert cell(table, "box", "models") == "0"
            await pilot.press("r")
            await settle(pilot)
            assert cell(table, "box", "models") == "2"
            assert any("2 models" in n.message for n in app._notifications)


async def test_refresh_failure_is_a_notification_not_a_crash(make_services):
    services = make_services()
    services.instances.add(
        Instance(
            id="gone",
            provider="ollama",
            endpoint="http://127.0.0.1:9",
            retry=RetryPolicy(max_attempts=1),
        )
    )
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_instances(app, pilot)
        await pilot.press("r")
        await settle(pilot)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors
        assert "\n" not in errors[-1].message
        assert isinstance(app.screen, InstancesScreen)
