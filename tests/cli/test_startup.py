"""`workbench --version`, `--help`, and every command's `--help` or argument error start without
loading the database, HTTP or keyring code: those load when a command runs (issue 15, goal 3;
the times are printed by scripts/bench_startup.py, never asserted)."""

import json
import os
import subprocess
import sys

import pytest

from workbench.cli.main import COMMANDS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEAVY = ("sqlalchemy", "alembic", "requests", "keyring", "reportlab", "PySide6")
PROBE = """
import contextlib, io, json, sys
from workbench.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def loaded(*argv: str) -> set[str]:
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True,
                          env=env, timeout=60, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize("argv", [("--version",), ("--help",)]
                         + [(name, "--help") for name in COMMANDS]
                         + [("accounts", "add"), ("sync", "--timeout", "soon")])
def test_help_and_argument_errors_load_no_database_http_or_keyring(argv):
    assert loaded(*argv).isdisjoint(HEAVY)


def test_a_command_that_runs_loads_the_store(tmp_path):
    assert "sqlalchemy" in loaded("--data-dir", str(tmp_path), "accounts", "list", "--json")
