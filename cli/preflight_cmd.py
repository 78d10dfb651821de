"""`speech-coach preflight`: exits 1, naming each variable to fix, when the compose
deployment's passwords are missing, well known outside dev mode, or unusable.

The compose `preflight` service runs it before anything else starts."""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from cli.preflight import Mode, PreflightSettings, refusals

HOW_TO_FIX = (
    "Set new passwords in the environment or in your copy of .env "
    "(`openssl rand -hex 24` makes one that fits every service)."
)
DEV_HINT = "On a development machine, SPEECH_COACH_ENV=dev accepts .env's development passwords."


def register(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(run=_run)


def _run(_: argparse.Namespace) -> int:
    try:
        settings = PreflightSettings()
    except ValidationError as exc:
        # Field names are the variables' names in lower case.
        for error in exc.errors():
            variable = ".".join(str(part) for part in error["loc"]).upper()
            print(f"preflight: {variable}: {error['msg']}", file=sys.stderr)
        return 1
    found = refusals(settings)
    if found:
        print(
            f"preflight: refusing to start (SPEECH_COACH_ENV={settings.speech_coach_env}):",
            file=sys.stderr,
        )
        for problem in found:
            print(f"  - {problem}", file=sys.stderr)
        print(HOW_TO_FIX, file=sys.stderr)
        if settings.speech_coach_env is Mode.PRODUCTION:
            print(DEV_HINT, file=sys.stderr)
        return 1
    print(f"preflight: passwords accepted (SPEECH_COACH_ENV={settings.speech_coach_env})")
    return 0
