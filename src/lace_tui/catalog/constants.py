"""Catalog facts the app's first frame needs, kept free of pydantic (start-up budget).

`models.py` and `loader.py` re-export these under their usual names.
"""

from __future__ import annotations

import re
from typing import Final

# A provider id names files (user catalogs, backups): a slug, never a path. \Z, not $: `$`
# also matches before a final newline.
PROVIDER_ID_RE: Final = re.compile(r"\A[a-z0-9][a-z0-9._-]{0,62}\Z")
PROVIDER_ID_RULE: Final = (
    "1-63 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit"
)
# A user catalog file holds one provider (the largest shipped one is well under 1 MiB); a
# bigger file is not read at all, as a `catalog update` answer is capped.
MAX_USER_CATALOG_BYTES: Final = 16 * 1024 * 1024

# Catalog types with a streaming client; others stay browsable but cannot chat.
CHAT_TYPES: Final = frozenset(
    {"anthropic", "openai", "openai-compat", "openrouter", "vercel", "azure", "google", "ollama"}
)

# The file `catalog update` writes in `Paths.catalog_update_dir`.
UPDATE_FILE_NAME: Final = "providers.json"


def is_catalog_file_name(name: str) -> bool:
    """A `*.json` entry of a catalog directory that is read; hidden ones (editor and temp
    files) are not."""
    return name.endswith(".json") and not name.startswith(".")
