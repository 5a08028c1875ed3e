"""Register a deal offline through the dialog, by typing and clicking like a rep."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from PySide6.QtCore import QDate, Qt

from tests.ui.helpers import click, closed, type_into, wait_idle
from workbench.store import records
from workbench.store.schema import outbox


def _open_dialog(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # Ctrl+N from anywhere
    qtbot.waitUntil(lambda: window.register_dialog is not None and window.register_dialog.isVisible())
    dialog = window.register_dialog
    qtbot.waitUntil(lambda: window.ctx.duplicates.index is not None)  # built in the background
    return dialog


def test_register_a_new_deal_offline_and_queue_the_submit(qtbot, window, store):
    window.show_page("leads")
    dialog = _open_dialog(qtbot, window)
    type_into(qtbot, dialog.customer, "Zephyr Wind Farms")
    type_into(qtbot, dialog.domain, "zephyr-wind.example")
    type_into(qtbot, dialog.product, "Edge Gateway")
    type_into(qtbot, dialog.value, "$42,500")
    assert dialog.value_hint.text() == "= $42,500"
    dialog.close_date.setDate(QDate(date.today() + timedelta(days=45)))
    dialog.check_duplicates()
    assert not dialog.warning.isVisible()  # a new customer: no warning
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: closed(dialog))
    wait_idle(qtbot, window)

    with store.reading() as conn:
        regs = records.list_records(conn, "registrations", where={"customer_name": "Zephyr Wind Farms"})
        ops = conn.execute(sa.select(outbox.c.entity, outbox.c.kind, outbox.c.action)
                           .where(outbox.c.record_id == regs[0]["id"]).order_by(outbox.c.seq)).all()
        account = records.get(conn, "accounts", regs[0]["account_id"])
    assert len(regs) == 1
    assert regs[0]["status"] == "submitted"  # shown as submitted; the vendor decides on sync
    assert regs[0]["deal_value_cents"] == 4_250_000
    assert account["domain"] == "zephyr-wind.example"  # the new customer became an account
    assert [tuple(o) for o in ops] == [("registrations", "create", None),
                                       ("registrations", "action", "submit")]
    page = window.pages["registrations"]
    assert window.current_key() == "registrations"
    qtbot.waitUntil(lambda: page.current_id == regs[0]["id"])
    assert page.pill.text() == "Submitted"
    # 2 sample edits + the new account, the registration and its submit
    qtbot.waitUntil(lambda: window.pending_label.text() == "5 changes to send")


def test_duplicate_warning_appears_with_the_reason(qtbot, window):
    dialog = _open_dialog(qtbot, window)
    type_into(qtbot, dialog.customer, "ACME Corp.")
    type_into(qtbot, dialog.domain, "https://www.acme.com/")
    qtbot.waitUntil(lambda: dialog.warning.isVisible())
    text = dialog.warning.text()
    assert "Possible duplicate" in text
    assert "same domain acme.com" in text
    assert "same company name after normalising (acme)" in text
    assert "Acme Corporation" in text
    dialog.customer.clear()
    dialog.domain.clear()
    type_into(qtbot, dialog.customer, "Acme Logistik Partners")  # not the same company
    dialog.check_duplicates()
    assert not dialog.warning.isVisible()
    dialog.discard()


def test_account_autocomplete_fills_the_domain_and_links_the_account(qtbot, window, store, sample):
    dialog = _open_dialog(qtbot, window)
    type_into(qtbot, dialog.customer, "Glob")
    dialog.customer.lookup_now()
    suggestions = dialog.customer.suggestions()
    assert suggestions == ["Globex GmbH  —  globex.de"]
    dialog.customer.choose_text(suggestions[0])
    qtbot.waitUntil(lambda: dialog.customer.text() == "Globex GmbH")
    assert dialog.domain.text() == "globex.de"
    type_into(qtbot, dialog.product, "Security Cloud")
    type_into(qtbot, dialog.value, "12.5k")
    dialog.submit_now.setChecked(False)  # keep it a draft
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: closed(dialog))
    wait_idle(qtbot, window)
    with store.reading() as conn:
        regs = records.list_records(conn, "registrations", where={"customer_name": "Globex GmbH"})
        accounts = records.list_records(conn, "accounts", where={"name": "Globex GmbH"})
    assert len(accounts) == 1  # linked, not duplicated
    new = [r for r in regs if r["product"] == "Security Cloud" and r["deal_value_cents"] == 1_250_000]
    assert new and new[0]["status"] == "draft" and new[0]["account_id"] == accounts[0]["id"]


def test_a_bad_value_is_named_and_nothing_is_saved(qtbot, window, store):
    dialog = _open_dialog(qtbot, window)
    type_into(qtbot, dialog.customer, "Brand New Customer")
    type_into(qtbot, dialog.product, "Data Platform")
    type_into(qtbot, dialog.value, "forty thousand")
    assert "Enter an amount" in dialog.value_hint.text()
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.error.isVisible())
    assert dialog.error.text().startswith("Deal value:")
    assert dialog.value.property("invalid") is True
    dialog.value.clear()
    type_into(qtbot, dialog.value, "40000")
    dialog.close_date.setDate(QDate(date.today() - timedelta(days=3)))
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.error.text().startswith("Expected close:"))
    assert "in the past" in dialog.error.text()
    assert dialog.isVisible()
    with store.reading() as conn:  # one transaction: not even the account was kept
        assert records.list_records(conn, "accounts", where={"name": "Brand New Customer"}) == []
    dialog.discard()


def _box(widget, dialog):
    """The widget's rectangle in the dialog's coordinates."""
    from PySide6.QtCore import QRect
    return QRect(widget.mapTo(dialog, widget.rect().topLeft()), widget.size())


def test_escape_on_a_filled_in_form_asks_before_discarding(qtbot, window, store):
    dialog = _open_dialog(qtbot, window)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing typed: closes at once
    qtbot.waitUntil(lambda: closed(dialog))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    dialog = _open_dialog(qtbot, window)
    type_into(qtbot, dialog.customer, "Zephyr Wind Farms")
    type_into(qtbot, dialog.product, "Edge Gateway")
    qtbot.keyClick(dialog.product, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: dialog.discard_box is not None and dialog.discard_box.isVisible())
    assert dialog.isVisible() and dialog.customer.text() == "Zephyr Wind Farms"
    keep = next(b for b in dialog.discard_box.buttons() if "Keep" in b.text())
    click(qtbot, keep)
    qtbot.waitUntil(lambda: closed(dialog.discard_box))
    assert dialog.isVisible()  # still there, still filled in
    dialog.reject()  # Cancel / the close button ask the same
    discard = next(b for b in dialog.discard_box.buttons() if "Discard" in b.text())
    click(qtbot, discard)
    qtbot.waitUntil(lambda: closed(dialog))
    with store.reading() as conn:
        assert records.list_records(conn, "registrations",
                                    where={"customer_name": "Zephyr Wind Farms"}) == []


def test_problems_and_warnings_push_the_form_down_never_over_it(qtbot, window):
    dialog = _open_dialog(qtbot, window)
    width, centre = dialog.width(), dialog.geometry().center().x()
    type_into(qtbot, dialog.customer, "ACME Corp.")
    type_into(qtbot, dialog.domain, "acme.com")
    qtbot.waitUntil(lambda: dialog.warning.isVisible())  # the duplicate warning, three lines
    type_into(qtbot, dialog.value, "forty thousand")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.error.isVisible())
    _process_events()
    assert dialog.width() == width  # it grew downwards only …
    assert abs(dialog.geometry().center().x() - centre) <= 1  # … and stays centred
    order = [dialog.notes, dialog.warning, dialog.error, dialog.submit_now, dialog.save_button]
    boxes = [_box(w, dialog) for w in order]
    for upper, lower, name in zip(boxes, boxes[1:], ["notes", "warning", "problem", "checkbox"]):
        assert upper.bottom() < lower.top(), f"{name} overlaps what follows it"
    assert boxes[-1].bottom() <= dialog.height()
    dialog.discard()


def test_the_invalid_mark_clears_once_the_field_is_fixed(qtbot, window):
    dialog = _open_dialog(qtbot, window)
    type_into(qtbot, dialog.customer, "Brand New Customer")
    type_into(qtbot, dialog.product, "Data Platform")
    type_into(qtbot, dialog.value, "forty thousand")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.error.isVisible())
    assert dialog.value.property("invalid") is True
    type_into(qtbot, dialog.value, " more")  # still not an amount: still marked
    assert dialog.value.property("invalid") is True and dialog.error.isVisible()
    dialog.value.clear()
    type_into(qtbot, dialog.value, "40k")
    assert dialog.value.property("invalid") is False
    assert not dialog.error.isVisible()  # the problem was about this field
    dialog.discard()


def test_the_value_read_back_sits_beside_the_field_with_no_gap_below(qtbot, window):
    dialog = _open_dialog(qtbot, window)
    type_into(qtbot, dialog.value, "$48,000")
    value, hint, close = (_box(w, dialog) for w in (dialog.value, dialog.value_hint,
                                                    dialog.close_date))
    assert hint.left() > value.right() and abs(hint.center().y() - value.center().y()) <= 2
    assert close.top() - value.bottom() <= 12  # the form's own spacing, no empty row
    dialog.discard()


def _process_events():
    from PySide6.QtWidgets import QApplication
    QApplication.processEvents()
