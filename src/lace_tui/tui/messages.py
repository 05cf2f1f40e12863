"""Messages the app posts to its screens when shared data changes."""

from __future__ import annotations

from textual.message import Message


class CatalogReady(Message):
    """The catalog has been loaded (or reloaded): screens that show it can fill in."""


class InstancesChanged(Message):
    """Instances were added, edited, removed or tested: lists that show them refresh."""
