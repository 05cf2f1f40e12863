"""Optional vendor libraries (botocore for AWS, google-auth for Google Cloud), imported only
when an instance of such a type is used, so start-up and `catalog list` never pay for them."""

from __future__ import annotations

import importlib
from types import ModuleType

from lace_tui import errors

# The pip extra that installs each optional package, and what it is for.
EXTRAS = {"botocore": ("aws", "AWS Bedrock"), "google": ("gcp", "Google Vertex AI")}


def require(module: str, label: str) -> ModuleType:
    """Import `module`, or say in one line which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        extra, what = EXTRAS[module.split(".")[0]]
        raise errors.UnsupportedProviderError(
            f"instance '{label}': {what} needs the optional '{extra}' support: "
            f"pip install 'lace-tui[{extra}]'"
        ) from None
