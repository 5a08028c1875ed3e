"""The demo's menus offer the vendor console (under Help and Demo vendor)."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtWidgets import QMainWindow

from workbench.ui.demo_menu import add_demo_menu


def test_help_and_demo_vendor_menus_offer_the_console(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.menuBar().addMenu("&Help")
    environment = SimpleNamespace(vendor=None, partner_id="p", console_url="http://x/console/",
                                  console_sign_in=lambda: "Vendor console: http://x/console/")
    add_demo_menu(window, environment)
    menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
    for name in ("Help", "Demo vendor"):
        texts = [a.text().replace("&", "") for a in menus[name].actions()]
        assert "Vendor console (sign-in)…" in texts
