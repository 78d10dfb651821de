"""`speech-coach credits grant` puts a top-up on the ledger the flows fold."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from schemas.events import CreditEvent
from stack.settings import REPO_ROOT, StackSettings
from tests.pipeline import Pipeline

pytestmark = pytest.mark.stack


def _grant(pipeline: Pipeline, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "credits", "grant", *args],
        cwd=REPO_ROOT, env=pipeline.env(), capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip


def test_a_grant_is_a_top_up_on_the_ledger(
    stack: StackSettings, unique: str, tmp_path: Path
) -> None:
    pipeline = Pipeline(stack, f"cr{unique}-", tmp_path)
    granted = _grant(pipeline, "--user", "42", "--amount", "5", "--grant-id", "welcome-42")
    assert granted.returncode == 0, granted.stderr
    [event] = pipeline.collect(CreditEvent, until=lambda events: len(events) >= 1, timeout_s=30)
    assert (event.user_id, event.kind, event.amount, event.event_id) == (
        "42",
        "top_up",
        5,
        "grant-welcome-42",
    )
    refused = _grant(pipeline, "--user", "42", "--amount", "0")
    assert refused.returncode == 2
    assert "positive" in refused.stdout
