"""Catalog updates at start happen only when the user turned them on."""

import copy

from lace_tui.settings import load_settings, update_settings
from lace_tui.tui.app import LaceApp
from tests.support.fake_catwalk import serve_catwalk, shipped_catwalk_data
from tests.tui.conftest import settle


def _cheaper_openai() -> list[dict[str, object]]:
    data = copy.deepcopy(shipped_catwalk_data())
    openai = next(p for p in data if p["id"] == "openai")
    models = openai["models"]
    assert isinstance(models, list)
    models[0]["cost_per_1m_in"] = 0.01
    return data


async def test_no_fetch_at_start_by_default(make_services, lace_paths):
    with serve_catwalk() as catwalk:
        update_settings(lace_paths, catwalk_url=catwalk.url)
        app = LaceApp(make_services())
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
        assert catwalk.requests == []
    assert not (lace_paths.catalog_update_dir / "providers.json").exists()


async def test_turned_on_it_updates_in_the_background_and_says_so(make_services, lace_paths):
    with serve_catwalk(_cheaper_openai()) as catwalk:
        update_settings(lace_paths, catwalk_url=catwalk.url, auto_update_catalog=True)
        services = make_services()
        app = LaceApp(services)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, rounds=6)
            await app.workers.wait_for_complete()
            await settle(pilot)
            messages = [n.message for n in app._notifications]
        assert len(catwalk.requests) == 1
    assert (lace_paths.catalog_update_dir / "providers.json").exists()
    assert any("catalog" in m.lower() for m in messages)
    first = services.catalog.provider("openai").models[0]
    assert first.cost_per_1m_in == 0.01


async def test_palette_switch_remembers_the_choice(make_services, lace_paths):
    with serve_catwalk() as catwalk:
        update_settings(lace_paths, catwalk_url=catwalk.url)
        app = LaceApp(make_services())
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.set_auto_update(True)
            await settle(pilot)
            assert load_settings(lace_paths).auto_update_catalog is True
            app.set_auto_update(False)
            await settle(pilot)
        assert load_settings(lace_paths).auto_update_catalog is False
