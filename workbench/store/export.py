"""Exporting everything in the store: each record type and the edit history, as JSON and CSV.

No caps: a rep leaving a partner, or an admin auditing, gets every row. CSV cells that a
spreadsheet would run as a formula are written as text (domain/spreadsheet.py); the JSON files
hold every value exactly as stored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from workbench.domain.spreadsheet import write_rows
from workbench.domain.values import InvalidValue
from workbench.store.schema import RECORD_TABLES, conflicts, outbox, sync_log

# Tables exported besides the records: what was edited here and what happened to it.
HISTORY_TABLES = {"edit_history": outbox, "conflicts": conflicts, "sync_log": sync_log}


def export_all(conn: sa.Connection, folder: Path) -> dict[str, int]:
    """Write <name>.json and <name>.csv for every table; returns row counts by name.

    InvalidValue("DIR") when the folder cannot take the files (full disk, no permission)."""
    try:
        return _export(conn, folder)
    except OSError as error:
        raise InvalidValue("DIR", f"cannot write the export to {folder} ({error.strerror}); "
                                  "what was written there is incomplete — choose a folder on a "
                                  "disk with free space that you may write to") from None


def _export(conn: sa.Connection, folder: Path) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, table in {**RECORD_TABLES, **HISTORY_TABLES}.items():
        order = table.c.seq if "seq" in table.c else list(table.primary_key.columns)[0]
        rows = [dict(r) for r in conn.execute(sa.select(table).order_by(order)).mappings()]
        _write_json(folder / f"{name}.json", rows)
        _write_csv(folder / f"{name}.csv", [c.name for c in table.columns], rows)
        counts[name] = len(rows)
    (folder / "manifest.json").write_text(json.dumps({"counts": counts}, indent=2) + "\n",
                                          encoding="utf-8")
    return counts


def _write_json(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        json.dump(rows, out, ensure_ascii=False, indent=1)
        out.write("\n")


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    """For spreadsheets: formula-like cells quoted (domain/spreadsheet.py), lists as JSON."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:  # BOM: Excel reads UTF-8
        write_rows(out, columns, ([_cell(row.get(name)) for name in columns] for row in rows))


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value
