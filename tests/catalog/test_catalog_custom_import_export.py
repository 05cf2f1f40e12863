"""Import and export in Catwalk's JSON format, and discovered models saved as a catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lace_tui.catalog.custom import CatalogEditor
from lace_tui.catalog.discovered import provider_from_discovered
from lace_tui.catalog.loader import load_catalog
from lace_tui.catalog.models import Model, Provider
from lace_tui.errors import BadInputError
from lace_tui.paths import Paths, resolve_paths
from lace_tui.providers.events import DiscoveredModel


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return resolve_paths(tmp_path / "home")


@pytest.fixture
def editor(paths: Paths) -> CatalogEditor:
    return CatalogEditor(paths)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its bytes (lock files, which only serialise, left out)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def provider_data(provider_id: str, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": provider_id,
        "name": provider_id.title(),
        "type": "openai-compat",
        "api_endpoint": "https://example.com/v1",
        "models": [{"id": "m1", "cost_per_1m_in": 1, "cost_per_1m_out": 2}],
    }
    data.update(extra)
    return data


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data))
    return path


# Import ----------------------------------------------------------------------------------------


def test_import_one_provider_object(editor: CatalogEditor, paths: Paths, tmp_path: Path) -> None:
    source = write(tmp_path / "acme.json", provider_data("acme", x_note="kept"))
    assert editor.import_file(source) == ["acme"]
    saved = json.loads((paths.user_catalogs_dir / "acme.json").read_bytes())
    assert saved["x_note"] == "kept"  # unknown keys survive
    assert load_catalog(paths).provider("acme").model("m1") is not None


def test_import_a_list_and_an_override_of_a_shipped_id(
    editor: CatalogEditor, paths: Paths, tmp_path: Path
) -> None:
    source = write(tmp_path / "many.json", [provider_data("acme"), provider_data("deepseek")])
    results = editor.import_file_report(source)
    assert [r.provider.id for r in results] == ["acme", "deepseek"]
    catalog = load_catalog(paths)
    assert catalog.sources["deepseek"] == "user"
    assert [m.id for m in catalog.provider("deepseek").models] == ["m1"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{ nope", r"not valid JSON \(line 1: Expecting property name"),
        ('"a string"', "expected a provider object or a list of them"),
        ("[1]", "entry 0 is not a provider object"),
        ("[]", "it holds no provider"),
    ],
)
def test_import_of_unusable_files_writes_nothing(
    editor: CatalogEditor, paths: Paths, tmp_path: Path, content: str, message: str
) -> None:
    editor.create_from_template("ollama", "box", "Box")
    before = snapshot(paths.config_dir)
    source = tmp_path / "bad.json"
    source.write_text(content)
    with pytest.raises(BadInputError, match=message):
        editor.import_file(source)
    assert snapshot(paths.config_dir) == before


def test_import_with_one_invalid_provider_writes_none_of_them(
    editor: CatalogEditor, paths: Paths, tmp_path: Path
) -> None:
    editor.create_from_template("ollama", "box", "Box")
    before = snapshot(paths.config_dir)
    bad = provider_data("bad")
    bad["models"] = [{"id": "m1", "cost_per_1m_in": -3}, {"id": "m1"}]
    source = write(tmp_path / "mixed.json", [provider_data("good"), bad])
    with pytest.raises(BadInputError) as caught:
        editor.import_file(source)
    message = str(caught.value)
    assert "entry 1 ('bad'): models[0].cost_per_1m_in: must not be negative (got -3)" in message
    assert "models[1].id: duplicate model id 'm1' (also models[0])" in message
    assert message.endswith("nothing was imported")
    assert snapshot(paths.config_dir) == before
    assert sorted(p.name for p in paths.user_catalogs_dir.iterdir()) == ["box.json"]


def test_import_of_a_missing_file_is_bad_input(editor: CatalogEditor, tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file"):
        editor.import_file(tmp_path / "absent.json")


def test_import_over_an_existing_user_file_needs_overwrite_and_backs_up(
    editor: CatalogEditor, paths: Paths, tmp_path: Path
) -> None:
    editor.create_from_template("ollama", "acme", "Acme")
    before = snapshot(paths.config_dir)
    source = write(tmp_path / "acme.json", provider_data("acme"))
    with pytest.raises(
        BadInputError, match="'acme' already in your catalogs; import with overwrite"
    ):
        editor.import_file(source)
    assert snapshot(paths.config_dir) == before

    previous = (paths.user_catalogs_dir / "acme.json").read_bytes()
    [result] = editor.import_file_report(source, overwrite=True)
    assert result.backup is not None and result.backup.path.read_bytes() == previous
    assert editor.get("acme").type == "openai-compat"


def test_import_reports_warnings(editor: CatalogEditor, tmp_path: Path) -> None:
    data = provider_data("acme")
    data["models"] = [{"id": "m1", "cost_per_1m_out": 5000}]
    [result] = editor.import_file_report(write(tmp_path / "a.json", data))
    assert [w.field for w in result.warnings] == ["models[0].cost_per_1m_out"]


# Export ----------------------------------------------------------------------------------------


def test_export_round_trips_through_import(
    editor: CatalogEditor, paths: Paths, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "openai.json"
    editor.export("openai", target)
    exported = json.loads(target.read_bytes())
    assert exported["id"] == "openai" and exported["api_key"] == "$OPENAI_API_KEY"
    assert Provider.model_validate(exported) == editor.get("openai")

    # Imported back, it is an override identical to the shipped provider.
    assert editor.import_file(target) == ["openai"]
    catalog = load_catalog(paths)
    assert catalog.sources["openai"] == "user"
    assert catalog.provider("openai") == Provider.model_validate(exported)


def test_export_of_a_custom_provider_round_trips_byte_for_byte(
    editor: CatalogEditor, paths: Paths, tmp_path: Path
) -> None:
    editor.create_from_template("openai-compat", "box", "Box")
    editor.add_model("box", Model(id="priced", cost_per_1m_in=0.1, cost_per_1m_out=0.4))
    target = tmp_path / "box.json"
    editor.export("box", target)
    assert target.read_bytes() == (paths.user_catalogs_dir / "box.json").read_bytes()


def test_export_never_writes_a_literal_key(editor: CatalogEditor, tmp_path: Path) -> None:
    provider = Provider(id="box", name="Box", type="openai", api_key="sk-live-123")
    target = tmp_path / "box.json"
    editor.export(provider, target)
    assert b"sk-live" not in target.read_bytes()


def test_export_does_not_overwrite_unless_asked(editor: CatalogEditor, tmp_path: Path) -> None:
    target = tmp_path / "mine.json"
    target.write_text("keep me")
    with pytest.raises(BadInputError, match="the file exists"):
        editor.export("openai", target)
    assert target.read_text() == "keep me"
    editor.export("openai", target, overwrite=True)
    assert json.loads(target.read_bytes())["id"] == "openai"
    with pytest.raises(BadInputError, match="it is a directory"):
        editor.export("openai", tmp_path)


# Discovered models -----------------------------------------------------------------------------

DISCOVERED = [
    DiscoveredModel(id="llama3.2:3b", name="llama3.2:3b", context_window=131072),
    DiscoveredModel(id="qwen3:8b", name="Qwen 3 8B"),
    DiscoveredModel(id="qwen3:8b", name="again"),  # listed twice by the server
    DiscoveredModel(id="zero", context_window=0),
]


def test_discovered_models_keep_only_what_is_known() -> None:
    provider = provider_from_discovered(
        "my-ollama", "My Ollama", "ollama", "http://gpu-box:11434", DISCOVERED
    )
    assert [m.id for m in provider.models] == ["llama3.2:3b", "qwen3:8b", "zero"]
    first, second, third = provider.models
    assert first.context_window == 131072 and first.name == ""  # name equal to id is dropped
    assert second.name == "Qwen 3 8B" and second.context_window == 0
    assert third.context_window == 0
    assert all(m.cost_per_1m_in is None and m.cost_per_1m_out is None for m in provider.models)


def test_save_discovered_writes_a_catalog_with_unknown_prices(
    editor: CatalogEditor, paths: Paths
) -> None:
    result = editor.save_discovered(
        "my-ollama", "My Ollama", "ollama", "http://gpu-box:11434", DISCOVERED
    )
    saved = json.loads(result.path.read_bytes())
    assert saved["models"] == [
        {"id": "llama3.2:3b", "context_window": 131072},
        {"id": "qwen3:8b", "name": "Qwen 3 8B"},
        {"id": "zero"},
    ]
    loaded = load_catalog(paths).provider("my-ollama")
    assert not any(m.has_price for m in loaded.models)

    # The user then annotates a model with its price.
    editor.update_model(
        "my-ollama",
        "qwen3:8b",
        Model(id="qwen3:8b", name="Qwen 3 8B", cost_per_1m_in=0.0, cost_per_1m_out=0.0),
    )
    annotated = editor.get("my-ollama").model("qwen3:8b")
    assert annotated is not None and annotated.has_price


def test_save_discovered_over_a_user_file_needs_overwrite(editor: CatalogEditor) -> None:
    editor.save_discovered("box", "Box", "ollama", "http://localhost:11434", DISCOVERED[:1])
    with pytest.raises(BadInputError, match="already in your catalogs: save with overwrite"):
        editor.save_discovered("box", "Box", "ollama", "http://localhost:11434", DISCOVERED)
    result = editor.save_discovered(
        "box", "Box", "ollama", "http://localhost:11434", DISCOVERED, overwrite=True
    )
    assert result.backup is not None
    assert len(editor.get("box").models) == 3


def test_save_discovered_for_a_built_in_id_makes_an_override(
    editor: CatalogEditor, paths: Paths
) -> None:
    editor.save_discovered("ollama", "Ollama", "ollama", "http://localhost:11434", DISCOVERED)
    assert load_catalog(paths).sources["ollama"] == "user"
    assert [u.overrides for u in editor.list_custom()] == ["shipped"]
