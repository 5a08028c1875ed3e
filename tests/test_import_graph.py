"""DESIGN §1: dependencies point one way and no packages import each other in a cycle
(issue 12 item 4: store imported sync, sync imported the CLI, which imported sync back)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_import_cycles_and_no_layer_imports_upwards():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "import_graph.py")],
                          capture_output=True, text=True)
    assert "packages in an import cycle: none" in done.stdout, done.stdout
    assert "against the layering: nothing" in done.stdout, done.stdout
    assert done.returncode == 0
