"""`workbench`: find the command, import its module, run it, map errors to exit codes.

Every command takes --data-dir and --json; with --json it prints exactly one JSON document. No
command's module is imported before it is asked for: the registry below names each command's
module and one line of help, which is all `workbench --help` needs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

from workbench.cli.errors import EXIT_INVALID, EXIT_OK, exit_code_of

# command -> (module in workbench.cli, one line of help)
COMMANDS: dict[str, tuple[str, str]] = {
    "accounts": ("accounts", "customer accounts"),
    "contacts": ("contacts", "customer contacts"),
    "registrations": ("registrations", "deal registrations"),
    "cases": ("cases", "support cases"),
    "leads": ("leads", "leads the vendor assigned to you (48-hour first-contact SLA)"),
    "opportunities": ("opportunities", "opportunities (read-only; the vendor updates them)"),
    "commissions": ("commissions", "commissions on your closed deals: earned, coming, paid"),
    "mdf": ("mdf", "market development funds: request, claim with proof, follow to paid"),
    "attachments": ("attachments", "files attached to records (MDF proof)"),
    "content": ("content", "the vendor's content library (price lists, decks, assets)"),
    "conflicts": ("conflicts", "fields changed both here and by the vendor or a colleague"),
    "login": ("sync", "sign in to the vendor server"),
    "logout": ("sync", "forget the access token on this computer"),
    "sync": ("sync", "send your edits and receive the vendor's changes"),
    "status": ("sync", "unsent edits, rejected edits with reasons, open conflicts, last sync"),
    "scorecard": ("scorecard", "the partner scorecard, computed from local data"),
    "certifications": ("certifications", "your people's certifications and training, what the "
                                         "next tier needs"),
    "export": ("export", "export every record and the edit history (JSON, CSV)"),
}
_VALUE_OPTIONS = ("--data-dir",)  # top-level options followed by a value


def common_options() -> argparse.ArgumentParser:
    """--data-dir and --json, accepted before or after any command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS, metavar="DIR",
                        help="folder of the local store (default: WORKBENCH_DATA_DIR or the "
                             "user data folder)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print one JSON document")
    return common


def _command_in(argv: Sequence[str]) -> str | None:
    """The command named on the line, looking past the top-level options."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _VALUE_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


class _Version(argparse.Action):
    """--version reads the installed package's metadata only when asked."""

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kwargs: Any) -> None:
        from workbench import __version__
        print(f"workbench {__version__}")
        parser.exit()


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; the arguments of `command` (and only its) come from its module."""
    common = common_options()
    parser = argparse.ArgumentParser(prog="workbench", parents=[common],
                                     description="Partner Workbench: deal registrations, "
                                                 "accounts, leads and cases — offline.")
    parser.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    parser.add_argument("--demo", action="store_true", help="open the workbench with a demo vendor")
    parser.add_argument("--restore-backup", nargs="?", const="", metavar="FILE",
                        help="replace a damaged store by its latest intact backup (or FILE); the "
                             "damaged file is kept beside it")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation offscreen and offline (fresh store in a "
                             "temporary folder, registration, scorecard PDF, window), then exit")
    commands = parser.add_subparsers(dest="group", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, parents=[common], description=help_text)
        if name == command:
            module = importlib.import_module(f"workbench.cli.{module_name}")
            module.register(name, sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_in(argv))
    args = parser.parse_args(argv)
    as_json = getattr(args, "json", False)
    try:
        _refuse_undecodable(args)
        if getattr(args, "handler", None) is None and args.restore_backup is not None:
            from workbench.cli.output import Output
            from workbench.cli.recovery import restore
            restore(args, Output(as_json))
            return EXIT_OK
    except Exception as error:
        code = exit_code_of(error)
        if code is None:
            raise
        return fail(error, code, as_json)
    handler = getattr(args, "handler", None)
    if handler is None:
        if args.self_test:
            from workbench.selftest import run as self_test
            return self_test()
        if args.demo or args.group is None:
            from workbench.ui.app import run as open_window  # Qt loads only for the window
            return open_window(data_dir=getattr(args, "data_dir", None), demo=args.demo)
        parser.print_help()
        return EXIT_INVALID
    try:
        from workbench.cli.output import Output
        from workbench.store.db import open_store
        store = open_store(getattr(args, "data_dir", None))
        try:
            handler(store, args, Output(as_json))
        finally:
            store.close()
        return EXIT_OK
    except Exception as error:
        code = exit_code_of(error)
        if code is None:
            raise
        return fail(error, code, as_json)


# Arguments that name files: any bytes the operating system allows are fine there.
_PATH_ARGUMENTS = frozenset({"data_dir", "file", "dir", "pdf", "restore_backup", "proof", "out"})
_POSITIONAL = frozenset({"id", "text", "file", "dir"})


def _refuse_undecodable(args: argparse.Namespace) -> None:
    """Text typed in a terminal that is not set to UTF-8 arrives as bytes Python cannot store;
    say which argument instead of failing deep inside the database."""
    from workbench.cli.errors import CommandError
    from workbench.cli.output import printable
    for name, value in vars(args).items():
        for item in value if isinstance(value, list) else [value]:
            if name in _PATH_ARGUMENTS or not isinstance(item, str):
                continue
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                option = name.upper() if name in _POSITIONAL else f"--{name.replace('_', '-')}"
                raise CommandError(f"{option}: '{printable(item)}' is not UTF-8 text (the "
                                   "terminal sent another encoding); set the terminal to UTF-8 "
                                   "and type it again") from None


def fail(error: BaseException, code: int, as_json: bool) -> int:
    """Say what went wrong — the field by its label, the problem — and return the exit code."""
    body: dict[str, Any] = {"message": str(error)}
    field = getattr(error, "field", None)
    if isinstance(field, str):
        body["field"] = field  # the machine-readable name, for scripts
    problems = getattr(error, "problems", None)
    if problems is not None:
        body["problems"] = problems
    body.update(getattr(error, "details", None) or {})  # e.g. a sync's reason and partial summary
    from workbench.cli.output import printable
    if as_json:
        import json
        print(printable(json.dumps({"error": body}, ensure_ascii=False, indent=2), in_json=True))
    else:
        print(printable(f"error: {error}"), file=sys.stderr)
        for problem in (problems or [])[5:]:
            print(printable(f"  {problem}"), file=sys.stderr)
    return code
