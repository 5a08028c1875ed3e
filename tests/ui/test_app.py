"""Application plumbing: one window per data folder, settings read back typed, scorecard PDF."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from tests.ui.helpers import click, wait_idle
from workbench.ui.app import acquire_lock


def test_one_window_per_data_folder(data_dir):
    first = acquire_lock(data_dir)
    assert first is not None
    assert acquire_lock(data_dir) is None  # a second workbench on the same folder is refused
    first.unlock()
    again = acquire_lock(data_dir)
    assert again is not None
    again.unlock()


def test_settings_are_saved_and_read_back_with_their_types(qtbot, window, settings, tmp_path):
    dialog = window.open_settings()
    dialog.interval.setValue(30)
    dialog.data_dir.setText(str(tmp_path / "elsewhere"))
    dialog.save()
    assert window.sync.auto.interval() == 30 * 60_000
    reread = QSettings(settings.fileName(), QSettings.Format.IniFormat)  # as a new process would
    assert reread.value("sync/interval_minutes", 15, type=int) == 30
    assert reread.value("data/dir", "", type=str) == str(tmp_path / "elsewhere")
    dialog = window.open_settings()
    dialog.interval.setValue(0)  # off
    dialog.save()
    assert not window.sync.auto.isActive()


def test_sign_in_with_a_bad_server_address_says_why(qtbot, window):
    dialog = window.open_settings()
    dialog.server.setText("partners.example.com")  # no scheme
    dialog.token.setText("abc")
    click(qtbot, dialog.sign_in_button)
    qtbot.waitUntil(lambda: "Not signed in" in dialog.message.text())
    assert "Server address: expected an address such as https://" in dialog.message.text()
    wait_idle(qtbot, window)
    dialog.reject()


def test_export_the_scorecard_as_pdf_in_the_background(qtbot, window, tmp_path):
    page = window.show_page("scorecard")
    qtbot.waitUntil(lambda: page.card is not None, timeout=10_000)
    target = tmp_path / "qbr.pdf"
    page.export_pdf(target)
    assert not page.export_button.isEnabled()  # running, the window stays usable
    qtbot.waitUntil(lambda: page.exported is not None, timeout=20_000)
    assert target.read_bytes().startswith(b"%PDF")
    assert "Saved" in page.state.text()
    assert page.export_button.isEnabled()


def test_demo_without_the_demo_says_so_and_exits_with_its_code(qapp, tmp_path, monkeypatch,
                                                               capsys):
    """The bundle (or an install without the server extra) has no demo: say so, never open an
    empty window that looks like one."""
    import logging
    import sys

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    from workbench.ui import app as app_module

    monkeypatch.setitem(sys.modules, "workbench.demo", None)  # as in the bundle: not there
    for variable in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
    handlers = list(logging.getLogger().handlers)
    seen: list[str] = []

    def close_the_message() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            return
        seen.append(box.text() if hasattr(box, "text") else "")
        box.close()
    poll = QTimer()
    poll.timeout.connect(close_the_message)
    poll.start(50)
    try:
        with pytest.raises(SystemExit) as exit_:
            app_module.run(data_dir=tmp_path / "demo", demo=True)
    finally:
        poll.stop()
        for handler in set(logging.getLogger().handlers) - set(handlers):
            logging.getLogger().removeHandler(handler)
            handler.close()
    assert exit_.value.code == app_module.EXIT_DEMO_UNAVAILABLE == 6
    assert seen and "server extra" in seen[0] and "not part of this installation" in seen[0]
    assert "server extra" in capsys.readouterr().err
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QMainWindow) and w.isVisible()]  # no empty window
