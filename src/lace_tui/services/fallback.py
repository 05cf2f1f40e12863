"""Fallback across instances (#15): when a request fails after its retries in a way another
instance may not (rate limit, overload, server error, timeout), the same model id is tried on
the instance's fallbacks, in their order. Auth and bad-request errors never fall back: the
same request would fail the same way, or it is the user's key that needs fixing."""

from __future__ import annotations

from lace_tui.errors import (
    LaceError,
    OverloadedError,
    ProviderTimeoutError,
    RateLimitError,
    ServerError,
)
from lace_tui.services.instance_service import InstanceService

FALLBACK_ERRORS = (RateLimitError, OverloadedError, ServerError, ProviderTimeoutError)


def worth_falling_back(error: LaceError) -> bool:
    """Whether another instance might answer what this one failed."""
    return isinstance(error, FALLBACK_ERRORS)


def fallback_chain(instances: InstanceService, instance_id: str, model_id: str) -> list[str]:
    """The instance's fallbacks, in order, that offer `model_id` and could chat now (a
    fallback that was removed, lost the model or has no key is passed over)."""
    chain: list[str] = []
    for candidate in instances.get(instance_id).fallbacks:
        try:
            instances.resolve_model(candidate, model_id)
            instances.check_usable(candidate)
        except LaceError:
            continue
        chain.append(candidate)
    return chain


def failure_line(instance_id: str, error: LaceError) -> str:
    """How one failed instance is recorded on the reply (`Message.failed_over`)."""
    return f"{instance_id}: {error.message}"
