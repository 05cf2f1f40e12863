"""The catalog editor: your own providers and overrides, import/export, backups, updates.

Kept empty so the update flow (used by the app's automatic update too) is imported without
the editor screen."""
