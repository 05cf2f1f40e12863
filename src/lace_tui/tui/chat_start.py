"""Start a chat with a catalog model: find (or create) an instance of its provider, make a
session with one agent on that (instance, model), and show it in the chat section."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lace_tui.tui.app import LaceApp


async def start_chat(app: LaceApp, provider_id: str, model_id: str) -> str | None:
    """Run from a worker: may ask which instance (or open the wizard). Returns the session id.

    Raises LaceError subclasses for the caller to report; returns None when the user cancels.
    """
    from lace_tui.tui.screens.pick_instance import PickInstanceScreen
    from lace_tui.tui.screens.wizard import WizardScreen

    services = app.services
    provider = services.catalog.provider(provider_id)
    if not provider.can_chat:
        app.notify(
            f"lace-tui cannot chat with '{provider.type}' providers yet; "
            "pick a model of another provider",
            severity="warning",
        )
        return None
    instances = [
        instance
        for instance in await asyncio.to_thread(services.instances.all)
        if instance.provider == provider_id
    ]
    instance_id: str | None
    if not instances:
        app.notify(f"No instance of {provider.display_name} yet: add one first")
        instance_id = await app.push_screen_wait(WizardScreen(services, provider_id=provider_id))
    elif len(instances) == 1:
        instance_id = instances[0].id
    else:
        instance_id = await app.push_screen_wait(PickInstanceScreen(instances, model_id))
    if instance_id is None:
        return None
    session = await asyncio.to_thread(services.chat.ensure_session, None)
    await asyncio.to_thread(services.chat.add_agent, session.id, instance_id, model_id)
    app.open_chat(session.id)
    return session.id
