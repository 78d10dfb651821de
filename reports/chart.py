"""The /stats chart: each answer's overall score and the scoring flow's window average."""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display: render to bytes

import matplotlib.pyplot as plt

from reports.history import LearnerReport


@dataclass(frozen=True)
class ChartLabels:
    title: str = "Your scores"
    answer: str = "answer"
    score: str = "score (0-4)"
    overall: str = "overall"
    window: str = "average of the last {n}"


@dataclass(frozen=True)
class Chart:
    png: bytes
    # What was plotted, as (answer number, value): the test compares it with the answers.
    overall: tuple[tuple[int, float], ...]
    window: tuple[tuple[int, float], ...]


def render_chart(report: LearnerReport, labels: ChartLabels | None = None) -> Chart:
    labels = labels or ChartLabels()
    overall = tuple(
        (number, p.overall) for number, p in enumerate(report.points, 1) if p.overall is not None
    )
    window = tuple(
        (number, p.window_overall)
        for number, p in enumerate(report.points, 1)
        if p.window_overall is not None
    )
    size = report.window.size if report.window else 5
    figure, axes = plt.subplots(figsize=(6.4, 3.6), dpi=100)
    try:
        if overall:
            axes.plot(*zip(*overall, strict=True), "o", color="#1f77b4", label=labels.overall)
        if window:
            axes.plot(
                *zip(*window, strict=True), "-", color="#ff7f0e", label=labels.window.format(n=size)
            )
        axes.set_ylim(0, 4.2)
        axes.set_xlim(0.5, max(len(report.points), 1) + 0.5)
        axes.set_xlabel(labels.answer)
        axes.set_ylabel(labels.score)
        axes.set_title(labels.title)
        axes.grid(alpha=0.3)
        if overall or window:
            axes.legend(loc="lower right")
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    finally:
        plt.close(figure)
    return Chart(png=buffer.getvalue(), overall=overall, window=window)
