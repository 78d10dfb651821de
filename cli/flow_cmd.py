"""`speech-coach flow NAME`: run one dataflow in the foreground until stopped."""

from __future__ import annotations

import argparse
import importlib
import logging

from flows.registry import FLOWS


def register(parser: argparse.ArgumentParser) -> None:
    flow = parser
    flow.add_argument("name", choices=list(FLOWS))
    flow.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    module = importlib.import_module(f"flows.{args.name}.dataflow")
    module.main()
    return 0
