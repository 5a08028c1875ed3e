"""Small helpers for driving the window like a user."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from workbench.ui.main_window import MainWindow


def wait_idle(qtbot: Any, window: MainWindow, timeout: int = 10_000) -> None:
    """Until every background read/write has delivered its result."""
    qtbot.waitUntil(lambda: not window.ctx.tasks.busy(), timeout=timeout)
    QApplication.processEvents()


def type_into(qtbot: Any, widget: QWidget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClicks(widget, text)


def click(qtbot: Any, button: QWidget) -> None:
    assert button.isEnabled(), f"{button.accessibleName() or button} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def closed(widget: QWidget) -> bool:
    """Hidden, or already deleted (dialogs delete themselves on close)."""
    import shiboken6
    return not shiboken6.isValid(widget) or not widget.isVisible()
