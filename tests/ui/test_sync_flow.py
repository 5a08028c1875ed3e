"""Against the real vendor server on loopback: register offline, sign in, sync, see it approved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, Qt

from tests.ui.helpers import click, closed, type_into, wait_idle
from workbench.store import records

pytest.importorskip("uvicorn")


def test_register_offline_sync_and_see_it_approved(qtbot, make_window, store, vendor_server,
                                                   memory_keyring):
    partner_id = vendor_server.create_partner("Brightline Solutions", tier="gold")
    token = vendor_server.create_user(partner_id, "sam@brightline.example")
    window = make_window()

    # Offline: nobody signed in yet, the deal is saved and its submit queued.
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.register_dialog
    type_into(qtbot, dialog.customer, "Harbor Freight Lines")
    type_into(qtbot, dialog.domain, "harborfreight-lines.example")
    type_into(qtbot, dialog.product, "Analytics Suite")
    type_into(qtbot, dialog.value, "88000")
    dialog.close_date.setDate(QDate(date.today() + timedelta(days=30)))
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: closed(dialog))
    wait_idle(qtbot, window)
    page = window.pages["registrations"]
    qtbot.waitUntil(lambda: page.pill.text() == "Submitted")
    registration_id = page.current_id
    qtbot.waitUntil(lambda: window.pending_label.text() == "3 changes to send")

    # Sign in through Settings: the token goes to the keyring, then a sync starts by itself.
    settings = window.open_settings()
    settings.server.clear()
    type_into(qtbot, settings.server, vendor_server.url)
    type_into(qtbot, settings.token, token)
    with qtbot.waitSignal(window.sync.finished, timeout=30_000) as outcome:
        click(qtbot, settings.sign_in_button)
    assert outcome.args[0]["ok"], outcome.args[0]["message"]
    assert "Signed in as" in settings.who.text()
    assert list(memory_keyring.passwords.values()) == [token]
    settings.accept()

    # The vendor's decision arrived: approved, numbered, protected for 90 days.
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: page.pill.text() == "Approved", timeout=10_000)
    assert page.current_id == registration_id
    assert "90 days left" in page.notice.text()
    with store.reading() as conn:
        registration = records.get(conn, "registrations", registration_id)
    assert registration["registration_number"]
    status = next(n for n, c in enumerate(page.spec.columns) if c.key == "status")
    row = page.model.position_of(registration_id)
    assert page.model.index(row, status).data() == "Approved · 90 days left"
    qtbot.waitUntil(lambda: window.pending_label.text() == "0 changes to send")
    assert "Online" in window.online_label.text()
    assert window.last_sync_label.text() == "Last sync: just now"

    # The vendor assigns a lead; F5 brings it in.
    vendor_server.admin.assign_lead(partner_id, "Summit Outdoor Gear")
    window.activateWindow()  # the settings dialog had the focus
    qtbot.waitUntil(window.isActiveWindow)
    with qtbot.waitSignal(window.sync.finished, timeout=30_000):
        qtbot.keyClick(window, Qt.Key.Key_F5)
    leads = window.show_page("leads")
    wait_idle(qtbot, window)
    assert leads.model.rowCount() == 1
    assert leads.model.index(0, 0).data() == "Summit Outdoor Gear"
