"""`speech-coach stats --user ID [--json] [--chart FILE]`: a learner's progress from the
Postgres read models (what the bot's /stats shows)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import psycopg
from pydantic_settings import BaseSettings, SettingsConfigDict

from clients.settings import PostgresConnection
from reports.chart import render_chart
from reports.history import LearnerReport, load_report


class StatsSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SPEECH_COACH_", env_nested_delimiter="__", frozen=True, extra="ignore"
    )

    postgres: PostgresConnection = PostgresConnection()


def register(parser: argparse.ArgumentParser) -> None:
    stats = parser
    stats.add_argument("--user", required=True, help="learner id (Telegram user id or CLI id)")
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.add_argument("--chart", type=Path, help="also write the PNG chart here")
    stats.set_defaults(run=_run)


def report_json(report: LearnerReport) -> dict[str, Any]:
    return json.loads(json.dumps(asdict(report), default=str))  # type: ignore[no-any-return]


def _print(report: LearnerReport) -> None:
    print(f"Learner {report.user_id}: {len(report.points)} graded answers")
    if report.window:
        w = report.window
        print(
            f"Last {w.answers} answers (window {w.size}): overall {w.overall:.2f} · "
            f"delivery {w.delivery:.2f} · language use {w.language_use:.2f} · "
            f"topic development {w.topic_development:.2f}"
        )
        print(
            f"Last 7 days: overall {w.last_7_days_overall:.2f} over {w.last_7_days_count} answers"
            f" · trend {w.trend:+.2f} per answer · strongest {w.strongest} · weakest {w.weakest}"
        )
        if w.time_to_answer_median_s is not None:
            print(
                f"Median time to answer: {w.time_to_answer_median_s:.0f} s"
                " (from the question reaching the learner to the start of their speech)"
            )
    for point in report.points[-10:]:
        window = f"{point.window_overall:.2f}" if point.window_overall is not None else "-"
        print(f"  {point.answered_at:%Y-%m-%d %H:%M}  overall {point.overall}  window {window}")
    if report.vocabulary:
        v = report.vocabulary
        print(f"Vocabulary: {v.unique_total} distinct words; newest: {', '.join(v.newest[:10])}")


def _run(args: argparse.Namespace) -> int:
    settings = StatsSettings()
    with psycopg.connect(settings.postgres.dsn, connect_timeout=10) as conn:
        report = load_report(conn, args.user)
    if args.chart:
        args.chart.write_bytes(render_chart(report).png)
    if args.json:
        print(json.dumps(report_json(report), ensure_ascii=False))
    else:
        _print(report)
    return 0 if report.points else 1
