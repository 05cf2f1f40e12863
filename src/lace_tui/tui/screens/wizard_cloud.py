"""The parts of the instance wizard that depend on the provider type: the cloud settings of
Bedrock (region, AWS profile) and Vertex AI (project, location), and GitHub's sign-in for
Copilot. The wizard calls these from a few places; the fields live here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from lace_tui.catalog.models import Provider
    from lace_tui.instances.models import Instance

# Instance field → (label, placeholder), for the types that need them.
FIELDS: Final = {
    "region": ("AWS region", "empty: AWS_REGION, the profile's, or the provider's default"),
    "aws_profile": ("AWS profile", "empty: the default AWS credential chain"),
    "project": ("GCP project", "the Google Cloud project id (or $GOOGLE_CLOUD_PROJECT)"),
    "location": ("Location", "empty: global (or $GOOGLE_CLOUD_LOCATION)"),
}
BY_TYPE: Final = {"bedrock": ("region", "aws_profile"), "google-vertex": ("project", "location")}
# What each cloud type's key is, for the wizard's provider line.
KEY_NOTES: Final = {
    "bedrock": "key: a Bedrock API key, or none to use the AWS credential chain",
    "google-vertex": "key: an access token, or none to use Application Default Credentials",
    "copilot": "no key: after saving, sign in with GitHub (s)",
}


def compose_fields() -> ComposeResult:
    """One row per cloud setting, hidden until a provider type needs it."""
    for field, (label, placeholder) in FIELDS.items():
        with Horizontal(classes="field", id=f"row-{field}"):
            yield Label(label, classes="field-label")
            yield Input(id=f"wiz-{field}", placeholder=placeholder, compact=True)


def wire_type(provider: Provider) -> str:
    from lace_tui.services.instance_service import client_type

    return client_type(provider)


def show_fields(screen: DOMNode, provider: Provider | None) -> None:
    """Show the settings the provider's type needs, hide the others."""
    wanted = BY_TYPE.get(wire_type(provider), ()) if provider is not None else ()
    for field in FIELDS:
        screen.query_one(f"#row-{field}").display = field in wanted


def load_fields(screen: DOMNode, instance: Instance) -> None:
    settings = instance.cloud_settings
    for field in FIELDS:
        screen.query_one(f"#wiz-{field}", Input).value = settings.get(field, "")


def field_values(screen: DOMNode, provider: Provider | None) -> dict[str, str]:
    """The settings of the provider's type as typed ('' for an empty one)."""
    wanted = BY_TYPE.get(wire_type(provider), ()) if provider is not None else ()
    return {field: screen.query_one(f"#wiz-{field}", Input).value.strip() for field in wanted}
