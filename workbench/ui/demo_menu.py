"""`workbench --demo`: a "Demo vendor" menu that makes the embedded vendor act, then syncs.

So a newcomer can watch sync work: approve or reject what they submitted, receive a lead, get a
case answered. Each act runs in the background on the demo server's admin API.
"""

from __future__ import annotations

import random
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QMessageBox

from workbench.store import records
from workbench.ui.tasks import Task

LEAD_COMPANIES = ("Alpine Outfitters", "Blue Harbor Shipping", "Cedar Grove Clinics",
                  "Delta Microsystems", "Evergreen Retail", "Fjord Analytics")


def add_demo_menu(window: Any, environment: Any) -> None:
    vendor, partner_id = environment.vendor, environment.partner_id
    menu = window.menuBar().addMenu("&Demo vendor")
    rng = random.Random()

    def pending() -> list[dict[str, Any]]:
        return [r for r in vendor.list_registrations(partner_id=partner_id)
                if r["status"] in ("submitted", "pending_review")]

    def approve_all() -> str:
        rows = pending()
        for row in rows:
            vendor.approve(row["id"])
        return f"The vendor approved {len(rows)} registration(s)"

    def reject_one() -> str:
        rows = pending()
        if not rows:
            return "Nothing is waiting for a decision: submit a registration first (Ctrl+N)"
        vendor.reject(rows[0]["id"], "the customer is a named account of the vendor's direct team")
        return f"The vendor rejected the registration for {rows[0]['customer_name']}"

    def assign_lead() -> str:
        company = rng.choice(LEAD_COMPANIES)
        vendor.assign_lead(partner_id, company, contact_name="Alex Morgan", source="Webinar")
        return f"The vendor assigned a new lead: {company}"

    def answer_case() -> str:
        # The vendor's admin API has no case list; the rep's synced cases name the candidates.
        with window.ctx.store.reading() as conn:
            cases = [c for c in records.list_records(conn, "cases", order_by="created_at")
                     if c["status"] in ("new", "open") and c["version"] > 0]
        if not cases:
            return "No open case to answer: open one in Cases (Alt+O)"
        vendor.add_case_comment(cases[0]["id"], "Could you send the log files from the affected server?")
        vendor.set_case_status(cases[0]["id"], "waiting_on_partner")
        return f"Support answered “{cases[0]['subject']}” and waits for you"

    def act(fn: Any) -> None:
        def done(message: str) -> None:
            window.statusBar().showMessage(message + " — syncing…", 8000)
            window.sync_now()
        window.ctx.tasks.run(Task(fn), done, lambda e: window.ctx.fail(window, e, "Demo vendor"))

    def open_console() -> None:
        """The vendor's real console in the browser: play the channel manager's side."""
        box = QMessageBox(window)
        box.setWindowTitle("Vendor console")
        box.setText("The demo vendor's web console — the channel manager's side of the program.")
        box.setInformativeText(environment.console_sign_in())
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        opener = box.addButton("Open in browser", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.exec()
        if box.clickedButton() is opener:
            QDesktopServices.openUrl(QUrl(environment.console_url))

    if getattr(environment, "console_url", None):
        for target in (menu, _help_menu(window)):
            if target is None:
                continue
            action = QAction("Vendor &console (sign-in)…", window)
            action.triggered.connect(open_console)
            target.addAction(action)
        menu.addSeparator()

    for text, fn in (("&Approve everything submitted", approve_all),
                     ("&Reject one submitted registration", reject_one),
                     ("Assign a new &lead", assign_lead),
                     ("Answer a support &case", answer_case)):
        action = QAction(text, window)
        action.triggered.connect(lambda _=False, f=fn: act(f))
        menu.addAction(action)


def _help_menu(window: Any) -> Any:
    for action in window.menuBar().actions():
        if action.menu() is not None and action.text().replace("&", "") == "Help":
            return action.menu()
    return None
