"""Leads, cases, registrations and conflicts, worked through the window like a rep would."""

from __future__ import annotations

import sqlalchemy as sa
from PySide6.QtCore import Qt

from tests.ui.helpers import click, closed, type_into, wait_idle
from workbench.store import records
from workbench.store.schema import conflicts, outbox


def _lead(store, lead_id):
    with store.reading() as conn:
        return records.get(conn, "leads", lead_id)


def test_accept_a_lead(qtbot, window, store, sample):
    page = window.show_page("leads")
    page.select_record(sample["lead_new"])
    assert page.current_id == sample["lead_new"]
    assert page.accept_button.isEnabled()
    assert "First contact due" in page.notice.text()
    click(qtbot, page.accept_button)
    wait_idle(qtbot, window)
    assert _lead(store, sample["lead_new"])["working_status"] == "accepted"
    qtbot.waitUntil(lambda: page.pill.text() == "Accepted")
    assert not page.accept_button.isEnabled()
    with store.reading() as conn:
        op = conn.execute(sa.select(outbox).where(outbox.c.record_id == sample["lead_new"])).mappings().one()
    assert op["kind"] == "update" and op["fields"]["working_status"]["new"] == "accepted"


def test_reject_a_lead_with_a_reason_and_log_a_first_contact(qtbot, window, store, sample):
    page = window.show_page("leads")
    page.select_record(sample["lead_new"])
    click(qtbot, page.reject_button)
    dialog = page._note_dialog
    assert not dialog.ok.isEnabled()  # a reason is required
    type_into(qtbot, dialog.text, "Customer already works with another partner")
    click(qtbot, dialog.ok)
    wait_idle(qtbot, window)
    lead = _lead(store, sample["lead_new"])
    assert lead["working_status"] == "rejected"
    assert lead["rejection_reason"] == "Customer already works with another partner"

    page.status_box.setCurrentIndex(page.status_box.findText("Open leads"))
    assert page.model.position_of(sample["lead_new"]) == -1  # rejected leads leave the open list
    page.table.selectRow(0)
    first = page.current_id
    click(qtbot, page.contact_button)
    wait_idle(qtbot, window)
    lead = _lead(store, first)
    assert lead["working_status"] == "contacted" and lead["first_contact_at"]


def test_a_lead_the_vendor_recycled_cannot_be_worked(qtbot, window, store, sample):
    """seed 001: no first contact within 48 hours → the vendor takes the lead back."""
    from workbench.store.schema import RECORD_TABLES

    leads = RECORD_TABLES["leads"]
    with store.transaction() as conn:  # as a pull would write the vendor's field
        conn.execute(sa.update(leads).where(leads.c.id == sample["lead_new"])
                     .values(assignment_status="recycled"))
    page = window.show_page("leads")
    page.reload()
    # The list, its filters and the detail agree: not open, not new, but recycled.
    for choice in ("Open leads", "New", "Accepted"):
        page.status_box.setCurrentIndex(page.status_box.findText(choice))
        assert page.model.position_of(sample["lead_new"]) == -1, choice
    page.status_box.setCurrentIndex(page.status_box.findText("Recycled by the vendor"))
    assert page.model.rowCount() == 1
    page.select_record(sample["lead_new"])
    assert page.pill.text() == "Recycled" and "took this lead back" in page.notice.text()
    assert not any(b.isEnabled() for b in (page.accept_button, page.reject_button,
                                            page.contact_button))
    row = page.model.position_of(sample["lead_new"])
    cells = [page.model.index(row, c).data() for c in range(page.model.columnCount())]
    assert "Recycled" in cells and "New" not in cells
    page.status_box.setCurrentIndex(page.status_box.findText("All leads"))
    assert page.model.position_of(sample["lead_new"]) >= 0
    today = window.show_page("today")  # nor is it a lead to call before its SLA runs out
    wait_idle(qtbot, window)
    companies = [today.lists["leads"].topLevelItem(i).text(0)
                 for i in range(today.lists["leads"].topLevelItemCount())]
    assert _lead(store, sample["lead_new"])["company_name"] not in companies


def test_an_approval_past_its_90_days_lists_as_expired(qtbot, window, store, sample):
    """seed 001: the registration lapses automatically — the filter says so like the pill."""
    from datetime import UTC, datetime, timedelta

    from workbench.domain.values import format_datetime
    from workbench.store.schema import RECORD_TABLES

    regs = RECORD_TABLES["registrations"]
    with store.transaction() as conn:
        conn.execute(sa.update(regs).where(regs.c.id == sample["expiring"]).values(
            approved_at=format_datetime(datetime.now(UTC) - timedelta(days=91)),
            protection_expires_at=format_datetime(datetime.now(UTC) - timedelta(days=1))))
    page = window.show_page("registrations")
    page.reload()
    for choice, listed in (("Approved", False), ("Active", False), ("Expired", True)):
        page.status_box.setCurrentIndex(page.status_box.findText(choice))
        assert (page.model.position_of(sample["expiring"]) >= 0) is listed, choice
    page.select_record(sample["expiring"])
    assert page.pill.text() == "Expired"


def test_logging_a_first_contact_is_confirmed_where_the_rep_looks(qtbot, window, store, sample):
    page = window.show_page("leads")
    page.select_record(sample["lead_new"])
    company = _lead(store, sample["lead_new"])["company_name"]
    click(qtbot, page.contact_button)
    wait_idle(qtbot, window)
    qtbot.waitUntil(page.confirmation.isVisible)
    text = page.confirmation.text()
    assert text.startswith(f"First contact with {company} logged at ")
    assert "within the 48-hour SLA" in text and "now Contacted" in text
    # The lead left "Open leads"; the confirmation stays above the list.
    assert page.model.position_of(sample["lead_new"]) == -1


def test_open_a_case_for_a_customer_comment_and_ask_to_escalate(qtbot, window, store, sample):
    page = window.show_page("cases")
    qtbot.keyClick(page, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)  # "&Open case…"
    qtbot.waitUntil(lambda: page.open_dialog is not None and page.open_dialog.isVisible())
    dialog = page.open_dialog
    type_into(qtbot, dialog.customer, "Wayne")
    dialog.customer.lookup_now()
    dialog.customer.choose_text(dialog.customer.suggestions()[0])
    type_into(qtbot, dialog.subject, "Phones drop calls after the upgrade")
    dialog.severity.setCurrentIndex(dialog.severity.findData("high"))
    type_into(qtbot, dialog.description, "Since Monday, every site.")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: closed(dialog))
    wait_idle(qtbot, window)
    with store.reading() as conn:
        case = records.list_records(conn, "cases", where={"subject": "Phones drop calls after the upgrade"})[0]
    assert case["severity"] == "high" and case["customer_domain"] == "waynetel.com"
    assert case["status"] == "new"  # the vendor's field, untouched
    qtbot.waitUntil(lambda: page.current_id == case["id"])
    assert page.pill.text() == "New"
    assert "not sent yet" in page.model.index(page.model.position_of(case["id"]), 0).data()

    type_into(qtbot, page.comment_box, "Customer sent logs by mail.")
    click(qtbot, page.comment_button)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: "Customer sent logs by mail." in page.comments.toPlainText())
    click(qtbot, page.escalate_button)
    type_into(qtbot, page._note_dialog.text, "Outage at three sites")
    click(qtbot, page._note_dialog.ok)
    wait_idle(qtbot, window)
    with store.reading() as conn:
        case = records.get(conn, "cases", case["id"])
        comments = records.list_records(conn, "case_comments", where={"case_id": case["id"]})
    assert case["escalation_requested"] is True
    assert [c["body"] for c in comments] == ["Customer sent logs by mail.",
                                             "Escalation requested: Outage at three sites"]
    qtbot.waitUntil(lambda: not page.escalate_button.isEnabled())


def test_registration_actions_follow_the_state_machine(qtbot, window, store, sample):
    page = window.show_page("registrations")
    page.select_record(sample["expiring"])  # approved 80 days ago: inside the renewal window
    assert "renew" in page.notice.text().lower()
    assert page.renew_button.isEnabled() and page.withdraw_button.isEnabled()
    assert not page.submit_button.isEnabled() and not page.dispute_button.isEnabled()
    click(qtbot, page.renew_button)
    type_into(qtbot, page._note_dialog.text, "Customer extended the pilot")
    click(qtbot, page._note_dialog.ok)
    wait_idle(qtbot, window)
    with store.reading() as conn:
        reg = records.get(conn, "registrations", sample["expiring"])
    assert reg["status"] == "pending_review" and reg["request_note"] == "Customer extended the pilot"

    page.select_record(sample["rejected"])
    assert page.dispute_button.isEnabled() and not page.renew_button.isEnabled()
    assert "Rejected:" in page.notice.text()
    page.select_record(sample["draft"])
    assert page.submit_button.isEnabled()
    window.activateWindow()  # the renew dialog had the focus
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(page, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)  # Submit
    wait_idle(qtbot, window)
    with store.reading() as conn:
        assert records.get(conn, "registrations", sample["draft"])["status"] == "submitted"


def test_resolve_a_conflict_in_the_side_by_side_dialog(qtbot, window, store, sample):
    page = window.show_page("sync")
    wait_idle(qtbot, window)
    assert page.conflicts.topLevelItemCount() == 1
    click(qtbot, page.resolve_button)
    qtbot.waitUntil(lambda: window.conflict_dialog is not None and window.conflict_dialog.isVisible())
    dialog = window.conflict_dialog
    row = dialog.rows[0]
    assert row.conflict["base_value"] == "Renewal in Q3"
    assert row.mine.isChecked()
    click(qtbot, row.edit)
    row.value.selectAll()
    type_into(qtbot, row.value, "Renewal in Q4; talk to Lena first")
    click(qtbot, dialog.apply_button)
    qtbot.waitUntil(lambda: closed(dialog))
    wait_idle(qtbot, window)
    with store.reading() as conn:
        conflict = conn.execute(sa.select(conflicts)).mappings().one()
        account = records.get(conn, "accounts", conflict["record_id"])
    assert conflict["resolution"] == "edited" and conflict["resolved_at"]
    assert account["notes"] == "Renewal in Q4; talk to Lena first"
    qtbot.waitUntil(lambda: page.conflicts.topLevelItemCount() == 0)
    qtbot.waitUntil(lambda: window.conflicts_label.text() == "0 conflicts")


def test_take_theirs_from_today(qtbot, window, store, sample):
    page = window.show_page("today")
    wait_idle(qtbot, window)
    tree = page.lists["sync"]
    item = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                if "conflict" in tree.topLevelItem(i).text(1))
    tree.itemActivated.emit(item, 0)
    dialog = window.conflict_dialog
    click(qtbot, dialog.rows[0].theirs)
    click(qtbot, dialog.apply_button)
    qtbot.waitUntil(lambda: closed(dialog))
    wait_idle(qtbot, window)
    with store.reading() as conn:
        conflict = conn.execute(sa.select(conflicts)).mappings().one()
        account = records.get(conn, "accounts", conflict["record_id"])
    assert conflict["resolution"] == "theirs"
    assert account["notes"] == "Renewal moved to Q4 (procurement freeze)"


def test_a_24_hour_sla_synced_from_the_program_counts_down_on_leads_and_today(qtbot, window,
                                                                              store, sample):
    """seed 001: 48 hours to first contact, unless the program's synced setting says 24."""
    import re
    from datetime import UTC, datetime

    from workbench.domain.values import format_datetime, new_id
    from workbench.store.schema import RECORD_TABLES

    def hours_left(page) -> int:
        row = page.model.position_of(sample["lead_new"])
        sla = next(page.model.index(row, c).data() for c in range(page.model.columnCount())
                   if "left" in str(page.model.index(row, c).data()))
        days, hours = re.match(r"(?:(\d+) d )?(\d+) h", sla).groups()
        return int(days or 0) * 24 + int(hours)

    def today_companies() -> list[str]:
        today = window.show_page("today")
        today.reload()
        wait_idle(qtbot, window)
        return [today.lists["leads"].topLevelItem(i).text(0)
                for i in range(today.lists["leads"].topLevelItemCount())]

    company = _lead(store, sample["lead_new"])["company_name"]  # assigned 4 hours ago
    page = window.show_page("leads")
    page.reload()
    assert hours_left(page) in (43, 44)  # nothing synced yet: the default 48 hours
    assert company not in today_companies()  # more than a day left: not a call for today
    stamp = format_datetime(datetime.now(UTC))
    with store.transaction() as conn:  # as a pull writes the vendor's program terms
        conn.execute(sa.insert(RECORD_TABLES["program_terms"]).values(
            id=new_id(), partner_id=None, key="lead_sla_hours", value="24", created_at=stamp,
            updated_at=stamp, version=1, deleted=False))
    page = window.show_page("leads")
    page.reload()
    assert hours_left(page) in (19, 20)
    page.select_record(sample["lead_new"])
    assert page.notice.text().startswith("First contact due: 19 h") or \
        page.notice.text().startswith("First contact due: 20 h")
    assert company in today_companies()  # under a day left against the 24 hours
