"""`python -m cli.bench_stages`: every stage of both replayed flows is timed over bench
events."""

from __future__ import annotations

import json

import pytest

from cli.bench_stages import main


def test_each_stage_of_each_flow_is_timed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--events", "300", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert set(found) == {"scoring", "words"}
    for timed in found.values():
        assert set(timed) == {"open", "validate", "step", "write"}
        assert all(us > 0 for us in timed.values()), timed
