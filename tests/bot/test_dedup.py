"""An update is handled successfully at most once; a failed one is handled again."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiogram.types import TelegramObject, Update

from bot.dedup import SeenUpdates


class Handler:
    def __init__(self, fail_first: bool = False, delay_s: float = 0.0) -> None:
        self.calls = 0
        self.fail_first = fail_first
        self.delay_s = delay_s

    async def __call__(self, _event: TelegramObject, _data: dict[str, Any]) -> str:
        self.calls += 1
        await asyncio.sleep(self.delay_s)
        if self.fail_first and self.calls == 1:
            raise RuntimeError("the broker did not ack")
        return "handled"


def _run(*coroutines: Any) -> list[Any]:
    async def both() -> list[Any]:
        return await asyncio.wait_for(
            asyncio.gather(*coroutines, return_exceptions=True), timeout=5
        )

    return asyncio.run(both())


def test_a_repeated_update_is_skipped() -> None:
    seen, handler = SeenUpdates(), Handler()
    results = _run(seen(handler, Update(update_id=1), {}))
    results += _run(seen(handler, Update(update_id=1), {}), seen(handler, Update(update_id=2), {}))
    assert results == ["handled", None, "handled"]
    assert handler.calls == 2


def test_a_copy_arriving_while_the_first_runs_waits_for_it_then_is_skipped() -> None:
    seen, handler = SeenUpdates(), Handler(delay_s=0.2)
    results = _run(seen(handler, Update(update_id=5), {}), seen(handler, Update(update_id=5), {}))
    assert sorted(map(str, results)) == ["None", "handled"]
    assert handler.calls == 1


def test_a_failed_update_is_not_remembered_so_its_redelivery_is_handled() -> None:
    seen, handler = SeenUpdates(), Handler(fail_first=True)
    [failure] = _run(seen(handler, Update(update_id=9), {}))
    assert isinstance(failure, RuntimeError)
    assert 9 not in seen
    assert _run(seen(handler, Update(update_id=9), {})) == ["handled"]
    assert 9 in seen


def test_a_copy_waiting_on_a_failed_first_attempt_handles_it_itself() -> None:
    seen, handler = SeenUpdates(), Handler(fail_first=True, delay_s=0.1)
    results = _run(seen(handler, Update(update_id=3), {}), seen(handler, Update(update_id=3), {}))
    assert isinstance(results[0], RuntimeError)
    assert results[1] == "handled"
    assert handler.calls == 2


def test_ids_are_a_bounded_set_not_a_high_water_mark() -> None:
    seen, handler = SeenUpdates(capacity=3), Handler()
    for update_id in (10, 5, 7, 8):  # out of order, as concurrent chats finish
        _run(seen(handler, Update(update_id=update_id), {}))
    assert 10 not in seen  # the oldest remembered is forgotten first
    assert {5, 7, 8} == {i for i in (5, 7, 8, 10) if i in seen}
    assert _run(seen(handler, Update(update_id=6), {})) == ["handled"]  # below the max


@pytest.mark.parametrize("update_id", [0, 2**40])
def test_any_update_id_is_accepted(update_id: int) -> None:
    assert _run(SeenUpdates()(Handler(), Update(update_id=update_id), {})) == ["handled"]
