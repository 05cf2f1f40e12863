"""Instances as the app and CLI use them: validated against the catalog, with keys kept apart,
connection tests, model discovery, and provider clients built from them (the registry)."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import httpx
from pydantic import BaseModel, ValidationError

from lace_tui.catalog.loader import Catalog
from lace_tui.catalog.models import Model, Provider
from lace_tui.errors import (
    BadInputError,
    NotFoundError,
    StoredFileError,
    UnsupportedProviderError,
)
from lace_tui.fileio import atomic_write_text
from lace_tui.instances.credentials import CredentialStore, key_status, resolve_api_key
from lace_tui.instances.env_import import import_from_environment
from lace_tui.instances.models import ConnectionStatus, Instance, KeyStatus, describe_invalid
from lace_tui.instances.state import StateStore
from lace_tui.instances.store import InstanceStore
from lace_tui.paths import Paths
from lace_tui.providers import bedrock, copilot
from lace_tui.providers.base import ClientConfig, ProviderClient, Sleep
from lace_tui.providers.copilot import DeviceCode as DeviceCode
from lace_tui.providers.events import DiscoveredModel
from lace_tui.providers.factory import SUPPORTED_TYPES, create_client, resolve_endpoint

ModelSource = Literal["catalog", "discovered", "custom"]


class InstanceModel(BaseModel):
    """A model an instance can talk to, with catalog metadata when the catalog knows it."""

    id: str
    name: str
    source: ModelSource
    info: Model | None = None

    @property
    def context_window(self) -> int | None:
        if self.info is not None and self.info.context_window > 0:
            return self.info.context_window
        return None


class InstanceView(BaseModel):
    """Everything a list of instances shows; never a key."""

    instance: Instance
    provider_name: str
    provider_type: str
    provider_known: bool
    endpoint: str
    endpoint_is_default: bool
    key: KeyStatus
    status: ConnectionStatus | None
    model_count: int
    can_chat: bool


class DiscoveredModels(BaseModel):
    fetched_at: str
    models: list[DiscoveredModel]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class InstanceService:
    """Add, edit, remove, test and list instances; build provider clients for them."""

    def __init__(self, paths: Paths, catalog: Catalog, environ: Mapping[str, str]) -> None:
        self.paths = paths
        self.catalog = catalog
        self.environ = environ
        self.store = InstanceStore(paths)
        self.credentials = CredentialStore(paths)
        self.state = StateStore(paths)

    # -- queries -------------------------------------------------------------------------

    def all(self) -> list[Instance]:
        """All instances, sorted by id."""
        return self.store.load()

    def get(self, instance_id: str) -> Instance:
        return self.store.get(instance_id)

    def provider_of(self, instance: Instance) -> Provider:
        """The catalog provider an instance points at (NotFoundError if the catalog lost it)."""
        provider = self.catalog.get(instance.provider)
        if provider is None:
            raise NotFoundError(
                f"instance '{instance.id}' uses provider '{instance.provider}', which is not in "
                "the catalog: restore its catalog file or remove the instance"
            )
        return provider

    def effective_endpoint(self, instance: Instance, provider: Provider) -> str:
        return resolve_endpoint(
            provider.type, instance.endpoint, provider.api_endpoint, self.environ
        )

    def views(self) -> list[InstanceView]:
        """One row per instance for the Instances screen and `instance list`."""
        rows: list[InstanceView] = []
        for instance in self.store.load():
            provider = self.catalog.get(instance.provider)
            endpoint = ""
            if provider is not None and provider.type in SUPPORTED_TYPES:
                endpoint = self.effective_endpoint(instance, provider)
            elif instance.endpoint:
                endpoint = instance.endpoint
            rows.append(
                InstanceView(
                    instance=instance,
                    provider_name=provider.display_name if provider else instance.provider,
                    provider_type=provider.type if provider else "?",
                    provider_known=provider is not None,
                    endpoint=endpoint,
                    endpoint_is_default=instance.endpoint is None,
                    key=self.key_status(instance),
                    status=self.state.status(instance.id),
                    model_count=len(self._models(instance, provider)) if provider else 0,
                    can_chat=provider is not None and provider.type in SUPPORTED_TYPES,
                )
            )
        return rows

    def key_status(self, instance: Instance) -> KeyStatus:
        return key_status(instance, self.credentials, self.environ)

    # -- changes -------------------------------------------------------------------------

    def add(self, instance: Instance, api_key: str | None = None) -> list[str]:
        """Add a new instance (never overwrites). Returns warnings worth showing."""
        provider = self.catalog.provider(instance.provider)
        if api_key is not None and instance.api_key_env:
            raise BadInputError("give either a stored key or an environment variable, not both")
        self.store.add(instance)
        if api_key is not None:
            try:
                self.credentials.save(instance.id, api_key)
            except BaseException:
                self.store.remove(instance.id)
                raise
        return self._warnings(instance, provider)

    def edit(
        self,
        instance_id: str,
        *,
        name: str | None = None,
        endpoint: str | None = None,
        timeout: float | None = None,
        api_key: str | None = None,
        api_key_env: str | None = None,
        headers: dict[str, str] | None = None,
        api_version: str | None = None,
        clear_key: bool = False,
        max_attempts: int | None = None,
        cloud: Mapping[str, str] | None = None,
    ) -> list[str]:
        """Change fields of an existing instance. An empty endpoint goes back to the default,
        and so does an empty cloud setting (region, aws_profile, project, location)."""
        if api_key is not None and api_key_env is not None:
            raise BadInputError("give either a stored key or an environment variable, not both")
        current = self.store.get(instance_id)
        data = current.model_dump()
        if name is not None:
            data["name"] = name
        if endpoint is not None:
            data["endpoint"] = endpoint or None
        if timeout is not None:
            data["timeout"] = timeout
        if headers is not None:
            data["headers"] = headers
        if api_version is not None:
            data["api_version"] = api_version or None
        if api_key_env is not None:
            data["api_key_env"] = api_key_env or None
        if max_attempts is not None:
            data["retry"] = {**current.retry.model_dump(), "max_attempts": max_attempts}
        for key, value in (cloud or {}).items():
            data[key] = value or None
        if api_key is not None or clear_key:
            data["api_key_env"] = None
        updated = validate_instance(data)
        if api_key is not None:
            self.credentials.save(instance_id, api_key)
        self.store.replace(updated)
        if api_key_env or clear_key:
            self.credentials.delete(instance_id)
        self.state.clear(instance_id)
        return self._warnings(updated, self.catalog.get(updated.provider))

    def remove(self, instance_id: str) -> None:
        """Delete an instance, its stored key, its test status and its discovered models."""
        self.store.remove(instance_id)
        self._models_cache(instance_id).unlink(missing_ok=True)

    def import_from_environment(self) -> list[Instance]:
        """First run only: instances referencing well-known key variables that are set."""
        return import_from_environment(
            self.store, self.state, self.catalog.providers.values(), self.environ
        )

    def _warnings(self, instance: Instance, provider: Provider | None) -> list[str]:
        warnings: list[str] = []
        if instance.api_key_env and not self.environ.get(instance.api_key_env):
            warnings.append(
                f"environment variable {instance.api_key_env} is not set now; "
                "it is read each time the instance is used"
            )
        if provider is not None and provider.type not in SUPPORTED_TYPES:
            warnings.append(
                f"provider type '{provider.type}' is not supported for chat yet; "
                "the instance is kept for when it is"
            )
        return warnings

    # -- the registry: clients, tests, models ----------------------------------------------

    def client_config(self, instance: Instance, provider: Provider) -> ClientConfig:
        if provider.type not in SUPPORTED_TYPES:
            raise UnsupportedProviderError(
                f"instance '{instance.id}': provider type '{provider.type}' is not supported "
                "for chat yet; the catalog stays browsable"
            )
        headers = dict(provider.default_headers)
        headers.update(instance.headers)
        api_key = resolve_api_key(instance, self.credentials, self.environ)
        settings = cloud_settings(instance, provider, self.environ)
        if api_key is None and provider.type == "bedrock":
            api_key = self.environ.get(bedrock.BEARER_TOKEN_VARIABLE, "").strip() or None
        return ClientConfig(
            provider_type=client_type(provider),
            base_url=self.effective_endpoint(instance, provider),
            api_key=api_key,
            headers=headers,
            timeout=instance.timeout,
            retry=instance.retry,
            label=instance.id,
            api_version=instance.api_version,
            responses_models=self._responses_models(instance, provider),
            remember_responses=functools.partial(self.state.remember_responses_model, instance.id),
            settings=settings,
        )

    def _responses_models(self, instance: Instance, provider: Provider) -> frozenset[str]:
        """The models sent to OpenAI's Responses API: by catalog `wire_api`, and those the
        instance's server said need it (remembered in the state file)."""
        found = {m.id for m in provider.models if m.wire_api == "responses"}
        found.update(self.state.responses_models(instance.id))
        return frozenset(found)

    def client(self, instance_id: str) -> ProviderClient:
        """A streaming client for the instance (UnsupportedProviderError for e.g. bedrock)."""
        return create_client(self.check_usable(instance_id))

    def check_usable(self, instance_id: str) -> ClientConfig:
        """The instance's client settings, raising what would stop a chat (unknown instance,
        unsupported type, unset key variable) without building an HTTP client."""
        instance = self.store.get(instance_id)
        return self.client_config(instance, self.provider_of(instance))

    async def test(self, instance_id: str) -> ConnectionStatus:
        """Send a real, cheap request and store the outcome with its time."""
        instance = self.store.get(instance_id)
        provider = self.provider_of(instance)
        started = time.perf_counter()
        try:
            client = create_client(self.client_config(instance, provider))
        except Exception as exc:  # key variable unset, unsupported type: still a test outcome
            message = str(exc)
            state: Literal["auth_failed", "error"] = (
                "auth_failed" if "environment variable" in message else "error"
            )
            status = ConnectionStatus(state=state, message=message, tested_at=now_iso())
        else:
            async with client:
                result = await client.test_connection()
            latency = result.latency_ms
            if latency is None:
                latency = (time.perf_counter() - started) * 1000
            status = ConnectionStatus(
                state=result.state, message=result.message, latency_ms=latency, tested_at=now_iso()
            )
        self.state.set_status(instance_id, status)
        return status

    async def login(
        self,
        instance_id: str,
        show: Callable[[DeviceCode], None],
        *,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """GitHub's device flow for a Copilot instance: get a code, `show` it to the user,
        wait until they have signed in, and store the GitHub token as the instance's key."""
        instance = self.store.get(instance_id)
        provider = self.provider_of(instance)
        if client_type(provider) != "copilot":
            raise BadInputError(
                f"instance '{instance_id}' ({provider.display_name}) does not sign in with "
                f"GitHub: give its key with `lace-tui instance edit {instance_id} --api-key-stdin`"
            )
        async with httpx.AsyncClient(timeout=instance.timeout) as http:
            code = await copilot.start_device_flow(http, instance_id)
            show(code)
            token = await copilot.poll_for_token(http, code, instance_id, sleep)
        self.edit(instance_id, api_key=token)

    def _models_cache(self, instance_id: str) -> Path:
        return self.paths.models_cache_dir / f"{instance_id}.json"

    def discovered(self, instance_id: str) -> DiscoveredModels | None:
        """The cached model list from the last discovery, if any (a broken cache is ignored)."""
        path = self._models_cache(instance_id)
        try:
            return DiscoveredModels.model_validate_json(path.read_bytes())
        except (OSError, ValidationError):
            return None

    async def refresh_models(self, instance_id: str) -> DiscoveredModels:
        """Ask the server for its models and cache the list with the time."""
        instance = self.store.get(instance_id)
        provider = self.provider_of(instance)
        async with create_client(self.client_config(instance, provider)) as client:
            found = await client.list_models()
        result = DiscoveredModels(fetched_at=now_iso(), models=found)
        try:
            atomic_write_text(self._models_cache(instance_id), result.model_dump_json(indent=1))
        except OSError as exc:
            raise StoredFileError(
                f"cannot write the model cache for '{instance_id}': {exc}"
            ) from exc
        return result

    def models(self, instance_id: str) -> list[InstanceModel]:
        """Catalog models, then discovered ones the catalog lacks, then custom ones."""
        instance = self.store.get(instance_id)
        return self._models(instance, self.provider_of(instance))

    def _models(self, instance: Instance, provider: Provider) -> list[InstanceModel]:
        instance_id = instance.id
        result: list[InstanceModel] = [
            InstanceModel(id=m.id, name=m.display_name, source="catalog", info=m)
            for m in provider.models
        ]
        seen = {m.id for m in result}
        cached = self.discovered(instance_id)
        for found in cached.models if cached else []:
            if found.id not in seen:
                seen.add(found.id)
                info = None
                if found.context_window:
                    info = Model(id=found.id, name=found.name, context_window=found.context_window)
                result.append(
                    InstanceModel(
                        id=found.id, name=found.name or found.id, source="discovered", info=info
                    )
                )
        for model_id in instance.extra_models:
            if model_id not in seen:
                seen.add(model_id)
                result.append(InstanceModel(id=model_id, name=model_id, source="custom"))
        return result

    def resolve_model(self, instance_id: str, model_id: str) -> InstanceModel:
        """The model if the instance offers it, else a NotFoundError that says how to refresh."""
        for model in self.models(instance_id):
            if model.id == model_id:
                return model
        raise NotFoundError(
            f"model '{model_id}' is not offered by instance '{instance_id}': see "
            f"`lace-tui instance models {instance_id} --refresh` to ask the server for its models"
        )


def client_type(provider: Provider) -> str:
    """The wire format of a provider: its catalog type, but Copilot's own for GitHub Copilot
    (Catwalk lists it as openai-compat; it needs a GitHub sign-in and a token exchange)."""
    return "copilot" if provider.id in copilot.PROVIDER_IDS else provider.type


def cloud_settings(
    instance: Instance, provider: Provider, environ: Mapping[str, str]
) -> dict[str, str]:
    """The instance's cloud settings, with what the vendors' own environment variables say
    (AWS_REGION, GOOGLE_CLOUD_PROJECT...) where the instance names nothing."""
    settings = instance.cloud_settings
    if provider.type == "bedrock":
        region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
        if region:
            settings["env_region"] = region
        settings["default_region"] = bedrock.DEFAULT_REGIONS.get(
            provider.id, bedrock.FALLBACK_REGION
        )
    elif provider.type == "google-vertex":
        for key, variable in (
            ("project", "GOOGLE_CLOUD_PROJECT"),
            ("location", "GOOGLE_CLOUD_LOCATION"),
        ):
            if key not in settings and environ.get(variable):
                settings[key] = environ[variable]
    return settings


def validate_instance(data: Mapping[str, object]) -> Instance:
    """Build an Instance from user input, turning validation errors into one clear line."""
    try:
        return Instance.model_validate(data)
    except ValidationError as exc:
        raise BadInputError(describe_invalid(exc)) from None
