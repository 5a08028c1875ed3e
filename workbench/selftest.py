"""`workbench --self-test`: check an installation (source tree or PyInstaller bundle) end to end.

Made for machines with no display and no network, such as a CI runner checking a freshly built
bundle: it opens a fresh store in a temporary folder (running the Alembic migrations shipped with
the build), creates an account and a registration, runs the duplicate check and the submit
transition, renders a scorecard PDF, and opens and closes the main window. One line per check;
exit 0 when all pass, 1 naming the failing step otherwise. Nothing outside the temporary folder is
touched (own settings file, no lock, no demo, no keyring writes).
"""

from __future__ import annotations

import base64
import os
import re
import socket
import sys
import tempfile
import time
import traceback
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

from workbench import __version__

EXIT_OK, EXIT_FAILED = 0, 1


class CheckFailed(AssertionError):
    """A self-test check found something wrong; the message says what."""


def _ensure(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def _use_offscreen_without_display() -> str:
    # Qt aborts the process (not an exception) when it cannot open the display: pick offscreen
    # before the QApplication exists unless a window can really open here.
    from workbench.ui.display import display_problem
    if display_problem() is not None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    return os.environ.get("QT_QPA_PLATFORM", "default")


@contextmanager
def _no_network() -> Iterator[None]:
    """Refuse IP connections while the checks run: the self-test must pass on an offline machine,
    so anything reaching out (a sync probe, a font download) is a bug it should report."""
    original = socket.socket.connect

    def refuse(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise CheckFailed(f"self-test tried to connect to {address!r} (must work offline)")
        return original(self, address)

    with patch.object(socket.socket, "connect", refuse):  # for the checks' duration only
        yield


class SelfTest:
    """The checks share one temporary folder and store; each returns its report detail."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.store: Any = None
        self.account: dict[str, Any] = {}
        self.registration: dict[str, Any] = {}

    def checks(self) -> list[tuple[str, Callable[[], str]]]:
        return [("store", self.open_store), ("account", self.create_account),
                ("registration", self.create_registration), ("duplicates", self.check_duplicates),
                ("submit", self.submit_registration), ("scorecard pdf", self.render_pdf),
                ("keyring", self.check_keyring), ("window", self.open_window)]

    def open_store(self) -> str:
        from workbench.store.db import current_revision, head_revision, migrations_dir, open_store
        self.store = open_store(self.folder / "data")
        revision, head = current_revision(self.store.engine), head_revision()
        _ensure(revision == head, f"store at revision {revision}, expected head {head}")
        return f"migrated to {head} from {migrations_dir()}"

    def create_account(self) -> str:
        from workbench.services.accounts import add_account
        from workbench.store import records
        self.account = add_account(self.store, {
            "name": "Müller Präzisionstechnik GmbH", "domain": "mueller-praezision.example",
            "country": "DE"}).result
        with self.store.reading() as conn:
            stored = records.get(conn, "accounts", self.account["id"])
        _ensure(stored["name"] == "Müller Präzisionstechnik GmbH", "account name not stored as given")
        return f"created {self.account['id'][:8]} {stored['name']}"

    def create_registration(self) -> str:
        from workbench.services.registrations import Deal, register_deal
        close = (date.today() + timedelta(days=60)).isoformat()
        self.registration = register_deal(self.store, Deal(
            account_id=self.account["id"], deal_value=4_000_000, expected_close_date=close,
            product="Self-test Suite")).result.registration
        _ensure(self.registration["status"] == "draft",
                f"new registration is {self.registration['status']!r}, expected 'draft'")
        return f"drafted {self.registration['id'][:8]} (status draft)"

    def check_duplicates(self) -> str:
        from workbench.store import duplicates
        with self.store.reading() as conn:
            index = duplicates.build_index(conn)
        # A differently spelt name with the same domain: what a rep typing it again would enter.
        matches = duplicates.check(index, "Mueller Prazisionstechnik", "mueller-praezision.example",
                                   exclude_ids=frozenset({self.registration["id"]}))
        _ensure(any(m.candidate.id == self.account["id"] for m in matches),
                "the duplicate check did not find the account just created")
        best = matches[0]
        return f"found the account ({best.score:.0f}%: {'; '.join(best.reasons)})"

    def submit_registration(self) -> str:
        from workbench.domain.registration import IllegalTransition
        from workbench.services.registrations import registration_action
        from workbench.store import records
        submitted = registration_action(self.store, self.registration["id"], "submit").result
        with self.store.reading() as conn:
            pending = records.pending_count(conn)
        _ensure(submitted["status"] == "submitted",
                f"after submit the status is {submitted['status']!r}, expected 'submitted'")
        try:  # the state machine must refuse a second submit
            registration_action(self.store, self.registration["id"], "submit")
        except IllegalTransition:
            pass
        else:
            raise CheckFailed("a submitted registration could be submitted again")
        return f"draft -> submitted, second submit refused, {pending} change(s) queued for sync"

    def render_pdf(self) -> str:
        from workbench.reports.pdf import render_scorecard_pdf
        from workbench.reports.scorecard import load_scorecard
        card = load_scorecard(self.store)
        path = render_scorecard_pdf(card, self.folder / "scorecard.pdf")
        content = path.read_bytes()
        _ensure(content.startswith(b"%PDF-") and b"%%EOF" in content[-64:], "not a complete PDF")
        _ensure(b"DejaVuSans" in content, "the DejaVu Sans font is not embedded")
        shown = _text_operators(content)
        _ensure(shown > 0, "the PDF has no text")
        return f"{len(content) // 1024} KiB, {shown} text runs, DejaVu Sans embedded"

    def check_keyring(self) -> str:
        # keyring finds its backends through entry points (package metadata): a bundle without
        # that metadata silently has none. Whether a backend is usable depends on the desktop
        # session; without one the app keeps the token for the session and says so.
        from importlib.metadata import entry_points

        import keyring
        import keyring.backends.fail
        names = sorted(ep.name for ep in entry_points(group="keyring.backends"))
        _ensure(bool(names), "no keyring backends registered (package metadata missing)")
        for entry_point in entry_points(group="keyring.backends"):
            # keyring swallows a backend that fails to import; a bundle missing a module would
            # then fall back to "no keyring" on every desktop, so import each one here.
            try:
                entry_point.load()
            except ImportError as error:
                raise CheckFailed(f"keyring backend {entry_point.name} cannot be imported: "
                                  f"{error}") from None
        backend = keyring.get_keyring()
        usable = not isinstance(backend, keyring.backends.fail.Keyring)
        state = type(backend).__module__.rsplit(".", 1)[-1] if usable else \
            "none usable here (the app keeps the token for the session)"
        return f"backends {', '.join(names)}; active: {state}"

    def open_window(self) -> str:
        from PySide6.QtCore import QSettings

        from workbench.ui.app import application, create_window
        app = application()
        # Settings in the temporary folder: the self-test must not change the user's.
        settings = QSettings(str(self.folder / "settings.ini"), QSettings.Format.IniFormat)
        window = create_window(self.store, settings)
        # show() without start(): start() begins the sync timers and the online probe.
        window.show()
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and not window.isVisible():
            app.processEvents()
        app.processEvents()
        visible, title = window.isVisible(), window.windowTitle()
        window.close()
        app.processEvents()
        window.deleteLater()
        app.processEvents()
        _ensure(visible, "the main window did not become visible")
        return f"opened and closed {title!r} on Qt platform {app.platformName()}"

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


def _text_operators(pdf: bytes) -> int:
    """How many text-showing operators (Tj/TJ) the PDF's content streams hold.

    reportlab writes page contents ASCII85 + Flate encoded (`~>` ends the ASCII85 part) and other
    streams Flate only; anything else (images) is skipped.
    """
    count = 0
    for match in re.finditer(rb"(?<!end)stream\r?\n", pdf):
        rest = pdf[match.end():]
        try:
            if not rest.startswith(b"x"):  # not a zlib header: try ASCII85 first
                rest = base64.a85decode(rest[:rest.index(b"~>")].replace(b"\n", b""))
            # decompressobj stops at the end of the compressed data: no need to parse /Length.
            data = zlib.decompressobj().decompress(rest)
        except (ValueError, zlib.error):
            continue
        count += len(re.findall(rb"[)>\]]\s*T[jJ]\b", data))
    return count


def run() -> int:
    platform = _use_offscreen_without_display()
    frozen = "bundle" if getattr(sys, "frozen", False) else "source"
    print(f"workbench {__version__} self-test ({frozen}, Python {sys.version.split()[0]}, "
          f"Qt platform {platform})", flush=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="workbench-selftest-") as temporary:
        test = SelfTest(Path(temporary))
        try:
            with _no_network():
                for name, check in test.checks():
                    began = time.monotonic()
                    try:
                        detail = check()
                    except Exception as error:  # any failure is reported under the step's name
                        print(f"FAIL {name}: {type(error).__name__}: {error}", flush=True)
                        traceback.print_exc(file=sys.stderr)
                        print(f"self-test failed at step '{name}'", flush=True)
                        return EXIT_FAILED
                    print(f"ok   {name} ({time.monotonic() - began:.2f} s): {detail}", flush=True)
        finally:
            test.close()
    print(f"self-test passed in {time.monotonic() - started:.1f} s", flush=True)
    return EXIT_OK
