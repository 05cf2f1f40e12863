"""First-run import of instances from API-key environment variables: once, and never a secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from lace_tui.catalog.models import Provider
from lace_tui.errors import StoredFileError
from lace_tui.instances.models import Instance
from lace_tui.instances.state import StateStore
from lace_tui.instances.store import InstanceStore
from lace_tui.paths import Paths, resolve_paths, shipped_catalogs_dir
from lace_tui.services.env_import import WELL_KNOWN_KEY_VARS, import_from_environment

SECRET = "sk-ant-api03-Qw3rTy-env-secret-9876"


@pytest.fixture(scope="module")
def shipped() -> list[Provider]:
    """The real shipped catalog providers (a file that fails validation is left out, as the
    catalog loader does)."""
    providers: list[Provider] = []
    for path in sorted(shipped_catalogs_dir().glob("*.json")):
        try:
            providers.append(Provider.model_validate_json(path.read_bytes()))
        except ValidationError:
            continue
    assert len(providers) > 20
    return providers


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return resolve_paths(tmp_path / "home")


@pytest.fixture
def store(paths: Paths) -> InstanceStore:
    return InstanceStore(paths)


@pytest.fixture
def state(paths: Paths) -> StateStore:
    return StateStore(paths)


def test_well_known_vars_name_shipped_providers(shipped: list[Provider]) -> None:
    by_id = {provider.id: provider for provider in shipped}
    for var, provider_id in WELL_KNOWN_KEY_VARS.items():
        assert by_id[provider_id].api_key_env == var


def test_imports_set_variables_as_references(
    store: InstanceStore, state: StateStore, paths: Paths, shipped: list[Provider]
) -> None:
    environ = {
        "ANTHROPIC_API_KEY": SECRET,
        "OPENAI_API_KEY": "sk-openai-secret-123456",
        "CEREBRAS_API_KEY": "csk-cerebras-secret-1234",  # named only in the catalog
        "GROQ_API_KEY": "",  # set but empty: skipped
        "PATH": "/usr/bin",
    }
    imported = import_from_environment(store, state, shipped, environ)

    assert [i.id for i in imported] == ["anthropic", "cerebras", "openai"]
    anthropic = imported[0]
    assert anthropic == Instance(
        id="anthropic",
        name="Anthropic (env)",
        provider="anthropic",
        api_key_env="ANTHROPIC_API_KEY",
    )
    assert store.load() == imported
    text = paths.instances_file.read_text()
    for secret in environ.values():
        if secret.startswith(("sk-", "csk-")):
            assert secret not in text
    assert not paths.credentials_dir.exists()  # no key copied anywhere
    record = state.env_import_record()
    assert record is not None and record.imported == ["anthropic", "cerebras", "openai"]


def test_one_variable_shared_by_providers_creates_one_instance_each(
    store: InstanceStore, state: StateStore, shipped: list[Provider]
) -> None:
    imported = import_from_environment(store, state, shipped, {"ZHIPU_API_KEY": "zk-12345678901"})
    assert [(i.id, i.name, i.api_key_env) for i in imported] == [
        ("zhipu", "Zhipu (env)", "ZHIPU_API_KEY"),
        ("zhipu-coding", "Zhipu Coding (env)", "ZHIPU_API_KEY"),
    ]


def test_nothing_set_still_writes_the_file_and_records_the_run(
    store: InstanceStore, state: StateStore, paths: Paths, shipped: list[Provider]
) -> None:
    assert import_from_environment(store, state, shipped, {"HOME": "/root"}) == []
    assert store.file_exists()
    assert store.load() == []
    assert state.env_import_done()
    # A key exported later does not bring an import on the next start.
    assert import_from_environment(store, state, shipped, {"OPENAI_API_KEY": "sk-x-12345"}) == []
    assert store.load() == []


def test_deleted_instances_do_not_come_back(
    store: InstanceStore, state: StateStore, paths: Paths, shipped: list[Provider]
) -> None:
    environ = {"OPENAI_API_KEY": "sk-openai-secret-123456"}
    assert [i.id for i in import_from_environment(store, state, shipped, environ)] == ["openai"]
    store.remove("openai")
    assert import_from_environment(store, state, shipped, environ) == []
    # Even with the instances file gone, the state remembers the import ran.
    paths.instances_file.unlink()
    assert import_from_environment(store, state, shipped, environ) == []
    assert not store.file_exists()


def test_existing_instances_file_means_no_import(
    store: InstanceStore, state: StateStore, paths: Paths, shipped: list[Provider]
) -> None:
    store.add(Instance(id="mine", provider="openai"))
    before = paths.instances_file.read_bytes()
    assert import_from_environment(store, state, shipped, {"OPENAI_API_KEY": "sk-1234567890"}) == []
    assert paths.instances_file.read_bytes() == before
    assert not paths.state_file.exists()


def test_broken_state_file_stops_the_import_and_is_kept(
    store: InstanceStore, state: StateStore, paths: Paths, shipped: list[Provider]
) -> None:
    paths.data_dir.mkdir(parents=True)
    paths.state_file.write_text("{oops")
    with pytest.raises(StoredFileError) as caught:
        import_from_environment(store, state, shipped, {"OPENAI_API_KEY": SECRET})
    assert SECRET not in str(caught.value)
    assert not store.file_exists()
    assert paths.state_file.read_text() == "{oops"


def test_user_catalog_providers_and_odd_ids(store: InstanceStore, state: StateStore) -> None:
    providers = [
        Provider(id="openai", name="OpenAI (mine)", type="openai", api_key="$MY_OPENAI"),
        Provider(id="Corp_LLM", name="Corp", type="openai-compat", api_key="$CORP_KEY"),
        Provider(id="local", name="Local", type="ollama", api_key=""),
        Provider(id="plain", name="Plain", type="openai", api_key="literal-not-a-var"),
    ]
    environ = {"MY_OPENAI": "k1-12345678", "OPENAI_API_KEY": "k2-12345678", "CORP_KEY": "k3-123456"}
    imported = import_from_environment(store, state, providers, environ)
    assert [(i.id, i.provider, i.api_key_env) for i in imported] == [
        ("corp-llm", "Corp_LLM", "CORP_KEY"),
        ("openai", "openai", "OPENAI_API_KEY"),  # one per provider; the well-known name first
    ]


def test_well_known_provider_missing_from_catalog_is_skipped(
    store: InstanceStore, state: StateStore
) -> None:
    assert import_from_environment(store, state, [], {"OPENAI_API_KEY": "sk-12345678"}) == []
    assert state.env_import_done()
