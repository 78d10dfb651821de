"""`speech-coach validate [--voices V ...] [--json]`: synthetic answers, each with one controlled
change, through the real flows; a table of how each rubric dimension moved (cli/validate.py).
Exits 0 when every variant passes, 1 when one does not, 2 when the suite cannot run."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cli.practice_cmd import PracticeSettings
from cli.validate import (
    DEFAULT_VOICES,
    INTENDED_DROP,
    OTHERS_MOVE,
    RATE_TARGET,
    Report,
    ValidateError,
    run_suite,
)
from clients.kafka import DeliveryFailed


def register(parser: argparse.ArgumentParser) -> None:
    validate = parser
    validate.add_argument(
        "--voices", nargs="+", default=list(DEFAULT_VOICES), metavar="VOICE",
        help=f"espeak-ng voices (`espeak-ng --voices=en`; default {' '.join(DEFAULT_VOICES)})",
    )  # fmt: skip
    validate.add_argument(
        "--user", default="validate", help="prefix of the learner ids (default validate)"
    )
    validate.add_argument(
        "--workers", type=int, default=3, help="answers in flight at once (default 3)"
    )
    validate.add_argument(
        "--keep-audio", type=Path, metavar="DIR", help="write the synthesized answers here"
    )
    validate.add_argument("--json", action="store_true", help="print one JSON object")
    validate.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    settings = PracticeSettings()
    try:
        report = run_suite(
            args.voices, kafka=settings.kafka, s3=settings.s3,
            namespace=settings.topic_namespace, user=args.user, timeout_s=settings.timeout_s,
            workers=args.workers, workdir=args.keep_audio,
            progress=lambda line: print(line, file=sys.stderr, flush=True),
        )  # fmt: skip
    except (ValidateError, DeliveryFailed) as exc:
        if args.json:
            print(json.dumps({"error": {"code": "not_run", "message": str(exc)}}))
        else:
            print(f"validate could not run: {exc}")
        return 2
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(render(report))
    return 0 if report.passed else 1


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}"


def render(report: Report) -> str:
    """The table, each answer's rate and recogniser figures, and the verdict, as text."""
    lines = [
        f"Question {report.question_id}; pass: the intended dimension drops by "
        f">= {INTENDED_DROP}, the others move by <= {OTHERS_MOVE}.",
        "",
        f"{'voice':<12}{'variant':<13}{'intended':<19}{'Δdelivery':>10}{'Δlanguage':>10}"
        f"{'Δtopic':>8}  pass",
    ]
    for row in report.rows:
        moved = row.moved or {}
        lines.append(
            f"{row.voice:<12}{row.variant:<13}{row.dimension:<19}"
            f"{_signed(moved.get('delivery')):>10}{_signed(moved.get('language_use')):>10}"
            f"{_signed(moved.get('topic_development')):>8}  {'yes' if row.passed else 'NO'}"
        )
    lines += [
        "",
        f"Speaking rate (target: within ±{RATE_TARGET:.0%} of the true rate) and scores:",
        f"{'voice':<12}{'variant':<13}{'words':>6}{'span s':>8}{'true':>7}{'measured':>9}"
        f"{'error':>8}  {'met':<4}{'D':>5}{'L':>5}{'T':>5}{'WER':>7}  notes",
    ]
    for answer in report.answers():
        head = (
            f"{answer['voice']:<12}{answer['variant']:<13}{answer['words']:>6}"
            f"{answer['speech_s']:>8.1f}{answer['true_wpm']:>7.1f}"
        )
        if answer["error"] is not None:
            lines.append(f"{head}  {answer['error']}")
            continue
        scores = answer["scores"]
        notes = []
        if "fillers_spoken" in answer:
            notes.append(
                f"fillers heard {answer['metrics']['filler_count']}/{answer['fillers_spoken']}"
            )
        if "grammar_errors_heard" in answer:
            notes.append(
                f"errors in the transcript {answer['grammar_errors_heard']}"
                f"/{answer['grammar_errors_spoken']}"
            )
        if answer.get("grammar_errors_found"):
            notes.append(f"grammar errors found: {', '.join(answer['grammar_errors_found'])}")
        lines.append(
            f"{head}{answer['measured_wpm']:>9.1f}{answer['rate_error']:>+8.1%}  "
            f"{'yes' if answer['rate_within_target'] else 'NO':<4}"
            f"{scores['delivery']:>5.1f}{scores['language_use']:>5.1f}"
            f"{scores['topic_development']:>5.1f}{answer['wer']:>7.1%}  {'; '.join(notes)}"
        )
    lines += ["", "Word error rate per voice, pooled over its answers:"]
    for voice, wer in report.wer.items():
        lines.append(f"  {voice}: {wer.rate:.1%} ({wer.edits} edits / {wer.reference_words} words)")
    lines.append("")
    if report.passed:
        lines.append(f"All {len(report.rows)} variants passed ({report.elapsed_s:.0f} s).")
    else:
        lines.append(
            f"{len(report.failed)} of {len(report.rows)} variants failed "
            f"({report.elapsed_s:.0f} s):"
        )
        lines += [f"  {failure}" for failure in report.failed]
    return "\n".join(lines)
