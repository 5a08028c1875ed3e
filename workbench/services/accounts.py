"""Customer accounts and their contacts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.domain.accounts import Twin
from workbench.domain.errors import InvalidValue
from workbench.domain.model import ACCOUNTS
from workbench.services.changes import Changes, Done
from workbench.store import duplicates, records
from workbench.store.csv_import import ImportReport
from workbench.store.csv_import import import_accounts as import_csv
from workbench.store.db import Store

ACCOUNT_FIELDS = ("name", "domain", "industry", "country", "region", "notes")


class LikelyDuplicate(InvalidValue):
    """The new account is probably one the workbench has (seed 003, edge case 4: duplicate
    detection on account creation). `twin` says which and why; nothing was written."""

    def __init__(self, twin: Twin) -> None:
        account = twin.account
        super().__init__("name", f"probably already in the workbench as account "
                                 f"{account.id[:8]} '{account.name}' ({twin.why()})",
                         ACCOUNTS.title_of("name"))
        self.twin = twin
        self.details = {"duplicate_of": {"id": account.id, "name": account.name,
                                         "domain": account.domain, "score": round(twin.score, 1),
                                         "reasons": list(twin.reasons)}}


def add_account(store: Store, values: dict[str, Any], *,
                allow_duplicate: bool = False) -> Done[dict[str, Any]]:
    """A new account from what the rep typed (empty values mean none). A likely twin of an
    existing account is refused with LikelyDuplicate unless `allow_duplicate`."""
    with store.transaction() as conn:
        if not allow_duplicate:
            twin = duplicates.likely_twin(conn, str(values.get("name") or ""),
                                          str(values.get("domain") or ""))
            if twin is not None:
                raise LikelyDuplicate(twin)
        account = records.create(conn, "accounts", values)
    return Done(account, Changes.edited(("accounts", account["id"])))


def edit_account(store: Store, account_id: str, changes: dict[str, Any]) -> Done[dict[str, Any]]:
    """Change fields of an account (`account_id`: the id or a unique prefix of it)."""
    with store.transaction() as conn:
        record_id = records.resolve_id(conn, "accounts", account_id)
        account = records.update(conn, "accounts", record_id, changes)
    return Done(account, Changes.edited(("accounts", account["id"])))


def import_accounts(store: Store, path: Path, *, skip_invalid: bool = False,
                    dry_run: bool = False, update_existing: bool = False) -> Done[ImportReport]:
    """Accounts from a CRM export, all or nothing unless `skip_invalid`; `dry_run` writes none.
    Rows that are accounts already are skipped, or update them with `update_existing`."""
    with store.transaction() as conn:
        report = import_csv(conn, path, skip_invalid=skip_invalid, dry_run=dry_run,
                            update_existing=update_existing)
        if dry_run:
            conn.rollback()
    if dry_run:
        return Done(report, Changes())
    touched = [*report.created, *(row.account_id for row in report.existing
                                  if row.action == "update" and row.account_id)]
    return Done(report, Changes.edited(*(("accounts", i) for i in touched)))


def add_contact(store: Store, account_id: str, values: dict[str, Any]) -> Done[dict[str, Any]]:
    """A contact at an account (`account_id`: the id or a unique prefix)."""
    with store.transaction() as conn:
        account = records.resolve_id(conn, "accounts", account_id)
        contact = records.create(conn, "contacts", {**values, "account_id": account})
    return Done(contact, Changes.edited(("contacts", contact["id"])))
