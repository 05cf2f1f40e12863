"""Typed errors. Each carries one line a person can act on: what failed, where, what to do.

The CLI prints `error: <message>` and exits with `exit_code`; the app shows the message.
No message ever contains a secret.
"""

from __future__ import annotations

from lace_tui.redact import redact

EXIT_OK = 0
EXIT_FAILURE = 1  # the provider, the network or a stored file is at fault
EXIT_BAD_INPUT = 2


class LaceError(Exception):
    """Base of every error lace-tui reports to a person."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str) -> None:
        message = redact(message)  # whatever built the message, no key leaves in it
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BadInputError(LaceError):
    """The user asked for something invalid (flag, form field, id, file content to import)."""

    exit_code = EXIT_BAD_INPUT


class NotFoundError(BadInputError):
    """A named thing (provider, model, instance, session, agent) does not exist."""


class StoredFileError(LaceError):
    """A file of ours on disk cannot be read or written (corrupt, wrong mode, I/O error)."""


class ProviderError(LaceError):
    """A provider request failed. `retryable` says whether another attempt may succeed."""

    retryable = False


class AuthError(ProviderError):
    """The provider rejected the key (401/403) or no key is available."""


class ModelNotFoundError(ProviderError):
    """The provider does not know the model (404 on the model)."""


class RateLimitError(ProviderError):
    retryable = True


class QuotaExceededError(ProviderError):
    """Out of credit or quota: retrying will not help."""


class OverloadedError(ProviderError):
    retryable = True


class ServerError(ProviderError):
    retryable = True


class UnreachableError(ProviderError):
    retryable = True


class ProviderTimeoutError(ProviderError):
    retryable = True


class StreamCutError(ProviderError):
    """The stream ended or broke before the provider said it was finished."""


class ProviderRequestError(ProviderError):
    """The provider refused the request as malformed (400 and the like) or sent an error event."""


class UnsupportedProviderError(ProviderError):
    """The catalog type has no client yet (bedrock, google-vertex)."""

    exit_code = EXIT_BAD_INPUT


class ContextOverflowError(BadInputError):
    """The conversation no longer fits the model's context window."""
