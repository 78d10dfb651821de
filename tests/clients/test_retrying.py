"""`clients.kafka.retrying`: what a freshly created topic answers is waited out, nothing else."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from confluent_kafka import KafkaError, KafkaException

from clients.kafka import retrying


def _failing(code: int, times: int) -> Callable[[], int]:
    calls: list[int] = []

    def call() -> int:
        calls.append(1)
        if len(calls) <= times:
            # As a watermark query raises it: not flagged retriable by librdkafka.
            raise KafkaException(KafkaError(code))
        return len(calls)

    return call


@pytest.mark.parametrize(
    "code", [KafkaError.NOT_LEADER_FOR_PARTITION, KafkaError.LEADER_NOT_AVAILABLE]
)
def test_a_topic_without_a_leader_yet_is_asked_again(code: int) -> None:
    assert retrying(_failing(code, 2), timeout_s=5) == 3


def test_other_errors_are_raised_at_once() -> None:
    with pytest.raises(KafkaException):
        retrying(_failing(KafkaError.TOPIC_AUTHORIZATION_FAILED, 1), timeout_s=5)
