"""Customer accounts and their contacts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.services.changes import Changes, Done
from workbench.store import records
from workbench.store.csv_import import ImportReport
from workbench.store.csv_import import import_accounts as import_csv
from workbench.store.db import Store

ACCOUNT_FIELDS = ("name", "domain", "industry", "country", "region", "notes")


def add_account(store: Store, values: dict[str, Any]) -> Done[dict[str, Any]]:
    """A new account from what the rep typed (empty values mean none)."""
    with store.transaction() as conn:
        account = records.create(conn, "accounts", values)
    return Done(account, Changes.edited(("accounts", account["id"])))


def edit_account(store: Store, account_id: str, changes: dict[str, Any]) -> Done[dict[str, Any]]:
    """Change fields of an account (`account_id`: the id or a unique prefix of it)."""
    with store.transaction() as conn:
        record_id = records.resolve_id(conn, "accounts", account_id)
        account = records.update(conn, "accounts", record_id, changes)
    return Done(account, Changes.edited(("accounts", account["id"])))


def import_accounts(store: Store, path: Path, *, skip_invalid: bool = False,
                    dry_run: bool = False) -> Done[ImportReport]:
    """Accounts from a CRM export, all or nothing unless `skip_invalid`; `dry_run` writes none."""
    with store.transaction() as conn:
        report = import_csv(conn, path, skip_invalid=skip_invalid, dry_run=dry_run)
        if dry_run:
            conn.rollback()
    return Done(report, Changes.edited(*(("accounts", i) for i in report.created)))


def add_contact(store: Store, account_id: str, values: dict[str, Any]) -> Done[dict[str, Any]]:
    """A contact at an account (`account_id`: the id or a unique prefix)."""
    with store.transaction() as conn:
        account = records.resolve_id(conn, "accounts", account_id)
        contact = records.create(conn, "contacts", {**values, "account_id": account})
    return Done(contact, Changes.edited(("contacts", contact["id"])))
