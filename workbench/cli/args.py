"""Declaring a command group's actions in a line each."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

Handler = Callable[..., None]


def actions(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    return parser.add_subparsers(dest="command", metavar="ACTION", required=True)


def action(group: argparse._SubParsersAction, name: str, handler: Handler, help_text: str,
           common: argparse.ArgumentParser, **kwargs: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = group.add_parser(name, help=help_text, parents=[common],
                                                       **kwargs)
    parser.set_defaults(handler=handler)
    return parser
