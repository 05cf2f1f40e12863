"""The wizard asks for what each cloud type needs: Bedrock's region and profile, Vertex AI's
project and location, and GitHub's sign-in for Copilot."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import respx
from textual.pilot import Pilot

from lace_tui.paths import Paths
from lace_tui.providers import copilot
from lace_tui.services.app_services import Services
from lace_tui.tui.app import LaceApp
from tests.tui.conftest import settle
from tests.tui.test_tui_wizard import open_wizard, set_field


def shown(app: LaceApp, field: str) -> bool:
    return bool(app.screen.query_one(f"#row-{field}").display)


async def test_bedrock_asks_for_region_and_profile(
    make_services: Callable[..., Services], lace_paths: Paths
) -> None:
    services = make_services()
    app = LaceApp(services)
    async with app.run_test(size=(80, 30)) as pilot:
        wizard = await open_wizard(app, pilot)
        await pilot.press(*"bedrock-europe", "enter")
        assert wizard.step == "form"
        assert shown(app, "region") and shown(app, "aws_profile")
        assert not shown(app, "project") and not shown(app, "location")
        await set_field(pilot, wizard, "wiz-region", "eu-west-1")
        await set_field(pilot, wizard, "wiz-aws_profile", "work")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert wizard.step == "done", str(wizard.query_one("#wiz-form-error").render())
    instance = services.instances.all()[0]
    assert (instance.region, instance.aws_profile, instance.project) == ("eu-west-1", "work", None)


async def test_vertex_asks_for_project_and_location(make_services: Callable[..., Services]) -> None:
    services = make_services()
    app = LaceApp(services)
    async with app.run_test(size=(80, 30)) as pilot:
        wizard = await open_wizard(app, pilot)
        await pilot.press(*"vertex", "enter")
        assert shown(app, "project") and shown(app, "location")
        assert not shown(app, "region")
        await set_field(pilot, wizard, "wiz-project", "my-proj")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert wizard.step == "done"
    instance = services.instances.all()[0]
    assert (instance.project, instance.location) == ("my-proj", None)


async def sign_in(pilot: Pilot[int]) -> None:
    await pilot.press("s")
    await settle(pilot)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_copilot_signs_in_with_github_after_saving(
    make_services: Callable[..., Services],
) -> None:
    services = make_services()
    app = LaceApp(services)
    with respx.mock(assert_all_called=True) as router:
        router.post(copilot.DEVICE_CODE_URL).mock(
            return_value=httpx.Response(
                200,
                json={
                    "device_code": "dc",
                    "user_code": "WXYZ-9876",
                    "verification_uri": "https://github.com/login/device",
                    "expires_in": 900,
                    "interval": 0,
                },
            )
        )
        router.post(copilot.ACCESS_TOKEN_URL).mock(
            return_value=httpx.Response(200, json={"access_token": "gho_fromWizard0123"})
        )
        async with app.run_test(size=(80, 30)) as pilot:
            wizard = await open_wizard(app, pilot)
            await pilot.press(*"copilot", "enter")
            assert "sign in with GitHub" in str(wizard.query_one("#wiz-form-provider").render())
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert wizard.step == "done"
            assert "press s" in str(wizard.query_one("#wiz-saved").render())
            await sign_in(pilot)
            assert "Signed in" in str(wizard.query_one("#wiz-test-result").render())
    instance = services.instances.all()[0]
    assert services.instances.key_status(instance).source == "stored"
