"""The heap of a flow process, settled before it starts processing events."""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """Moves everything built so far (modules, models, spaCy's tables) out of the garbage
    collector's sight: it is never garbage, and the collector's full passes over it cost
    replay throughput (measured by `speech-coach bench --part replay`)."""
    gc.collect()
    gc.freeze()
