"""`lace-tui instance login ID`: GitHub's device flow for a Copilot instance."""

from __future__ import annotations

import asyncio
import sys

from lace_tui.cli_commands.output import note
from lace_tui.services.app_services import Services
from lace_tui.services.instance_service import DeviceCode


def _plain(text: str) -> str:
    """Outside text without control characters (the one place this command prints any; the
    shared sanitiser can take its place)."""
    return "".join(char for char in text if char.isprintable())


def login(instance_id: str, services: Services) -> int:
    """Show GitHub's code and URL, wait for the sign-in, store the token."""

    def show(code: DeviceCode) -> None:
        sys.stdout.write(
            f"Open {_plain(code.verification_uri)} and enter the code {_plain(code.user_code)}\n"
        )
        sys.stdout.flush()
        note("waiting for the sign-in (Ctrl-C to give up)...")

    asyncio.run(services.instances.login(instance_id, show))
    note(f"signed in: instance '{instance_id}' can chat with GitHub Copilot")
    return 0
