"""The catalog service: updates, the automatic-update setting, custom catalogs."""

import copy
from pathlib import Path

from lace_tui.paths import resolve_paths
from lace_tui.services.app_services import Services
from lace_tui.settings import load_settings, update_settings
from tests.support.fake_catwalk import serve_catwalk, shipped_catwalk_data


def _cheaper_openai() -> list[dict[str, object]]:
    data = copy.deepcopy(shipped_catwalk_data())
    openai = next(p for p in data if p["id"] == "openai")
    models = openai["models"]
    assert isinstance(models, list)
    models[0]["cost_per_1m_in"] = 0.01
    return data


async def test_auto_update_does_nothing_while_the_setting_is_off(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path)
    with serve_catwalk() as catwalk:
        update_settings(paths, catwalk_url=catwalk.url)
        assert await Services(paths, environ={}).catalog_service.auto_update() is None
        assert catwalk.requests == []
    assert not (paths.catalog_update_dir / "providers.json").exists()


async def test_an_update_is_stored_and_the_catalog_read_again(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path)
    services = Services(paths, environ={})
    before = services.catalog.provider("openai").models[0].cost_per_1m_in
    with serve_catwalk(_cheaper_openai()) as catwalk:
        services.catalog_service.set_auto_update(True)
        update_settings(paths, catwalk_url=catwalk.url)
        result = await services.catalog_service.auto_update()
        again = await services.catalog_service.auto_update()  # within a day: not due

    assert result is not None and result.status != "unchanged"
    assert again is None
    assert before != 0.01
    assert services.catalog.provider("openai").models[0].cost_per_1m_in == 0.01
    assert load_settings(paths).auto_update_catalog is True

    assert services.catalog_service.reset_update() is True
    assert services.catalog.provider("openai").models[0].cost_per_1m_in == before
    assert services.catalog_service.reset_update() is False


def test_the_editor_writes_into_the_user_catalogs(tmp_path: Path) -> None:
    services = Services(resolve_paths(tmp_path), environ={})
    services.catalog_service.editor.create_from_template("openai-compat", "box", "Box")

    assert services.catalog_service.reload().get("box") is not None
