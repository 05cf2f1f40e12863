"""Loading the catalog: shipped data, downloaded updates, user files, and every kind of bad file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lace_tui.catalog.loader import (
    LOCAL_PROVIDER_IDS,
    Catalog,
    CatalogFileError,
    CatalogIssue,
    load_catalog,
    load_provider_list,
    parse_provider_file,
)
from lace_tui.catalog.models import Provider
from lace_tui.errors import EXIT_BAD_INPUT, NotFoundError
from lace_tui.paths import Paths, resolve_paths, shipped_catalogs_dir

SHIPPED_PROVIDERS = 43
SHIPPED_MODELS = 1534


def provider_dict(
    provider_id: str, name: str = "", models: int = 2, **extra: object
) -> dict[str, object]:
    return {
        "id": provider_id,
        "name": name or provider_id.title(),
        "type": "openai-compat",
        "api_key": f"${provider_id.upper()}_API_KEY",
        "api_endpoint": f"https://{provider_id}.example.com/v1",
        "models": [
            {"id": f"{provider_id}-m{i}", "name": f"{provider_id} model {i}"} for i in range(models)
        ],
        **extra,
    }


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return resolve_paths(tmp_path)


def write_user(paths: Paths, name: str, content: object | bytes) -> Path:
    paths.user_catalogs_dir.mkdir(parents=True, exist_ok=True)
    path = paths.user_catalogs_dir / name
    data = content if isinstance(content, bytes) else json.dumps(content, indent=2).encode()
    path.write_bytes(data)
    return path


def write_update(paths: Paths, content: object | bytes) -> Path:
    paths.catalog_update_dir.mkdir(parents=True, exist_ok=True)
    path = paths.catalog_update_dir / "providers.json"
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


def model_count(catalog: Catalog) -> int:
    return sum(len(p.models) for p in catalog.providers.values())


# --- shipped data ---------------------------------------------------------------------------


def test_every_shipped_file_loads(paths: Paths) -> None:
    catalog = load_catalog(paths)

    assert catalog.issues == []
    assert len(catalog.providers) == SHIPPED_PROVIDERS
    assert model_count(catalog) == SHIPPED_MODELS
    assert len(list(shipped_catalogs_dir().glob("*.json"))) == SHIPPED_PROVIDERS
    assert set(catalog.sources.values()) == {"shipped"}
    assert catalog.user_files == {}


def test_local_catalogs_are_shipped(paths: Paths) -> None:
    catalog = load_catalog(paths)

    ollama = catalog.provider("ollama")
    assert (ollama.name, ollama.type, ollama.api_endpoint) == (
        "Ollama",
        "ollama",
        "http://localhost:11434",
    )
    lmstudio = catalog.provider("lmstudio")
    assert (lmstudio.name, lmstudio.type, lmstudio.api_endpoint) == (
        "LM Studio",
        "openai-compat",
        "http://localhost:1234/v1",
    )
    for local in (ollama, lmstudio):
        assert local.api_key == ""
        assert local.models == []
        assert local.can_chat
    assert {"ollama", "lmstudio"} == LOCAL_PROVIDER_IDS


def test_providers_are_ordered_by_display_name_ignoring_case(paths: Paths) -> None:
    write_user(paths, "lower.json", provider_dict("zz-lower", name="aaa lowercase first"))
    catalog = load_catalog(paths)

    names = [p.display_name.casefold() for p in catalog.providers.values()]
    assert names == sorted(names)
    assert next(iter(catalog.providers)) == "zz-lower"


def test_shipped_stale_default_model_is_dropped_but_rejected_in_a_user_file(paths: Paths) -> None:
    # Catwalk's pioneer.json names default models it does not list.
    pioneer = load_catalog(paths).provider("pioneer")
    assert len(pioneer.models) == 17
    assert pioneer.default_large_model_id == ""
    assert pioneer.default_small_model_id == ""

    shipped_bytes = (shipped_catalogs_dir() / "pioneer.json").read_bytes()
    write_user(paths, "pioneer.json", shipped_bytes)
    catalog = load_catalog(paths)
    assert [str(i) for i in catalog.issues] == [
        "catalogs/pioneer.json: default_large_model_id 'claude-opus-4-6' is not one of the "
        "provider's models"
    ]
    assert catalog.sources["pioneer"] == "shipped"


# --- lenient parsing -------------------------------------------------------------------------


def test_unknown_keys_are_kept_and_missing_flags_default_to_false(paths: Paths) -> None:
    data = provider_dict("lenient", future_setting={"a": 1})
    models = data["models"]
    assert isinstance(models, list)
    models[0]["brand_new_flag"] = True
    del models[0]["name"]
    write_user(paths, "lenient.json", data)

    provider = load_catalog(paths).provider("lenient")

    assert provider.model_extra == {"future_setting": {"a": 1}}
    model = provider.models[0]
    assert model.model_extra == {"brand_new_flag": True}
    assert model.can_reason is False
    assert model.supports_attachments is False
    assert model.display_name == "lenient-m0"
    assert model.cost_per_1m_in is None  # unknown, not $0
    assert model.context_window == 0


def test_null_fields_are_read_as_empty(paths: Paths) -> None:
    write_user(
        paths,
        "nulls.json",
        {
            "id": "nulls",
            "name": None,
            "type": "openai",
            "api_key": None,
            "api_endpoint": None,
            "default_large_model_id": None,
            "default_small_model_id": None,
            "default_headers": None,
            "models": [
                {
                    "id": "m",
                    "name": None,
                    "cost_per_1m_in": None,
                    "cost_per_1m_out": None,
                    "context_window": None,
                    "default_max_tokens": None,
                    "can_reason": None,
                    "reasoning_levels": None,
                    "default_reasoning_effort": None,
                    "supports_attachments": None,
                    "options": None,
                }
            ],
        },
    )
    catalog = load_catalog(paths)

    assert catalog.issues == []
    provider = catalog.provider("nulls")
    assert (provider.name, provider.api_key, provider.default_headers) == ("", "", {})
    assert provider.display_name == "nulls"
    model = provider.models[0]
    assert (model.name, model.context_window, model.default_max_tokens) == ("", 0, 0)
    assert (model.can_reason, model.supports_attachments) == (False, False)
    assert (model.reasoning_levels, model.options, model.default_reasoning_effort) == ([], {}, "")
    assert model.cost_per_1m_in is None


def test_missing_models_key_gives_an_empty_provider(paths: Paths) -> None:
    write_user(paths, "bare.json", {"id": "bare", "type": "ollama"})
    assert load_catalog(paths).provider("bare").models == []


def test_utf8_bom_is_accepted(paths: Paths) -> None:
    write_user(paths, "bom.json", b"\xef\xbb\xbf" + json.dumps(provider_dict("bom")).encode())
    catalog = load_catalog(paths)
    assert catalog.issues == []
    assert catalog.sources["bom"] == "user"


# --- user catalogs ---------------------------------------------------------------------------


def test_user_file_overrides_a_shipped_provider_and_adds_a_new_one(paths: Paths) -> None:
    override = write_user(paths, "my-openai.json", provider_dict("openai", name="OpenAI (mine)"))
    added = write_user(paths, "acme.json", provider_dict("acme", name="Acme AI", models=3))

    catalog = load_catalog(paths)

    assert catalog.issues == []
    assert len(catalog.providers) == SHIPPED_PROVIDERS + 1
    assert catalog.provider("openai").name == "OpenAI (mine)"
    assert [m.id for m in catalog.provider("openai").models] == ["openai-m0", "openai-m1"]
    assert len(catalog.provider("acme").models) == 3
    assert catalog.sources["openai"] == catalog.sources["acme"] == "user"
    assert catalog.sources["anthropic"] == "shipped"
    assert catalog.user_files == {"openai": override, "acme": added}
    assert model_count(catalog) == SHIPPED_MODELS - 28 + 2 + 3


def test_later_user_file_with_same_id_wins_and_is_reported(paths: Paths) -> None:
    write_user(paths, "a-first.json", provider_dict("dup", name="First"))
    second = write_user(paths, "b-second.json", provider_dict("dup", name="Second"))

    catalog = load_catalog(paths)

    assert catalog.provider("dup").name == "Second"
    assert catalog.user_files["dup"] == second
    assert len(catalog.issues) == 1
    issue = catalog.issues[0]
    assert issue.file == "catalogs/a-first.json"
    assert "dup" in issue.reason and "catalogs/b-second.json" in issue.reason


def test_hidden_and_non_json_files_are_ignored(paths: Paths) -> None:
    write_user(paths, ".draft.json", b"{ not json")
    write_user(paths, "notes.txt", b"hello")
    write_user(paths, "real.json", provider_dict("real"))

    catalog = load_catalog(paths)

    assert catalog.issues == []
    assert catalog.sources["real"] == "user"


BROKEN_FILES = [
    pytest.param(
        b'{\n  "id": "bad",\n  "type": "openai"\n  "models": []\n}',
        "line 4: Expecting ',' delimiter",
        id="bad-json",
    ),
    pytest.param(
        json.dumps(
            {
                "id": "bad",
                "type": "openai",
                "models": [{"id": "a"}, {"id": "b"}, {"id": "c", "context_window": "big"}],
            }
        ).encode(),
        "models[2].context_window: Input should be a valid integer, unable to parse string as "
        "an integer",
        id="schema-error",
    ),
    pytest.param(
        json.dumps({"id": "bad", "type": "openai", "models": [{"id": "a"}, {"id": "a"}]}).encode(),
        "duplicate model id 'a'",
        id="duplicate-model-ids",
    ),
    pytest.param(
        json.dumps(
            {"id": "bad", "type": "openai", "default_small_model_id": "z", "models": [{"id": "a"}]}
        ).encode(),
        "default_small_model_id 'z' is not one of the provider's models",
        id="default-model-not-in-models",
    ),
    pytest.param(
        json.dumps([provider_dict("bad")]).encode(),
        "expected a JSON object (one provider), got a list",
        id="list-instead-of-object",
    ),
    pytest.param(b"", "empty file: expected a JSON object (one provider)", id="empty-file"),
    pytest.param(b'{"type": "openai"}', "id: Field required", id="missing-id"),
    pytest.param(
        b'{"id": "bad", "type": "openai", "models": [{"id": "a", "cost_per_1m_in": -2}]}',
        "models[0].cost_per_1m_in: Input should be greater than or equal to 0",
        id="negative-price",
    ),
    pytest.param(
        b'{"id": "bad", "type": "openai", "models": [{"id": "a", "cost_per_1m_out": NaN}]}',
        "models[0].cost_per_1m_out: Input should be a finite number",
        id="nan-price",
    ),
    pytest.param(
        b'{"id": "caf\xe9", "type": "openai"}',
        "not UTF-8 text (bad byte at offset 11)",
        id="latin1",
    ),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply", id="deep-nesting"),
]


@pytest.mark.parametrize(("content", "reason"), BROKEN_FILES)
def test_broken_user_file_is_reported_and_the_rest_still_load(
    paths: Paths, content: bytes, reason: str
) -> None:
    write_user(paths, "aaa-good.json", provider_dict("good-one"))
    write_user(paths, "broken.json", content)
    write_user(paths, "zzz-good.json", provider_dict("good-two"))

    catalog = load_catalog(paths)

    assert catalog.issues == [CatalogIssue(file="catalogs/broken.json", reason=reason)]
    assert str(catalog.issues[0]) == f"catalogs/broken.json: {reason}"
    assert "\n" not in str(catalog.issues[0])
    assert "bad" not in catalog.providers
    assert catalog.sources["good-one"] == catalog.sources["good-two"] == "user"
    assert len(catalog.providers) == SHIPPED_PROVIDERS + 2


def test_broken_user_file_does_not_hide_the_shipped_provider_of_that_id(paths: Paths) -> None:
    write_user(paths, "openai.json", b'{"id": "openai", "type": "openai", "models": [{}]}')

    catalog = load_catalog(paths)

    assert [str(i) for i in catalog.issues] == [
        "catalogs/openai.json: models[0].id: Field required"
    ]
    assert catalog.sources["openai"] == "shipped"
    assert len(catalog.provider("openai").models) == 28


def test_several_schema_errors_are_counted_on_one_line(paths: Paths) -> None:
    write_user(paths, "multi.json", b'{"id": "", "type": "", "models": [{"id": ""}]}')

    (issue,) = load_catalog(paths).issues
    assert issue.reason == "id: String should have at least 1 character (and 2 more)"


def test_unreadable_user_file_is_reported(paths: Paths) -> None:
    (paths.user_catalogs_dir / "folder.json").mkdir(parents=True)
    write_user(paths, "fine.json", provider_dict("fine"))

    catalog = load_catalog(paths)

    assert [i.file for i in catalog.issues] == ["catalogs/folder.json"]
    assert catalog.issues[0].reason.startswith("cannot read (")
    assert catalog.sources["fine"] == "user"


def test_user_catalogs_path_that_is_not_a_directory_is_reported(paths: Paths) -> None:
    paths.user_catalogs_dir.parent.mkdir(parents=True, exist_ok=True)
    paths.user_catalogs_dir.write_text("oops")

    catalog = load_catalog(paths)

    assert [i.file for i in catalog.issues] == ["catalogs"]
    assert catalog.issues[0].reason.startswith("cannot list (")
    assert len(catalog.providers) == SHIPPED_PROVIDERS


def test_parse_provider_file_raises_a_bad_input_error_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"id": "p", "type": "openai",}')

    with pytest.raises(CatalogFileError) as caught:
        parse_provider_file(path)

    assert caught.value.message == "line 1: Expecting property name enclosed in double quotes"
    assert caught.value.exit_code == EXIT_BAD_INPUT


def test_parse_provider_file_of_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogFileError, match=r"^cannot read \(No such file or directory\)$"):
        parse_provider_file(tmp_path / "missing.json")


def test_parse_provider_file_returns_the_provider(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(provider_dict("p", default_large_model_id="p-m1")))

    provider = parse_provider_file(path)

    assert provider.id == "p"
    assert provider.default_large_model_id == "p-m1"


# --- catalog updates -------------------------------------------------------------------------


def test_update_replaces_shipped_catwalk_providers_and_keeps_local_ones(paths: Paths) -> None:
    write_update(paths, [provider_dict("openai", name="OpenAI", models=5), provider_dict("new")])

    catalog = load_catalog(paths)

    assert catalog.issues == []
    assert set(catalog.providers) == {"openai", "new", "ollama", "lmstudio"}
    assert catalog.sources == {
        "lmstudio": "shipped",
        "new": "update",
        "ollama": "shipped",
        "openai": "update",
    }
    assert len(catalog.provider("openai").models) == 5
    assert catalog.get("anthropic") is None


def test_update_with_a_local_id_replaces_that_local_catalog(paths: Paths) -> None:
    ollama = provider_dict("ollama", name="Ollama (Catwalk)")
    ollama["type"] = "ollama"
    write_update(paths, [provider_dict("openai"), ollama])

    catalog = load_catalog(paths)

    assert catalog.provider("ollama").name == "Ollama (Catwalk)"
    assert catalog.sources["ollama"] == "update"
    assert catalog.sources["lmstudio"] == "shipped"


def test_update_skips_invalid_entries_and_reports_them(paths: Paths) -> None:
    broken = provider_dict("broken")
    models = broken["models"]
    assert isinstance(models, list)
    models[1]["context_window"] = "huge"
    write_update(paths, [provider_dict("fine"), broken, "not a provider", {"type": "openai"}])

    catalog = load_catalog(paths)

    assert set(catalog.providers) == {"fine", "ollama", "lmstudio"}
    assert [str(i) for i in catalog.issues] == [
        "catalog-update/providers.json: entry 1 ('broken'): models[1].context_window: "
        "Input should be a valid integer, unable to parse string as an integer",
        "catalog-update/providers.json: entry 2: expected a provider object, got a string",
        "catalog-update/providers.json: entry 3: id: Field required",
    ]


def test_update_keeps_a_provider_whose_default_model_is_stale(paths: Paths) -> None:
    write_update(paths, [provider_dict("stale", default_large_model_id="gone")])

    catalog = load_catalog(paths)

    assert catalog.issues == []
    assert catalog.provider("stale").default_large_model_id == ""


@pytest.mark.parametrize(
    ("content", "first_reason"),
    [
        pytest.param(b"[{", "line 1: Expecting property name enclosed in double quotes", id="json"),
        pytest.param(b'{"providers": []}', "expected a JSON list of providers, got an object"),
        pytest.param(b"[]", None, id="empty-list"),
        pytest.param(b'[{"id": "x"}]', "entry 0 ('x'): type: Field required", id="none-valid"),
    ],
)
def test_invalid_update_falls_back_to_shipped_data(
    paths: Paths, content: bytes, first_reason: str | None
) -> None:
    write_update(paths, content)

    catalog = load_catalog(paths)

    assert len(catalog.providers) == SHIPPED_PROVIDERS
    assert set(catalog.sources.values()) == {"shipped"}
    reasons = [i.reason for i in catalog.issues]
    assert all(i.file == "catalog-update/providers.json" for i in catalog.issues)
    assert reasons[-1].startswith("no valid provider in it; using the shipped catalog instead")
    assert reasons[:-1] == ([first_reason] if first_reason else [])


def test_unreadable_update_falls_back_to_shipped_data(paths: Paths) -> None:
    (paths.catalog_update_dir / "providers.json").mkdir(parents=True)

    catalog = load_catalog(paths)

    assert len(catalog.providers) == SHIPPED_PROVIDERS
    (issue,) = catalog.issues
    assert issue.file == "catalog-update/providers.json"
    assert issue.reason.startswith("cannot read (")
    assert "using the shipped catalog instead" in issue.reason


def test_user_file_overrides_an_updated_provider(paths: Paths) -> None:
    write_update(paths, [provider_dict("openai", name="OpenAI")])
    write_user(paths, "openai.json", provider_dict("openai", name="Mine"))

    catalog = load_catalog(paths)

    assert catalog.provider("openai").name == "Mine"
    assert catalog.sources["openai"] == "user"


def test_load_provider_list_later_duplicate_wins(paths: Paths) -> None:
    data = json.dumps([provider_dict("x", name="One"), provider_dict("x", name="Two")]).encode()

    providers, issues = load_provider_list(data, "remote")

    assert [p.name for p in providers] == ["Two"]
    assert [str(i) for i in issues] == [
        "remote: entry 0: provider 'x' occurs again as entry 1, which is used"
    ]


def test_load_provider_list_reads_the_shipped_data_as_one_list() -> None:
    entries = [
        json.loads(path.read_bytes()) for path in sorted(shipped_catalogs_dir().glob("*.json"))
    ]

    providers, issues = load_provider_list(json.dumps(entries).encode(), "all")

    assert issues == []
    assert len(providers) == SHIPPED_PROVIDERS
    assert sum(len(p.models) for p in providers) == SHIPPED_MODELS
    assert all(isinstance(p, Provider) for p in providers)


# --- lookups ---------------------------------------------------------------------------------


def test_lookups_and_not_found_messages(paths: Paths) -> None:
    catalog = load_catalog(paths)

    assert catalog.provider("anthropic").name == "Anthropic"
    assert catalog.get("nope") is None
    assert catalog.model("anthropic", "claude-opus-5").name == "Claude Opus 5"

    with pytest.raises(NotFoundError) as caught:
        catalog.provider("nope")
    assert str(caught.value) == "unknown provider 'nope': see `lace-tui catalog list` for ids"
    assert caught.value.exit_code == EXIT_BAD_INPUT

    with pytest.raises(NotFoundError) as caught:
        catalog.model("anthropic", "gpt-9")
    assert str(caught.value) == (
        "unknown model 'gpt-9' for provider 'anthropic': "
        "see `lace-tui catalog show anthropic` for its models"
    )

    with pytest.raises(NotFoundError, match="unknown provider 'nope'"):
        catalog.model("nope", "gpt-9")


def test_rows_cover_every_model_once_and_are_cached(paths: Paths) -> None:
    catalog = load_catalog(paths)

    rows = catalog.rows()

    assert len(rows) == SHIPPED_MODELS
    assert catalog.rows() is rows
    assert len({(r.provider_id, r.model.id) for r in rows}) == SHIPPED_MODELS
    opus = next(r for r in rows if r.model.id == "claude-opus-5" and r.provider_id == "anthropic")
    assert opus.provider_name == "Anthropic"
    assert "claude opus 5" in opus.haystack and "anthropic" in opus.haystack


def test_catalog_built_directly_defaults_missing_sources_to_shipped() -> None:
    b = Provider(id="b", name="beta", type="openai")
    a = Provider(id="a", name="Alpha", type="openai")

    catalog = Catalog([b, a], {"b": "user"})

    assert list(catalog.providers) == ["a", "b"]
    assert catalog.sources == {"a": "shipped", "b": "user"}
    assert catalog.issues == []
