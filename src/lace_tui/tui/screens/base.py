"""What every section screen shares: the section bar, the app's services, a how-to for help."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.dom import DOMNode
from textual.screen import Screen

if TYPE_CHECKING:
    from lace_tui.services.app_services import Services
    from lace_tui.tui.app import LaceApp


def lace_app(node: DOMNode) -> LaceApp:
    """The running LaceApp (screens are only ever shown by it)."""
    from lace_tui.tui.app import LaceApp

    app = node.app
    if not isinstance(app, LaceApp):  # pragma: no cover - a programming error
        raise TypeError("lace-tui screens run inside LaceApp")
    return app


class LaceScreen(Screen[None]):
    """A screen of the app. `HOWTO` is the short text the help screen shows above the keys."""

    HOWTO: ClassVar[str] = ""
    SECTION: ClassVar[str] = ""

    @property
    def lace(self) -> LaceApp:
        return lace_app(self)

    @property
    def services(self) -> Services:
        return self.lace.services
