"""The command line and the window store the same records for the same input (issue 12 item 8).

Each test clones the sample store, does one flow with `workbench …` on the clone and by clicking
through the window on the original, and compares what both stores hold afterwards: every
partner-owned record, the outbox (what will be sent) and the conflicts. Ids of records the flow
created and "now" timestamps differ by nature and are compared by what they name.

On the code before the service layer, the register-deal test fails: the command line stored the
matched account's domain and dropped the --domain the rep typed.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QDate

from tests.ui.helpers import click, closed, type_into, wait_idle
from workbench.cli import main as cli_main
from workbench.domain.model import ENTITIES, Owner
from workbench.store import records
from workbench.store.db import DB_FILE, Store
from workbench.store.schema import RECORD_TABLES, conflicts, outbox

PARTNER_RECORDS = [name for name, spec in ENTITIES.items() if spec.created_by is Owner.PARTNER] \
    + ["leads"]
CLOSE = (date.today() + timedelta(days=45)).isoformat()
_TITLES = ("name", "customer_name", "subject", "body", "company_name")


def clone(store: Store, folder: Path) -> Path:
    """A consistent copy of the store (SQLite's backup API: WAL contents included)."""
    folder.mkdir()
    source, target = sqlite3.connect(store.path), sqlite3.connect(folder / DB_FILE)
    with target:
        source.backup(target)
    source.close()
    target.close()
    return folder


def cli(folder: Path, *argv: str, capsys: Any) -> dict[str, Any]:
    code = cli_main(["--data-dir", str(folder), *argv, "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0, document
    return document


# A time written during the test (not an id that happens to start with four digits).
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


class Snapshot:
    """What a store holds, with flow-made ids replaced by what they name and fresh times by
    a marker, so two stores that did the same thing compare equal."""

    def __init__(self, folder: Path, known_ids: set[str], started: str) -> None:
        engine = sa.create_engine(f"sqlite:///{folder / DB_FILE}")
        with engine.connect() as conn:
            self.rows = {name: [dict(r) for r in conn.execute(sa.select(RECORD_TABLES[name]))
                                .mappings()] for name in PARTNER_RECORDS}
            self.outbox = [dict(r) for r in conn.execute(sa.select(outbox).order_by(outbox.c.seq))
                           .mappings()]
            self.conflicts = [dict(r) for r in conn.execute(sa.select(conflicts)).mappings()]
        engine.dispose()
        self.known, self.started = known_ids, started
        self.names = {row["id"]: f"new {name}: " + str(next(
            (row[t] for t in _TITLES if row.get(t)), "?"))
            for name, rows in self.rows.items() for row in rows if row["id"] not in known_ids}

    def _value(self, value: Any) -> Any:
        if isinstance(value, str):
            if value in self.names:
                return self.names[value]
            if _TIMESTAMP.match(value) and value >= self.started:
                return "<now>"
        if isinstance(value, dict):
            return {k: self._value(v) for k, v in value.items()}
        return value

    def _row(self, row: dict[str, Any], drop: tuple[str, ...]) -> dict[str, Any]:
        return {k: self._value(v) for k, v in row.items() if k not in drop}

    def comparable(self) -> dict[str, Any]:
        volatile = ("created_at", "updated_at")
        return {
            "records": {name: sorted((self._row(r, volatile) for r in rows), key=repr)
                        for name, rows in self.rows.items()},
            "outbox": [self._row(r, ("seq", "op_id", "created_at", "finished_at"))
                       for r in self.outbox],
            "conflicts": sorted((self._row(r, ("resolved_at",)) for r in self.conflicts),
                                key=repr),
        }


@pytest.fixture
def twin(store: Store, sample: dict[str, Any], tmp_path: Path):
    """(folder of the CLI's copy, compare()): compare() asserts both stores hold the same."""
    folder = clone(store, tmp_path / "cli-data")
    with store.reading() as conn:
        known = {r["id"] for name in PARTNER_RECORDS for r in records.list_records(conn, name)}
        known |= set(conn.execute(sa.select(RECORD_TABLES["opportunities"].c.id)).scalars())
    started = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")

    def compare() -> dict[str, Any]:
        by_cli = Snapshot(folder, known, started).comparable()
        by_window = Snapshot(store.data_dir, known, started).comparable()
        assert by_cli == by_window
        return by_window
    return folder, compare


def _account(store: Store, account_id: str) -> dict[str, Any]:
    with store.reading() as conn:
        return records.get(conn, "accounts", account_id)


def _fill_deal(qtbot: Any, dialog: Any, name: str, domain: str, submit: bool) -> None:
    type_into(qtbot, dialog.customer, name)
    type_into(qtbot, dialog.domain, domain)
    type_into(qtbot, dialog.product, "Edge Gateway")
    type_into(qtbot, dialog.value, "$42,500")
    dialog.close_date.setDate(QDate.fromString(CLOSE, "yyyy-MM-dd"))
    dialog.submit_now.setChecked(submit)


def test_register_deal_for_a_known_customer_with_another_domain(qtbot, window, store, sample,
                                                                twin, capsys):
    folder, compare = twin
    account = _account(store, sample["account"])
    regional = "emea." + account["domain"]
    cli(folder, "registrations", "draft", "--name", account["name"], "--domain", regional,
        "--value", "$42,500", "--close-date", CLOSE, "--product", "Edge Gateway", capsys=capsys)
    qtbot.waitUntil(lambda: window.ctx.duplicates.index is not None, timeout=10_000)
    dialog = window.register_deal()
    _fill_deal(qtbot, dialog, account["name"], regional, submit=False)
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: closed(dialog))
    wait_idle(qtbot, window)
    state = compare()
    [new] = [r for r in state["records"]["registrations"] if r["id"].startswith("new ")]
    assert new["account_id"] == account["id"] and new["customer_domain"] == regional


def test_register_a_new_customer_and_submit(qtbot, window, store, twin, capsys):
    folder, compare = twin
    drafted = cli(folder, "registrations", "draft", "--name", "Zephyr Wind Farms", "--domain",
                  "zephyr-wind.example", "--value", "$42,500", "--close-date", CLOSE,
                  "--product", "Edge Gateway", capsys=capsys)
    cli(folder, "registrations", "submit", drafted["id"], capsys=capsys)
    qtbot.waitUntil(lambda: window.ctx.duplicates.index is not None, timeout=10_000)
    dialog = window.register_deal()
    _fill_deal(qtbot, dialog, "Zephyr Wind Farms", "zephyr-wind.example", submit=True)
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: closed(dialog))
    wait_idle(qtbot, window)
    state = compare()
    assert [op["action"] for op in state["outbox"][-3:]] == [None, None, "submit"]


def test_registration_actions(qtbot, window, sample, twin, capsys):
    folder, compare = twin
    cli(folder, "registrations", "renew", sample["expiring"], "--note",
        "Customer extended the pilot", capsys=capsys)
    cli(folder, "registrations", "dispute", sample["rejected"], "--note",
        "We met the customer first", capsys=capsys)
    cli(folder, "registrations", "submit", sample["draft"], capsys=capsys)
    page = window.show_page("registrations")
    for record_id, button, note in ((sample["expiring"], page.renew_button,
                                     "Customer extended the pilot"),
                                    (sample["rejected"], page.dispute_button,
                                     "We met the customer first"),
                                    (sample["draft"], page.submit_button, None)):
        page.select_record(record_id)
        click(qtbot, button)
        if note:
            type_into(qtbot, page._note_dialog.text, note)
            click(qtbot, page._note_dialog.ok)
        wait_idle(qtbot, window)
    compare()


def test_working_leads(qtbot, window, sample, twin, capsys):
    folder, compare = twin
    page = window.show_page("leads")
    page.status_box.setCurrentIndex(page.status_box.findText("All leads"))
    new = sample["lead_new"]
    with window.ctx.store.reading() as conn:
        leads = {r["working_status"]: r["id"] for r in records.list_records(conn, "leads")}
    accepted, contacted = leads["accepted"], leads["contacted"]
    cli(folder, "leads", "reject", new, "--reason", "outside our territory", capsys=capsys)
    cli(folder, "leads", "contacted", accepted, capsys=capsys)
    cli(folder, "leads", "contacted", contacted, capsys=capsys)  # already contacted: time kept
    page.select_record(new)
    click(qtbot, page.reject_button)
    type_into(qtbot, page._note_dialog.text, "outside our territory")
    click(qtbot, page._note_dialog.ok)
    wait_idle(qtbot, window)
    page.select_record(accepted)
    click(qtbot, page.contact_button)
    wait_idle(qtbot, window)
    with window.ctx.store.reading() as conn:
        kept = records.get(conn, "leads", contacted)["first_contact_at"]
    state = compare()
    [again] = [r for r in state["records"]["leads"] if r["id"] == contacted]
    assert again["first_contact_at"] == kept != "<now>"


def test_accounts_contacts_and_cases(qtbot, window, store, sample, twin, capsys):
    folder, compare = twin
    account = _account(store, sample["account"])
    cli(folder, "accounts", "add", "--name", "Quill & Quire", "--domain", "quillquire.example",
        "--industry", "Publishing", capsys=capsys)
    cli(folder, "contacts", "add", "--account", account["id"], "--name", "Lena Ek", "--email",
        "lena@" + account["domain"], "--role", "CIO", capsys=capsys)
    case = cli(folder, "cases", "open", "--account", account["id"], "--subject",
               "Phones drop calls", "--severity", "high", "--description", "Every site",
               capsys=capsys)
    cli(folder, "cases", "comment", case["id"], "Customer sent logs", capsys=capsys)

    page = window.show_page("accounts")
    dialog = page.new_account()
    for name, text in (("name", "Quill & Quire"), ("domain", "quillquire.example"),
                       ("industry", "Publishing")):
        type_into(qtbot, dialog.inputs[name], text)
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: closed(dialog))
    wait_idle(qtbot, window)
    page.select_record(account["id"])
    page._add_contact()
    contact = page.findChildren(type(dialog))[-1]
    for name, text in (("name", "Lena Ek"), ("email", "lena@" + account["domain"]),
                       ("role", "CIO")):
        type_into(qtbot, contact.inputs[name], text)
    click(qtbot, contact.save_button)
    qtbot.waitUntil(lambda: closed(contact))
    wait_idle(qtbot, window)
    cases = window.show_page("cases")
    opened = cases.open_case(account)
    type_into(qtbot, opened.subject, "Phones drop calls")
    opened.severity.setCurrentIndex(opened.severity.findData("high"))
    type_into(qtbot, opened.description, "Every site")
    click(qtbot, opened.save_button)
    qtbot.waitUntil(lambda: closed(opened))
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: cases.current_id is not None and cases.pill.text() == "New")
    type_into(qtbot, cases.comment_box, "Customer sent logs")
    click(qtbot, cases.comment_button)
    wait_idle(qtbot, window)
    compare()


def test_resolving_a_conflict(qtbot, window, sample, twin, capsys):
    folder, compare = twin
    cli(folder, "conflicts", "resolve", sample["conflict"][:8], "--set",
        "notes=Renewal in Q4; talk to Lena first", capsys=capsys)
    window.resolve_conflict(sample["conflict"])
    dialog = window.conflict_dialog
    row = dialog.rows[0]
    click(qtbot, row.edit)
    row.value.selectAll()
    type_into(qtbot, row.value, "Renewal in Q4; talk to Lena first")
    click(qtbot, dialog.apply_button)
    qtbot.waitUntil(lambda: closed(dialog))
    wait_idle(qtbot, window)
    state = compare()
    assert state["conflicts"][0]["resolution"] == "edited"
    assert state["outbox"][-1]["fields"]["notes"]["new"] == "Renewal in Q4; talk to Lena first"


def test_the_comparison_sees_a_difference(qtbot, window, sample, twin, capsys):
    """The parity check is not vacuous: one different value makes the stores unequal."""
    folder, compare = twin
    cli(folder, "accounts", "add", "--name", "Only on the command line", capsys=capsys)
    with pytest.raises(AssertionError):
        compare()



def test_deal_progress_and_a_change_request(qtbot, window, sample, twin, capsys):
    """Issue 14 item 1: the same progress and amendment by `workbench registrations progress /
    amend` and by the registration's Progress… and Request change… dialogs."""
    folder, compare = twin
    cli(folder, "registrations", "progress", sample["expiring"], "--next-step", "Pricing call",
        "--activity", "Demo to the board", "--activity-date", "2026-11-30", "--notes",
        "Champion: the CFO", capsys=capsys)
    cli(folder, "registrations", "amend", sample["expiring"], "--value", "$52,000",
        "--close-date", CLOSE, "--note", "Two more sites", capsys=capsys)
    page = window.show_page("registrations")
    page.select_record(sample["expiring"])
    click(qtbot, page.progress_button)
    dialog = page._deal_dialog
    type_into(qtbot, dialog.next_step, "Pricing call")
    type_into(qtbot, dialog.activity, "Demo to the board")
    dialog.activity_on.setText("2026-11-30")
    type_into(qtbot, dialog.notes, "Champion: the CFO")
    click(qtbot, dialog.ok)
    wait_idle(qtbot, window)
    click(qtbot, page.amend_button)
    dialog = page._deal_dialog
    type_into(qtbot, dialog.value, "$52,000")
    type_into(qtbot, dialog.close_date, CLOSE)
    type_into(qtbot, dialog.note, "Two more sites")
    click(qtbot, dialog.ok)
    wait_idle(qtbot, window)
    state = compare()
    [amendment] = state["records"]["registration_amendments"]
    assert amendment["deal_value_cents"] == 5_200_000 and amendment["status"] == "pending"
