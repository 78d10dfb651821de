"""A learner's report from the Postgres read models, and its chart."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import matplotlib.image
import psycopg
import pytest

from reports.chart import render_chart
from reports.history import load_report
from stack.settings import REPO_ROOT, StackSettings
from tests.pipeline import readmodels_database

pytestmark = pytest.mark.stack

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
OVERALL = [1.5, 2.0, 2.4, 2.2, 3.1, 3.4]


@pytest.fixture
def dsn(stack: StackSettings) -> Iterator[str]:
    """A read-model database holding one learner's rows, as the JDBC sink writes them."""
    with readmodels_database(stack) as dsn:
        with psycopg.connect(dsn, autocommit=True) as conn:
            for index, overall in enumerate(OVERALL):
                recent = OVERALL[max(0, index - 4) : index + 1]
                conn.execute(
                    "INSERT INTO rm_scores VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    ("u9", f"a{index}", T0 + timedelta(days=index), 2, 2, 2, overall,
                     round(sum(recent) / len(recent), 3)),
                )  # fmt: skip
            conn.execute(
                "INSERT INTO rm_progress VALUES ('u9', 'a5', 5, 5, 2.5, 2.6, 2.7, 2.62, 2.8, 3,"
                " 0.35, 'topic_development', 'delivery', 21.5, now())"
            )
            conn.execute(
                "INSERT INTO rm_vocabulary VALUES ('u9', 42, 'city:5,job:3', 'museum,concert',"
                " now())"
            )
        yield dsn


def test_chart_plots_every_answer_and_the_window_average(dsn: str) -> None:
    with psycopg.connect(dsn) as conn:
        report = load_report(conn, "u9")
    chart = render_chart(report)
    assert chart.png.startswith(b"\x89PNG\r\n\x1a\n")
    pixels = matplotlib.image.imread(io.BytesIO(chart.png), format="png")
    assert pixels.shape[0] > 100
    assert pixels.shape[1] > 100
    assert [value for _, value in chart.overall] == OVERALL
    assert [number for number, _ in chart.overall] == list(range(1, len(OVERALL) + 1))
    assert [value for _, value in chart.window] == [p.window_overall for p in report.points]
    assert report.vocabulary is not None
    assert report.vocabulary.newest == ("museum", "concert")
    assert report.vocabulary.top == (("city", 5), ("job", 3))


def test_stats_cli_prints_the_report_as_json(dsn: str, tmp_path: object) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "stats", "--user", "u9", "--json"],
        cwd=REPO_ROOT, env={"SPEECH_COACH_POSTGRES__DSN": dsn, "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert [p["overall"] for p in out["points"]] == OVERALL
    assert out["window"]["strongest"] == "topic_development"
    assert out["vocabulary"]["unique_total"] == 42


def test_unknown_learner_has_an_empty_report(dsn: str) -> None:
    with psycopg.connect(dsn) as conn:
        report = load_report(conn, "nobody")
    assert report.points == ()
    assert report.window is None
    assert render_chart(report).overall == ()
