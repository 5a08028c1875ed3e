"""Settings: the vendor server and sign-in (token to the OS keyring), auto-sync, data folder."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.services import syncing
from workbench.store import records
from workbench.ui.context import Context, setting_int
from workbench.ui.dialogs.sign_in import keyring_note, sign_in_problem
from workbench.ui.syncing import DEFAULT_INTERVAL_MIN
from workbench.ui.widgets import banner, primary, set_tone

MAX_FOLDER_WIDTH = 720  # the dialog stays well inside a 1366 px screen


class SettingsDialog(QDialog):
    signed_in = Signal(object)  # the sign-in as a dict, or None after signing out
    applied = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self.setMinimumWidth(540)
        state = ctx.read_now(lambda c: {k: records.get_state(c, k) for k in
                                        ("server_url", "user_email", "partner_name", "signed_in")})
        layout = QVBoxLayout(self)

        account = QGroupBox("Vendor server")
        form = QFormLayout(account)
        self.server = QLineEdit(state["server_url"]
                                or str(ctx.settings.value("sync/server_url", "", type=str)))
        self.server.setPlaceholderText("https://partners.vendor.example")
        self.server.setAccessibleName("Server address")
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("Access token from your partner portal")
        self.token.setAccessibleName("Access token")
        self.who = QLabel()
        self.who.setWordWrap(True)
        buttons = QHBoxLayout()
        self.sign_in_button = primary(QPushButton("Sign &in"))
        self.sign_in_button.setDefault(False)
        self.sign_in_button.setAccessibleName("Sign in")
        self.sign_in_button.clicked.connect(self.sign_in)
        self.sign_out_button = QPushButton("Sign &out")
        self.sign_out_button.setAccessibleName("Sign out")
        self.sign_out_button.clicked.connect(self.sign_out)
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.sign_out_button)
        buttons.addStretch(1)
        form.addRow("&Server:", self.server)
        form.addRow("&Token:", self.token)
        form.addRow("", self.who)
        form.addRow("", buttons)
        self.message = banner("", "info")
        self.message.setVisible(False)
        form.addRow(self.message)
        layout.addWidget(account)

        general = QGroupBox("Sync and data")
        form2 = QFormLayout(general)
        self.interval = QSpinBox()
        self.interval.setRange(0, 24 * 60)
        self.interval.setSuffix(" min")
        self.interval.setSpecialValueText("off")
        self.interval.setValue(setting_int(ctx.settings, "sync/interval_minutes",
                                           DEFAULT_INTERVAL_MIN))
        self.interval.setAccessibleName("Automatic sync interval in minutes")
        form2.addRow("&Auto-sync every:", self.interval)
        data_row = QHBoxLayout()
        self.data_dir = QLineEdit()
        self.data_dir.setAccessibleName("Data folder")
        self.data_dir.textChanged.connect(self.data_dir.setToolTip)
        self._show_folder(str(ctx.settings.value("data/dir", str(ctx.store.data_dir), type=str)))
        browse = QPushButton("&Choose…")
        browse.setAccessibleName("Choose data folder")
        browse.clicked.connect(self._browse)
        data_row.addWidget(self.data_dir, 1)
        data_row.addWidget(browse)
        data_label = QLabel("&Data folder:")
        data_label.setBuddy(self.data_dir)  # a row holding a layout gets no buddy by itself
        form2.addRow(data_label, data_row)
        note = QLabel(f"In use now: {ctx.store.data_dir}. A new folder is used from the next start.")
        note.setObjectName("muted")
        note.setWordWrap(True)
        form2.addRow("", note)
        layout.addWidget(general)

        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.save)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self._show_user(state if state["signed_in"] else None)

    def _show_user(self, state: dict[str, Any] | None) -> None:
        if state and state.get("user_email"):
            partner = f" for {state['partner_name']}" if state.get("partner_name") else ""
            self.who.setText(f"Signed in as <b>{state['user_email']}</b>{partner}.")
        else:
            self.who.setText("Not signed in. Your work is kept on this computer until you are.")
        self.sign_out_button.setEnabled(bool(state))

    def sign_in(self) -> None:
        server, token = self.server.text().strip(), self.token.text().strip()
        self.sign_in_button.setEnabled(False)
        self._say("Checking the token with the server…", "info")
        self.ctx.tasks.write(lambda: syncing.sign_in(self.ctx.store, server, token),
                             lambda result: self._signed_in(result.to_json()),
                             self._sign_in_failed, long=True)

    def _signed_in(self, info: dict[str, Any]) -> None:
        self.token.clear()
        self.sign_in_button.setEnabled(True)
        self.ctx.settings.setValue("sync/server_url", info["server"])
        self._show_user({"user_email": info["email"], "partner_name": info["partner_name"]})
        self._say(f"Signed in. {keyring_note(info)}", "warning" if info["warning"] else "ok")
        self.signed_in.emit(info)

    def _sign_in_failed(self, error: BaseException) -> None:
        self.sign_in_button.setEnabled(True)
        self._say(f"Not signed in. {sign_in_problem(error)[1]}", "rejected")

    def sign_out(self) -> None:
        self.ctx.tasks.write(lambda: syncing.sign_out(self.ctx.store), self._signed_out,
                             lambda e: self._say(str(e), "rejected"), long=True)

    def _signed_out(self, _result: Any) -> None:
        self._show_user(None)
        self._say("Signed out. The token was removed; your data and unsent changes stay.", "info")
        self.signed_in.emit(None)

    def _say(self, text: str, tone: str) -> None:
        self.message.setText(text)
        set_tone(self.message, tone)
        self.message.setVisible(True)

    def _show_folder(self, folder: str) -> None:
        """The whole path where it fits (the field widens up to MAX_FOLDER_WIDTH), else its start."""
        self.data_dir.setText(folder)
        self.data_dir.setCursorPosition(0)  # a path read from its middle says nothing
        width = QFontMetrics(self.data_dir.font()).horizontalAdvance(folder) + 24
        self.data_dir.setMinimumWidth(min(max(width, 260), MAX_FOLDER_WIDTH))

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Data folder", self.data_dir.text())
        if folder:
            self._show_folder(folder)

    def save(self) -> None:
        self.ctx.settings.setValue("sync/interval_minutes", self.interval.value())
        if self.data_dir.text().strip() and self.data_dir.text().strip() != str(self.ctx.store.data_dir):
            self.ctx.settings.setValue("data/dir", self.data_dir.text().strip())
        self.ctx.settings.sync()
        self.applied.emit()
        self.accept()
