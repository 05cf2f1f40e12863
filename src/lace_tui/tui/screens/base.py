"""What every section screen shares: the section bar, the app's services, a how-to for help."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.dom import DOMNode
from textual.screen import Screen

if TYPE_CHECKING:
    from lace_tui.services.app_services import Services
    from lace_tui.tui.app import LaceApp


def lace_app(node: DOMNode) -> LaceApp:
    """The running LaceApp (screens are only ever shown by it).

    A cast, not an import: the app imports the screens, so a screen importing the app would
    close a cycle."""
    return cast("LaceApp", node.app)


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
