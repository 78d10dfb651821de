"""Which offset may be committed when messages of a partition finish out of order.

Replies to different chats are sent concurrently, so a later message of a partition can be
done before an earlier one. Committing its offset would mark the earlier one as done too;
a crash would then lose that reply. The committable offset is therefore the first one not
yet finished, per partition.
"""

from __future__ import annotations

from collections import defaultdict

Partition = tuple[str, int]  # topic, partition


class CommitTracker:
    def __init__(self) -> None:
        # Offsets in the order they were started (consumption order); True once finished.
        self._pending: defaultdict[Partition, dict[int, bool]] = defaultdict(dict)

    def start(self, partition: Partition, offset: int) -> None:
        self._pending[partition][offset] = False

    def finish(self, partition: Partition, offset: int) -> int | None:
        """The offset to commit now (the next to read), or None if nothing new may be."""
        pending = self._pending[partition]
        if offset not in pending:
            raise KeyError(f"offset {offset} of {partition} was not started")
        pending[offset] = True
        committable = None
        while pending:
            first = next(iter(pending))
            if not pending[first]:
                break
            del pending[first]
            committable = first + 1
        return committable

    def in_flight(self) -> int:
        return sum(len(p) for p in self._pending.values())
