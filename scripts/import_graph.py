"""Print which packages of `workbench` import which, find cycles, and check the layering.

    python scripts/import_graph.py [ROOT]        # ROOT: a checkout (default: this one)

Reads the source with `ast` (every `import` / `from … import`, also inside functions), so it needs
no installed package. A node is a sub-package (`workbench.store`) or a top-level module
(`workbench.demo`). DESIGN §1: `ui`, `cli` → `services` → `sync`, `reports`, `store` →
`domain`; `server` uses `domain` and `sync.protocol` only. Exit code 1 when a rule is broken.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

# What each layer may import (besides itself and `resources`, which holds data only). Reads may
# skip a layer (the window reads the store directly); nothing points back up.
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "store": {"domain"},
    "sync": {"domain", "store"},
    "reports": {"domain", "store"},
    "services": {"domain", "store", "sync", "reports"},
    "cli": {"services", "domain", "store", "sync", "reports", "ui", "selftest", "demo"},
    "ui": {"services", "domain", "store", "sync", "reports", "demo", "resources"},
    "server": {"domain", "sync", "store", "reports"},
    "demo": {"services", "domain", "store", "sync", "server"},
    "selftest": {"services", "domain", "store", "reports", "ui"},
}
# The server may use only these modules of the desktop packages.
# (The console's partner page hands out the same QBR PDF the rep exports: the PDF and its texts,
# which need no store.)
SERVER_MAY_USE = {"workbench.sync.protocol", "workbench.sync.validate",
                  "workbench.store.schema", "workbench.reports.pdf", "workbench.reports.texts",
                  "workbench.reports.fonts"}


def node_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "workbench" or len(parts) == 1:
        return None
    return parts[1]


def module_name(root: Path, path: Path) -> str:
    relative = path.relative_to(root).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, module: str) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names]  # sub-modules by name
    return found


def graph(root: Path) -> tuple[dict[tuple[str, str], int], list[tuple[str, str]]]:
    edges: dict[tuple[str, str], int] = defaultdict(int)
    server_uses: list[tuple[str, str]] = []
    for path in sorted((root / "workbench").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = module_name(root, path)
        source = node_of(module)
        if source is None:
            continue
        seen = set()
        for target_module in imports_of(path, module):
            target = node_of(target_module)
            if target is None or target == source:
                continue
            if not (root / Path(*target_module.split("."))).with_suffix(".py").exists() \
                    and not (root / Path(*target_module.split(".")) / "__init__.py").exists():
                continue  # a name imported from a module, not a module
            if source == "server" and target in ("sync", "store", "reports"):
                server_uses.append((module, target_module))
            if (target, target_module) not in seen:
                seen.add((target, target_module))
                edges[(source, target)] += 1
    return edges, server_uses


def cycles(edges: dict[tuple[str, str], int]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    succ: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        succ[a].append(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in succ[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted({a for a, _ in edges} | {b for _, b in edges}):
        if v not in index:
            visit(v)
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else Path(__file__).resolve().parent.parent)
    edges, server_uses = graph(root)
    print("package imports (number of distinct modules imported):")
    for source in sorted({a for a, _ in edges}):
        targets = ", ".join(f"{b} ({n})" for (a, b), n in sorted(edges.items()) if a == source)
        print(f"  {source:9} -> {targets}")
    found = cycles(edges)
    print("packages in an import cycle:", "; ".join(", ".join(c) for c in found) if found
          else "none")
    broken = [f"{a} -> {b}" for (a, b) in sorted(edges)
              if a in ALLOWED and b not in ALLOWED[a] | {"resources"}]
    broken += [f"{module} -> {target}" for module, target in server_uses
               if target not in SERVER_MAY_USE]
    print("against the layering:", ", ".join(broken) if broken else "nothing")
    return 1 if broken or found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
