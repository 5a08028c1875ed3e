"""How fast `workbench` starts: --version, --help, and each command up to the point where it
would begin its work (its `--help`: the command's module and everything it imports, parsed).

    python scripts/bench_startup.py [--runs 15]

Each figure is the whole process, run the way the installed `workbench` script runs it: best and
median wall time of the runs, and the best CPU time (user + system; on a machine shared with
other work the wall time also counts waiting for a core, the CPU time does not), next to the
floor: the same interpreter doing nothing (`-c pass`). Budgets (issue 15): --version and --help
<= 0.15 s, any command <= 0.25 s of start-up; judged on the best wall time. Also prints the
in-process time to open an up-to-date store, and the heaviest imports of `workbench.cli`
(`python -X importtime`).

A command's module imports only argparse and the command line's own helpers; its handler
imports the store, the services and SQLAlchemy when it runs (that is its work). So the last
lines also print two whole commands on an empty store (`accounts list`, `status`) — start-up
plus SQLAlchemy plus opening the store — and the installed `workbench` script itself.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRY = "import sys; from workbench.cli import main; sys.exit(main())"
sys.path.insert(0, str(ROOT))
from workbench.cli.main import COMMANDS  # noqa: E402  (the registry only: nothing heavy)

# every command the line knows, so a new one cannot miss the budget unseen
CASES = [("--version",), ("--help",)] + [(name, "--help") for name in COMMANDS
                                         if name != "logout"]
BUDGETS = {"--version": 0.15, "--help": 0.15}
COMMAND_BUDGET = 0.25


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], runs: int) -> tuple[float, float, float]:
    """(best wall, median wall, best CPU) seconds of running `argv` `runs` times."""
    env = _env()
    times, cpu = [], []
    for _ in range(runs):
        cpu_before, started = _children_cpu(), time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        times.append(time.perf_counter() - started)
        cpu.append(_children_cpu() - cpu_before)
    return min(times), statistics.median(times), min(cpu)


def store_open_seconds(runs: int) -> float:
    sys.path.insert(0, str(ROOT))
    from workbench.store.db import open_store
    folder = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    open_store(folder).close()  # create and migrate once
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        open_store(folder).close()
        best = min(best, time.perf_counter() - started)
    return best


def heaviest_imports(count: int = 6) -> list[tuple[float, str]]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import workbench.cli"],
                          env=_env(), capture_output=True, text=True, check=False)
    rows = []
    for line in done.stderr.splitlines()[1:]:
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]) / 1e6, parts[2].rstrip()))
    return sorted(rows, reverse=True)[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("note: PYTHONDONTWRITEBYTECODE is set, so the workbench's modules are compiled at "
              "every start (an installed package has its .pyc files); run with it unset")
    floor, floor_median, floor_cpu = timed([sys.executable, "-c", "pass"], runs)
    print(f"floor (python -c pass): best {floor:.3f} s, median {floor_median:.3f} s, "
          f"CPU {floor_cpu:.3f} s ({runs} runs each; load average {os.getloadavg()[0]:.1f})")
    over = []
    for case in CASES:
        best, median, cpu = timed([sys.executable, "-c", ENTRY, *case], runs)
        budget = BUDGETS.get(case[0], COMMAND_BUDGET)
        verdict = "ok" if best <= budget else "OVER"
        if best > budget:
            over.append(" ".join(case))
        print(f"workbench {' '.join(case):24} best {best:.3f} s  median {median:.3f} s  "
              f"CPU {cpu:.3f} s  (floor +{best - floor:.3f} s; budget {budget:.2f} s: {verdict})")
    folder = tempfile.mkdtemp(prefix="bench-startup-cmd-")
    subprocess.run([sys.executable, "-c", ENTRY, "--data-dir", folder, "status", "--json"],
                   env=_env(), stdout=subprocess.DEVNULL, check=True)  # create and migrate
    for case in (("accounts", "list", "--json"), ("status", "--json")):
        best, median, cpu = timed([sys.executable, "-c", ENTRY, "--data-dir", folder, *case], runs)
        print(f"whole command, empty store: workbench {' '.join(case):16} best {best:.3f} s  "
              f"median {median:.3f} s  CPU {cpu:.3f} s")
    script = Path(sys.executable).parent / "workbench"
    if script.exists():
        best, median, cpu = timed([str(script), "--version"], runs)
        print(f"installed script {script} --version: best {best:.3f} s  median {median:.3f} s  "
              f"CPU {cpu:.3f} s")
    print(f"open an up-to-date store, in process: {store_open_seconds(runs) * 1000:.1f} ms")
    print("heaviest imports of `import workbench.cli` (cumulative):")
    for seconds, name in heaviest_imports():
        print(f"  {seconds * 1000:7.1f} ms  {name.strip()}")
    if over:
        print("over budget:", ", ".join(over))
    return 0


if __name__ == "__main__":
    sys.exit(main())
