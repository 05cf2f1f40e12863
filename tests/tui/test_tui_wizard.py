"""The add/edit instance wizard: what it writes, what it refuses, and what Esc leaves alone."""

from __future__ import annotations

import stat
import tomllib
from collections.abc import Callable

from textual.widgets import Input, RadioButton, Static

from lace_tui.instances.credentials import CredentialStore
from lace_tui.paths import Paths
from lace_tui.services.app_services import Services
from lace_tui.tui.app import LaceApp
from lace_tui.tui.screens.instances import InstancesScreen
from lace_tui.tui.screens.wizard import WizardScreen, slugify, unique_id
from tests.support.fake_provider import FakeBehaviour, FakeProvider
from tests.tui.conftest import STORED_KEY, settle

NEW_KEY = "sk-9876wxyz"


async def open_wizard(app: LaceApp, pilot) -> WizardScreen:
    await settle(pilot)
    await pilot.press("f4")
    await settle(pilot)
    await pilot.press("a")
    await pilot.pause()
    assert isinstance(app.screen, WizardScreen)
    return app.screen


def value(wizard: WizardScreen, field: str) -> str:
    return wizard.query_one(f"#{field}", Input).value


async def set_field(pilot, wizard: WizardScreen, field: str, text: str) -> None:
    """Put `text` in a field as a paste would (typing it key by key is slow in Pilot)."""
    widget = wizard.query_one(f"#{field}", Input)
    widget.focus()
    widget.value = text
    await pilot.pause()


def error(wizard: WizardScreen, name: str) -> str:
    widget = wizard.query_one(f"#err-{name}")
    return str(widget.render()) if widget.display else ""


def test_slugs_and_unique_ids():
    assert slugify("OpenAI via Corp. Proxy!") == "openai-via-corp-proxy"
    assert slugify("  ") == ""
    assert unique_id("openai", {"openai", "openai-2"}) == "openai-3"
    assert len(unique_id("a" * 63, {"a" * 63})) == 63


async def test_wizard_creates_an_instance_with_a_private_key_file(make_services, lace_paths: Paths):
    services = make_services()
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        wizard = await open_wizard(app, pilot)
        assert wizard.step == "provider"
        await pilot.press(*"anthrop", "enter")
        assert wizard.step == "form"
        assert value(wizard, "wiz-name") == "Anthropic"
        assert value(wizard, "wiz-id") == "anthropic"
        # The id follows the name while it has not been edited by hand.
        await pilot.press("ctrl+u", *"My work")
        assert value(wizard, "wiz-id") == "my-work"
        # Keyboard only: Enter walks the fields, then Tab to the key, Enter saves.
        await pilot.press("enter", "enter", "enter", "enter", "tab", *NEW_KEY, "enter")
        await settle(pilot)
        assert wizard.step == "done"
        assert wizard.saved_id == "my-work"
        assert "Saved instance 'my-work'" in str(wizard.query_one("#wiz-saved").render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, InstancesScreen)
    instance = services.instances.get("my-work")
    assert (instance.name, instance.provider, instance.endpoint) == ("My work", "anthropic", None)
    key_file = CredentialStore(lace_paths).path("my-work")
    assert key_file.read_text().strip() == NEW_KEY
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(lace_paths.credentials_dir.stat().st_mode) == 0o700
    text = lace_paths.instances_file.read_text()
    assert NEW_KEY not in text
    assert "9876wxyz" not in text


async def test_escape_cancels_and_writes_nothing(make_services, lace_paths: Paths):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # The first start wrote an (empty) instances file: remember it exactly.
        before = lace_paths.instances_file.read_bytes()
        wizard = await open_wizard(app, pilot)
        await pilot.press(*"openai", "enter")
        await set_field(pilot, wizard, "wiz-key", "sk-typed-but-cancelled")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, InstancesScreen)
    assert lace_paths.instances_file.read_bytes() == before
    assert not lace_paths.credentials_dir.exists() or not any(lace_paths.credentials_dir.iterdir())


async def test_back_keeps_what_was_typed(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        wizard = await open_wizard(app, pilot)
        await pilot.press(*"groq", "enter")
        await pilot.press("ctrl+u", *"My Groq", "enter", "enter", *"http://h")
        assert value(wizard, "wiz-id") == "my-groq"
        await pilot.press("ctrl+b")
        assert wizard.step == "provider"
        await pilot.press("enter")  # the same provider is still highlighted
        assert wizard.step == "form"
        assert value(wizard, "wiz-name") == "My Groq"
        assert value(wizard, "wiz-id") == "my-groq"
        assert value(wizard, "wiz-endpoint") == "http://h"
        # Another provider replaces only what was prefilled and left untouched.
        await pilot.press("ctrl+b", "ctrl+u", *"deepseek", "enter")
        assert wizard.provider_id == "deepseek"
        assert value(wizard, "wiz-name") == "My Groq"
        assert value(wizard, "wiz-env") == "DEEPSEEK_API_KEY"


async def test_bad_id_and_timeout_are_explained_and_nothing_is_saved(
    make_services, populated_home: Paths
):
    app = LaceApp(make_services())
    before = populated_home.instances_file.read_bytes()
    async with app.run_test(size=(80, 24)) as pilot:
        wizard = await open_wizard(app, pilot)
        await pilot.press(*"anthropic", "enter")
        assert value(wizard, "wiz-id") == "anthropic"
        wizard.query_one("#wiz-id", Input).focus()
        await pilot.press("ctrl+u", *"Bad!")
        assert "Invalid id" in error(wizard, "id")
        await set_field(pilot, wizard, "wiz-id", "anthropic-work")
        assert "exists already" in error(wizard, "id")
        await set_field(pilot, wizard, "wiz-id", "fine-id")
        assert error(wizard, "id") == ""
        wizard.query_one("#wiz-timeout", Input).focus()
        await pilot.press("ctrl+u", "0")
        assert "above 0" in error(wizard, "timeout")
        await pilot.press("ctrl+u", *"x")
        assert "number of seconds" in error(wizard, "timeout")
        await set_field(pilot, wizard, "wiz-key", NEW_KEY)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert wizard.step == "form"
        assert wizard.focused is wizard.query_one("#wiz-timeout", Input)
        await set_field(pilot, wizard, "wiz-endpoint", "ftp://x")
        assert "http(s) URL" in error(wizard, "endpoint")
    assert populated_home.instances_file.read_bytes() == before
    assert not (CredentialStore(populated_home).path("fine-id")).exists()


async def test_a_stored_key_is_required_unless_another_source_is_chosen(make_services, lace_paths):
    services = make_services()
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        wizard = await open_wizard(app, pilot)
        await pilot.press(*"xai", "enter", "ctrl+s")
        await settle(pilot)
        assert "Paste the API key" in error(wizard, "key")
        assert wizard.step == "form"
        # Choose the environment variable instead: prefilled from the catalog.
        wizard.query_one("#src-env", RadioButton).value = True
        await pilot.pause()
        assert value(wizard, "wiz-env") == "XAI_API_KEY"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert wizard.step == "done"
        # The variable is not set: saved, with a note that says so.
        assert "XAI_API_KEY is not set" in str(wizard.query_one("#wiz-saved").render())
    instance = services.instances.get("xai")
    assert instance.api_key_env == "XAI_API_KEY"
    assert not (CredentialStore(lace_paths).path("xai")).exists()


async def test_local_servers_default_to_no_key(make_services):
    app = LaceApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        wizard = await open_wizard(app, pilot)
        await pilot.press(*"ollama", "enter")
        assert wizard.key_source == "none"
        assert wizard.query_one("#wiz-endpoint", Input).placeholder == "http://localhost:11434"


async def test_save_then_test_now_shows_the_result(make_services):
    services = make_services()
    with FakeProvider(FakeBehaviour(models=["m1"])) as server:
        app = LaceApp(services)
        async with app.run_test(size=(80, 24)) as pilot:
            wizard = await open_wizard(app, pilot)
            await pilot.press(*"ollama", "enter")
            await set_field(pilot, wizard, "wiz-endpoint", server.url)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert wizard.step == "done"
            await pilot.press("t")
            await settle(pilot)
            result = str(wizard.query_one("#wiz-test-result").render())
            assert result.startswith("Connected")
    status = services.instances.views()[0].status
    assert status is not None and status.state == "connected"


async def test_edit_changes_a_field_and_keeps_the_key(make_services, populated_home: Paths):
    services = make_services()
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        wizard = app.screen
        assert isinstance(wizard, WizardScreen)
        assert wizard.step == "form"
        assert wizard.query_one("#wiz-id", Input).disabled
        assert value(wizard, "wiz-name") == "Anthropic work"
        assert value(wizard, "wiz-key") == ""  # the key is never shown
        assert "sk-…abcd" in wizard.query_one("#wiz-key", Input).placeholder
        await pilot.press("ctrl+u", *"Office")
        wizard.query_one("#wiz-timeout", Input).focus()
        await pilot.press("ctrl+u", *"120", "ctrl+s")
        await settle(pilot)
        assert wizard.step == "done"
        await pilot.press("escape")
        await settle(pilot)
    instance = services.instances.get("anthropic-work")
    assert (instance.name, instance.timeout) == ("Office", 120.0)
    assert (
        CredentialStore(populated_home).path("anthropic-work")
    ).read_text().strip() == STORED_KEY
    data = tomllib.loads(populated_home.instances_file.read_text())
    assert data["instances"]["anthropic-work"]["name"] == "Office"


async def test_edit_can_switch_a_stored_key_to_a_variable(make_services, populated_home: Paths):
    services = make_services()
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        wizard = app.screen
        assert isinstance(wizard, WizardScreen)
        wizard.query_one("#src-env", RadioButton).value = True
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert wizard.step == "done"
    assert services.instances.get("anthropic-work").api_key_env == "ANTHROPIC_API_KEY"
    assert not (CredentialStore(populated_home).path("anthropic-work")).exists()


async def test_edit_sets_and_clears_spending_caps(
    make_services: Callable[..., Services], populated_home: Paths
) -> None:
    services = make_services()
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("f4")
        await app.workers.wait_for_complete()
        await pilot.press("e")
        await pilot.pause()
        wizard = app.screen
        assert isinstance(wizard, WizardScreen)
        wizard.query_one("#wiz-daily-budget", Input).focus()
        await pilot.press(*"abc", "ctrl+s")
        await pilot.pause()
        assert wizard.step == "form"  # refused, explained, nothing saved
        assert "amount in USD" in str(wizard.query_one("#err-budget", Static).render())
        await pilot.press("ctrl+u", *"2.5", "ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert wizard.step == "done"
    assert services.instances.get("anthropic-work").daily_budget == 2.5
    assert services.instances.get("anthropic-work").monthly_budget is None
