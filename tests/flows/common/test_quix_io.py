"""A Quix flow stopped by a consumer error exits within its bound even when stopping hangs,
so its supervisor starts a fresh process (a real child process, really hanging)."""

from __future__ import annotations

import subprocess
import sys
import time

from stack.settings import REPO_ROOT

HANGS = """
import logging, time
from flows.common.quix_io import stop_within
suppressed = stop_within({bound})(SystemError("consume() returned NULL"), None, logging.getLogger())
print("suppressed" if suppressed else "stopping", flush=True)
time.sleep(60)  # as Consumer.close() did
"""


def test_a_flow_that_hangs_while_stopping_exits_within_the_bound() -> None:
    started = time.monotonic()
    child = subprocess.run(
        [sys.executable, "-c", HANGS.format(bound=1.0)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    took = time.monotonic() - started
    assert child.stdout.strip() == "stopping"  # the error is not swallowed: the flow stops
    assert child.returncode == 1
    assert took < 20, took  # the bound, not the 60 s hang
    assert "did not stop within 1 s" in child.stderr
