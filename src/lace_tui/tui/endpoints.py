"""The endpoint a provider's instances use by default, as the screens show it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lace_tui.errors import LaceError

if TYPE_CHECKING:
    from lace_tui.catalog.models import Provider
    from lace_tui.services.app_services import Services


def default_endpoint(services: Services, provider: Provider) -> str:
    """The URL an instance of `provider` talks to when it sets no endpoint (a catalog `$VAR`
    read from the environment, else the vendor default); the catalog's text when there is none."""
    from lace_tui.instances.models import Instance

    probe = Instance(id="probe", provider=provider.id)
    try:
        return services.instances.effective_endpoint(probe, provider)
    except LaceError:
        return provider.api_endpoint
