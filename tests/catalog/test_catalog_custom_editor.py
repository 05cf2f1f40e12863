"""CatalogEditor: templates, create/update/delete, models, overrides of built-in providers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lace_tui.catalog.custom import CatalogEditor
from lace_tui.catalog.loader import load_catalog
from lace_tui.catalog.models import Model, Provider
from lace_tui.catalog.templates import STARTER_MODEL_ID, TEMPLATES, new_provider_from_template
from lace_tui.errors import BadInputError, NotFoundError
from lace_tui.paths import Paths, resolve_paths, shipped_catalogs_dir


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return resolve_paths(tmp_path / "home")


@pytest.fixture
def editor(paths: Paths) -> CatalogEditor:
    return CatalogEditor(paths)


def user_files(paths: Paths) -> list[str]:
    directory = paths.user_catalogs_dir
    if not directory.is_dir():
        return []
    return sorted(p.name for p in directory.iterdir() if not p.name.startswith("."))


def read_json(path: Path) -> dict[str, object]:
    data = json.loads(path.read_bytes())
    assert isinstance(data, dict)
    return data


# Templates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "kind", "endpoint"),
    [
        ("openai-compat", "openai-compat", "http://localhost:8000/v1"),
        ("anthropic-compat", "anthropic", "http://localhost:8080"),
        ("ollama", "ollama", "http://localhost:11434"),
        ("lmstudio", "openai-compat", "http://localhost:1234/v1"),
    ],
)
def test_templates_make_chat_ready_providers(template: str, kind: str, endpoint: str) -> None:
    provider = new_provider_from_template(template, "srv", "My server")
    assert (provider.id, provider.name, provider.type) == ("srv", "My server", kind)
    assert provider.api_endpoint == endpoint
    assert provider.can_chat
    assert len(provider.models) <= 1


def test_a_one_model_template_points_its_defaults_at_the_starter_model() -> None:
    provider = new_provider_from_template("openai-compat", "vllm", "")
    assert provider.name == TEMPLATES["openai-compat"].label  # a blank name takes the label
    assert [m.id for m in provider.models] == [STARTER_MODEL_ID]
    assert provider.default_large_model_id == STARTER_MODEL_ID
    starter = provider.models[0]
    assert starter.context_window > 0 and starter.cost_per_1m_in is None


def test_providers_from_a_template_do_not_share_models() -> None:
    first = new_provider_from_template("openai-compat", "a", "A")
    first.models[0].name = "changed"
    assert new_provider_from_template("openai-compat", "b", "B").models[0].name != "changed"


def test_unknown_template_and_bad_id_are_bad_input() -> None:
    with pytest.raises(BadInputError, match="unknown catalog template 'vllm': choose one of"):
        new_provider_from_template("vllm", "x", "X")
    with pytest.raises(BadInputError, match="invalid provider id 'Bad Id'"):
        new_provider_from_template("ollama", "Bad Id", "X")


# Create, update, delete ----------------------------------------------------------------------


def test_create_from_template_writes_a_pretty_file_the_loader_reads(
    editor: CatalogEditor, paths: Paths
) -> None:
    result = editor.create_from_template("openai-compat", "vllm-box", "vLLM box")
    assert result.path == paths.user_catalogs_dir / "vllm-box.json"
    assert result.backup is None and result.written
    text = result.path.read_text()
    assert text.startswith('{\n  "id": "vllm-box"') and text.endswith("}\n")
    assert "cost_per_1m_in" not in text  # unknown prices are left out, not written as 0

    catalog = load_catalog(paths)
    assert catalog.issues == []
    assert catalog.sources["vllm-box"] == "user"
    assert catalog.provider("vllm-box").model(STARTER_MODEL_ID) is not None
    assert [u.provider.id for u in editor.list_custom()] == ["vllm-box"]
    assert editor.list_custom()[0].overrides is None
    assert editor.get("vllm-box").name == "vLLM box"


def test_create_refuses_existing_user_and_built_in_ids(editor: CatalogEditor) -> None:
    editor.create_from_template("ollama", "box", "Box")
    with pytest.raises(BadInputError, match="'box' already exists in your catalogs"):
        editor.create_from_template("ollama", "box", "Box again")
    with pytest.raises(BadInputError, match="'openai' is built in: edit it"):
        editor.create_from_template("openai-compat", "openai", "Mine")


def test_create_refuses_an_id_whose_file_exists_but_does_not_load(
    editor: CatalogEditor, paths: Paths
) -> None:
    paths.user_catalogs_dir.mkdir(parents=True)
    broken = paths.user_catalogs_dir / "box.json"
    broken.write_text("{ not json")
    with pytest.raises(BadInputError, match=r"box\.json already exists"):
        editor.create_from_template("ollama", "box", "Box")
    assert broken.read_text() == "{ not json"


def test_saving_with_errors_writes_nothing(editor: CatalogEditor, paths: Paths) -> None:
    form = {
        "id": "box",
        "name": "Box",
        "type": "ollama",
        "api_endpoint": "localhost:11434",
        "models": [{"id": "m", "context_window": -1}],
    }
    with pytest.raises(BadInputError) as caught:
        editor.save_provider(form, create=True)
    assert str(caught.value) == (
        "cannot save provider 'box': api_endpoint: 'localhost:11434' is neither an http:// or "
        "https:// URL nor a $VARIABLE; models[0].context_window: must be a positive number of "
        "tokens (got -1); leave it out if unknown"
    )
    # A Provider object with a stated context window of 0 is refused the same way.
    zero = Provider(id="box", name="Box", type="ollama", models=[Model(id="m", context_window=0)])
    with pytest.raises(BadInputError, match=r"models\[0\].context_window"):
        editor.save_provider(zero, create=True)
    assert user_files(paths) == []
    assert not paths.catalog_backups_dir.exists()


def test_save_provider_accepts_form_data(editor: CatalogEditor) -> None:
    result = editor.save_provider(
        {"id": "box", "name": "Box", "type": "ollama", "models": [{"id": "m"}]}, create=True
    )
    assert result.provider == editor.get("box")
    with pytest.raises(BadInputError, match="cannot save the provider: id: required"):
        editor.save_provider({"name": "No id", "type": "ollama"}, create=True)


def test_save_provider_updates_and_returns_warnings_and_a_backup(editor: CatalogEditor) -> None:
    created = editor.create_from_template("openai-compat", "box", "Box").provider
    expensive = created.model_copy(
        update={"models": [Model(id="my-model", cost_per_1m_in=2000.0, cost_per_1m_out=3000.0)]}
    )
    result = editor.save_provider(expensive, create=False)
    assert [w.field for w in result.warnings] == [
        "models[0].cost_per_1m_in",
        "models[0].cost_per_1m_out",
    ]
    assert result.backup is not None
    assert json.loads(result.backup.path.read_bytes())["models"][0]["context_window"] == 32768
    assert editor.get("box").model("my-model") == expensive.models[0]


def test_save_provider_update_of_an_unknown_id_is_not_found(editor: CatalogEditor) -> None:
    with pytest.raises(NotFoundError, match="unknown provider 'nope'"):
        editor.save_provider(Provider(id="nope", name="N", type="ollama"), create=False)


def test_delete_backs_up_and_removes_only_user_files(editor: CatalogEditor, paths: Paths) -> None:
    editor.create_from_template("ollama", "box", "Box")
    backup = editor.delete("box")
    assert user_files(paths) == []
    assert json.loads(backup.path.read_bytes())["id"] == "box"
    with pytest.raises(NotFoundError):
        editor.get("box")
    with pytest.raises(BadInputError, match="'openai' is built in"):
        editor.delete("openai")
    with pytest.raises(NotFoundError, match="unknown provider 'box'"):
        editor.delete("box")


def test_duplicate_copies_any_provider_under_a_new_id(editor: CatalogEditor, paths: Paths) -> None:
    result = editor.duplicate("openai", "openai-proxy", "OpenAI via proxy")
    copy = editor.get("openai-proxy")
    original = editor.get("openai")
    assert (copy.name, copy.type) == ("OpenAI via proxy", "openai")
    assert copy.models == original.models
    assert result.path == paths.user_catalogs_dir / "openai-proxy.json"
    assert load_catalog(paths).sources["openai"] == "shipped"  # the original is untouched
    with pytest.raises(BadInputError, match="'openai' is built in"):
        editor.duplicate("openai-proxy", "openai", "x")
    with pytest.raises(BadInputError, match="invalid provider id"):
        editor.duplicate("openai", "Nope!", "x")


# Models ---------------------------------------------------------------------------------------


def test_add_update_and_remove_models(editor: CatalogEditor, paths: Paths) -> None:
    editor.create_from_template("openai-compat", "box", "Box")
    editor.add_model("box", Model(id="qwen", name="Qwen", context_window=65536))
    assert [m.id for m in editor.get("box").models] == [STARTER_MODEL_ID, "qwen"]

    editor.update_model("box", "qwen", Model(id="qwen", name="Qwen 3", cost_per_1m_in=0.2))
    assert editor.get("box").model("qwen") == Model(id="qwen", name="Qwen 3", cost_per_1m_in=0.2)

    # Renaming the default model carries the defaults along.
    editor.update_model("box", STARTER_MODEL_ID, Model(id="llama", context_window=8192))
    renamed = editor.get("box")
    assert renamed.default_large_model_id == "llama" == renamed.default_small_model_id

    # Removing it clears them rather than leaving them dangling.
    editor.remove_model("box", "llama")
    left = editor.get("box")
    assert [m.id for m in left.models] == ["qwen"]
    assert left.default_large_model_id == "" and left.default_small_model_id == ""
    assert load_catalog(paths).issues == []


def test_model_changes_are_validated_and_write_nothing_on_error(
    editor: CatalogEditor, paths: Paths
) -> None:
    editor.create_from_template("openai-compat", "box", "Box")
    before = (paths.user_catalogs_dir / "box.json").read_bytes()
    with pytest.raises(BadInputError, match="already has a model 'my-model'"):
        editor.add_model("box", Model(id=STARTER_MODEL_ID))
    with pytest.raises(BadInputError, match=r"models\[1\].cost_per_1m_out: must not be negative"):
        editor.add_model("box", {"id": "neg", "cost_per_1m_out": -2.0})
    with pytest.raises(BadInputError, match=r"models\[0\].context_window: must be a whole"):
        editor.update_model("box", STARTER_MODEL_ID, {"id": "x", "context_window": "big"})
    with pytest.raises(NotFoundError, match="provider 'box' has no model 'ghost'"):
        editor.update_model("box", "ghost", Model(id="ghost"))
    with pytest.raises(NotFoundError, match="has no model 'ghost'"):
        editor.remove_model("box", "ghost")
    editor.add_model("box", Model(id="other"))
    with pytest.raises(BadInputError, match="already has a model 'other'"):
        editor.update_model("box", STARTER_MODEL_ID, Model(id="other"))
    assert (
        json.loads((paths.user_catalogs_dir / "box.json").read_bytes())["models"][0]
        == (json.loads(before)["models"][0])
    )


# Built-in providers: overrides and reset ------------------------------------------------------


def test_editing_a_shipped_provider_makes_an_override_and_reset_removes_it(
    editor: CatalogEditor, paths: Paths
) -> None:
    shipped_bytes = (shipped_catalogs_dir() / "deepseek.json").read_bytes()
    result = editor.edit_copy("deepseek")
    assert result.written and result.path == paths.user_catalogs_dir / "deepseek.json"
    assert load_catalog(paths).sources["deepseek"] == "user"
    assert [(u.provider.id, u.overrides) for u in editor.list_custom()] == [("deepseek", "shipped")]

    # A second edit_copy opens the same file without writing.
    again = editor.edit_copy("deepseek")
    assert not again.written and again.path == result.path

    editor.add_model("deepseek", Model(id="deepseek-local", context_window=32000))
    assert editor.get("deepseek").model("deepseek-local") is not None

    backup = editor.reset("deepseek")
    assert json.loads(backup.path.read_bytes())["id"] == "deepseek"
    catalog = load_catalog(paths)
    assert catalog.sources["deepseek"] == "shipped"
    assert catalog.provider("deepseek").model("deepseek-local") is None
    assert (shipped_catalogs_dir() / "deepseek.json").read_bytes() == shipped_bytes


def test_changing_models_of_a_built_in_provider_writes_an_override(
    editor: CatalogEditor, paths: Paths
) -> None:
    editor.add_model("ollama", Model(id="llama3.2", context_window=131072))
    assert user_files(paths) == ["ollama.json"]
    assert editor.get("ollama").model("llama3.2") is not None
    assert editor.source("ollama") == "user"


def test_reset_refuses_own_providers_and_unedited_built_ins(editor: CatalogEditor) -> None:
    editor.create_from_template("ollama", "box", "Box")
    with pytest.raises(BadInputError, match=r"'box' is your own.*delete it instead"):
        editor.reset("box")
    with pytest.raises(BadInputError, match="'openai' has no user override to reset"):
        editor.reset("openai")
    with pytest.raises(NotFoundError):
        editor.reset("nope")


def test_an_override_in_a_hand_named_file_is_edited_in_place(
    editor: CatalogEditor, paths: Paths
) -> None:
    paths.user_catalogs_dir.mkdir(parents=True)
    mine = paths.user_catalogs_dir / "my-models.json"
    mine.write_text(json.dumps({"id": "box", "name": "Box", "type": "ollama", "models": []}))
    editor.add_model("box", Model(id="m"))
    assert user_files(paths) == ["my-models.json"]
    assert read_json(mine)["models"] == [{"id": "m"}]


def test_a_new_id_whose_file_name_is_taken_by_another_provider_is_refused(
    editor: CatalogEditor, paths: Paths
) -> None:
    paths.user_catalogs_dir.mkdir(parents=True)
    (paths.user_catalogs_dir / "box.json").write_text(
        json.dumps({"id": "other", "name": "Other", "type": "ollama"})
    )
    with pytest.raises(BadInputError, match=r"box\.json holds provider 'other'"):
        editor.create_from_template("ollama", "box", "Box")
