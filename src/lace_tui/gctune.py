"""When the cyclic garbage collector waits (one module for every such choice).

Loading the catalog, importing Textual and building the first screen allocate many objects
that live on and hold no reference cycles: the collector's passes over them find nothing to
free and cost time a person waits for (figures at each use below, measured with the benches
in bench/). Kept free of imports: the app's start-up imports it first.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Pause the collector for the block (catalog loading: validation allocates dozens of
    objects per model, none in cycles; the collector's passes cost about 40% of the load time
    and made it grow faster than linearly, bench/bench_catalog.py)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def imports_set_aside() -> Iterator[None]:
    """For importing asyncio and Textual, most of the app's start-up.

    That allocates tens of thousands of objects that all live on, so the collector's passes
    over them (~8 ms of a start) find nothing to free. It is paused meanwhile, and what the
    imports made is set aside (`gc.freeze`) so that its first pass afterwards does not scan it
    all at once; `resume_after_first_frame` hands it back.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def pause_until_first_frame() -> bool:
    """Pause the collector while the first screen is built (tens of thousands of short-lived
    styles, strips and segments: ~2-3 ms of start-up). True when it was running."""
    if not gc.isenabled():
        return False
    gc.disable()
    return True


def resume_after_first_frame(was_running: bool) -> None:
    """Hand back what `imports_set_aside` froze, and restart the collector if it ran."""
    gc.unfreeze()
    if was_running:
        gc.enable()
