"""The window as a whole: navigation, shortcuts, status bar, remembered geometry, accessibility."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Qt
from PySide6.QtWidgets import (QAbstractSpinBox, QCheckBox, QComboBox, QLineEdit, QPlainTextEdit,
                               QPushButton, QRadioButton, QTableView, QTreeWidget, QWidget)

from tests.ui.helpers import wait_idle
from workbench.store import records
from workbench.sync import credentials
from workbench.ui.main_window import PAGES


def test_every_page_opens_with_ctrl_and_its_number(qtbot, window):
    for number, (key, title, _cls) in enumerate(PAGES):
        digit = (number + 1) % 10  # Ctrl+1 … Ctrl+9, Ctrl+0 for the tenth page
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + digit), Qt.KeyboardModifier.ControlModifier)
        assert window.current_key() == key
        assert window.stack.currentWidget() is window.pages[key]
        wait_idle(qtbot, window)
    assert window.pages["scorecard"].table.topLevelItemCount() > 5  # the reports API filled it
    today = window.pages["today"]
    assert today.cards["registrations"].value.text() == "3"  # approved 80, 78 and 86 days ago
    assert today.lists["leads"].topLevelItemCount() == 4


def test_ctrl_f_searches_the_current_list(qtbot, window):
    page = window.show_page("accounts")
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus()
    qtbot.keyClicks(page.search, "globex")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)  # search as you type
    assert page.heading.text() == "Globex GmbH"
    assert "Contacts (3)" in page.sections.itemText(0)  # two synced and one added offline


def test_status_bar_shows_connection_pending_changes_and_conflicts(qtbot, window):
    qtbot.waitUntil(lambda: window.pending_label.text() == "2 changes to send")
    assert window.conflicts_label.text() == "1 conflict"
    assert "Not signed in" in window.online_label.text()
    assert window.last_sync_label.text().startswith("Last sync: 2 h ago")


def test_geometry_and_page_are_remembered(qtbot, make_window, sample, settings):
    first = make_window(resize=False)
    first.resize(1200, 700)
    first.show_page("leads")
    first.close()
    assert settings.value("window/page", type=str) == "leads"
    second = make_window(resize=False)
    assert second.current_key() == "leads"
    assert second.geometry_restored
    # Offscreen Qt's screen is 800×600, so restoreGeometry may clamp the size: compare heights.
    assert second.height() == 700


def test_interactive_widgets_have_accessible_names(qtbot, window):
    for key in window.pages:
        window.show_page(key)
    wait_idle(qtbot, window)
    unnamed = []
    kinds = (QPushButton, QCheckBox, QRadioButton, QLineEdit, QComboBox, QPlainTextEdit, QTableView,
             QTreeWidget)  # what a person operates (not Qt's own corner and scroll buttons)
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, kinds):
            continue
        if isinstance(widget, QLineEdit) and isinstance(widget.parent(), (QComboBox, QAbstractSpinBox)):
            continue  # the editor inside a combo box or date edit: named through its owner
        if not widget.accessibleName():
            unnamed.append(f"{type(widget).__name__} {getattr(widget, 'text', lambda: '')()!r}")
    assert unnamed == []


def test_sync_against_an_unreachable_server_keeps_the_window_responsive(qtbot, window, store):
    with store.transaction() as conn:  # signed in once, now the server is gone
        for key, value in (("server_url", "http://127.0.0.1:9"), ("user_email", "sam@brightline.example"),
                           ("signed_in", True)):
            records.set_state(conn, key, value)
    credentials.save_token("http://127.0.0.1:9", "sam@brightline.example", "secret-token")
    ticks: list[float] = []
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: ticks.append(time.monotonic()))
    heartbeat.start(20)
    try:
        qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        assert window.sync.running
        with qtbot.waitSignal(window.sync.finished, timeout=30_000) as outcome:
            pass
    finally:
        heartbeat.stop()
    assert outcome.args[0]["ok"] is False
    assert "unreachable" in outcome.args[0]["message"]
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert gaps and max(gaps) < 0.5  # the event loop kept running during the sync
    assert "Offline" in window.online_label.text()
    wait_idle(qtbot, window)
    assert window.pending_label.text() == "2 changes to send"  # nothing lost
    assert "Sync failed" in window.pages["sync"].state.text()
