"""Catalog facts the app's first frame needs, kept free of pydantic (start-up budget).

`models.py` and `loader.py` re-export these under their usual names.
"""

from __future__ import annotations

from typing import Final

# Catalog types with a streaming client; others stay browsable but cannot chat.
CHAT_TYPES: Final = frozenset(
    {
        "anthropic",
        "openai",
        "openai-compat",
        "openrouter",
        "vercel",
        "azure",
        "google",
        "ollama",
        "bedrock",
        "google-vertex",
        "copilot",
    }
)

# The file `catalog update` writes in `Paths.catalog_update_dir`.
UPDATE_FILE_NAME: Final = "providers.json"


def is_catalog_file_name(name: str) -> bool:
    """A `*.json` entry of a catalog directory that is read; hidden ones (editor and temp
    files) are not."""
    return name.endswith(".json") and not name.startswith(".")
