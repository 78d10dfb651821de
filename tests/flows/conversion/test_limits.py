"""run_limited bounds a child's wall time, CPU time and output; durations_agree's tolerance."""

from __future__ import annotations

import time

import pytest
from pydantic import ValidationError

from flows.conversion.limits import ConversionLimits, run_limited

ENDLESS_TONE = ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=f=440"]


def test_output_budget_stops_the_child() -> None:
    start = time.monotonic()
    run = run_limited(
        [*ENDLESS_TONE, "-f", "s16le", "pipe:1"],
        ConversionLimits(),
        timeout_s=10,
        max_stdout_bytes=100_000,
    )
    assert run.output_capped
    assert not run.timed_out
    assert len(run.stdout) == 100_000
    assert run.returncode < 0  # killed, not finished
    assert time.monotonic() - start < 5


def test_wall_clock_timeout_kills_the_child() -> None:
    start = time.monotonic()
    run = run_limited(["sleep", "30"], ConversionLimits(), timeout_s=0.3, max_stdout_bytes=10)
    assert run.timed_out
    assert not run.output_capped
    assert time.monotonic() - start < 2


def test_cpu_limit_stops_a_busy_child() -> None:
    limits = ConversionLimits(cpu_seconds=1)
    run = run_limited(
        [*ENDLESS_TONE, "-f", "null", "-"], limits, timeout_s=20, max_stdout_bytes=1000
    )
    assert run.cpu_exhausted
    assert not run.timed_out
    assert run.cpu_s < limits.cpu_seconds + 0.5


def test_address_space_limit_is_reported() -> None:
    run = run_limited(
        ["ffmpeg", "-version"],
        ConversionLimits(memory_bytes=32 * 1024 * 1024),
        timeout_s=10,
        max_stdout_bytes=100_000,
    )
    assert run.returncode != 0
    assert run.memory_exhausted


def test_a_normal_run_reports_its_usage() -> None:
    run = run_limited(
        ["ffmpeg", "-version"], ConversionLimits(), timeout_s=10, max_stdout_bytes=100_000
    )
    assert run.returncode == 0
    assert run.stdout.startswith(b"ffmpeg version")
    assert not run.timed_out
    assert not run.output_capped
    assert not run.cpu_exhausted
    assert not run.memory_exhausted
    assert 0 < run.peak_rss_bytes < ConversionLimits().memory_bytes


@pytest.mark.parametrize(
    ("reference", "measured", "agree"),
    [(10, 11.9, True), (10, 12.1, False), (10, 8.1, True), (10, 7.9, False),
     (30, 32.9, True), (30, 33.1, False), (0, 1.9, True), (0, 2.1, False)],
)  # fmt: skip
def test_durations_agree_within_two_seconds_or_ten_percent(
    reference: float, measured: float, agree: bool
) -> None:
    assert ConversionLimits().durations_agree(reference, measured) is agree


def test_decode_cap_is_one_second_past_the_limit() -> None:
    assert ConversionLimits(max_duration_s=120).decode_cap_s == 121


def test_limits_are_validated_and_frozen() -> None:
    with pytest.raises(ValidationError):
        ConversionLimits(max_bytes=0)
    limits = ConversionLimits()
    with pytest.raises(ValidationError):
        limits.max_bytes = 1  # type: ignore[misc]
