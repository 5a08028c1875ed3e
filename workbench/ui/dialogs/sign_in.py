"""Sign in to the vendor's server (F5 while signed out): server address, email, access token.

The token is checked with the server and goes to the OS keyring (services.syncing.sign_in);
with no keyring it is kept for this session only and the dialog says so. Nothing here needs the
command line.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from workbench.services import syncing
from workbench.store import records
from workbench.ui.context import Context
from workbench.ui.syncing import desktop_message
from workbench.ui.widgets import banner, fit_height, muted, primary, repolish, set_tone


def keyring_note(info: dict[str, Any]) -> str:
    """Where the token went: the keyring, or (no keyring) this session only."""
    warning = info.get("warning")
    if not warning:
        return "The token is stored in your system keyring."
    return f"{warning[0].upper()}{warning[1:]}."


def sign_in_problem(error: BaseException) -> tuple[str, str]:
    """(the field the problem is about: 'server', 'email', 'token' or '', the sentence to show)."""
    from workbench.sync import credentials, errors
    if isinstance(error, credentials.BadServerUrl):
        detail = str(error).split(": ", 1)[-1]
        return "server", f"Server address: {detail}."
    if isinstance(error, errors.Unreachable):
        return "server", ("No answer from that server address: check it, and that this computer "
                          "is online. Your work is kept here meanwhile.")
    if isinstance(error, errors.BadAnswer):
        return "server", "That address does not answer like a vendor's partner server."
    if isinstance(error, errors.AccessRevoked):
        return "token", ("The server did not accept this access token: copy it again from your "
                         "partner portal, or ask your channel manager for a new one.")
    if isinstance(error, errors.NotSignedIn):
        if "another user" in str(error):
            return "email", "This access token belongs to another user than this email address."
        return "token", "Access token: paste the token from your partner portal."
    return "", desktop_message(error)


class SignInDialog(QDialog):
    signed_in = Signal(object)  # the sign-in as a dict (server, email, partner_name, warning …)

    def __init__(self, ctx: Context, parent: QWidget | None = None, reason: str = "") -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Sign in to your vendor")
        self.setAccessibleName("Sign in")
        self.setFixedWidth(520)  # grows downwards only when a message appears (fit_height)
        state = ctx.read_now(lambda c: {k: records.get_state(c, k)
                                        for k in ("server_url", "user_email")})
        layout = QVBoxLayout(self)
        intro = QLabel(reason or "Sign in once to sync with your vendor: your changes go out and "
                       "the vendor's decisions, leads and case answers come in. Until then "
                       "everything works offline and is kept on this computer.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.server = QLineEdit(state["server_url"] or
                                str(ctx.settings.value("sync/server_url", "", type=str)))
        self.server.setPlaceholderText("https://partners.vendor.example")
        self.server.setAccessibleName("Server address")
        self.email = QLineEdit(state["user_email"] or "")
        self.email.setPlaceholderText("you@your-company.example (optional)")
        self.email.setAccessibleName("Email")
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("Access token from your partner portal")
        self.token.setAccessibleName("Access token")
        form.addRow("&Server address:", self.server)
        form.addRow("&Email:", self.email)
        form.addRow("Access &token:", self.token)
        layout.addLayout(form)
        where = muted("The token is kept in your system's keyring, never in the workbench's files.")
        layout.addWidget(where)
        self.message = banner("", "info")
        self.message.setAccessibleName("Sign-in message")
        self.message.setVisible(False)
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button = primary(self.buttons.addButton(
            "Sign &in", QDialogButtonBox.ButtonRole.AcceptRole))
        self.sign_in_button.setAccessibleName("Sign in")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.fields = {"server": self.server, "email": self.email, "token": self.token}
        for widget in self.fields.values():
            widget.textEdited.connect(lambda _t, w=widget: self._mark(w, False))
        (self.token if self.server.text() else self.server).setFocus()
        self.result_info: dict[str, Any] | None = None
        fit_height(self)

    def submit(self) -> None:
        if self.result_info is not None:  # signed in, the no-keyring note read: close
            self.accept()
            return
        server, email, token = (self.server.text().strip(), self.email.text(),
                                self.token.text().strip())
        if not server:
            self._problem("server", "Server address: enter the address your channel manager "
                                    "gave you, such as https://partners.vendor.example.")
            return
        if not token:
            self._problem("token", "Access token: paste the token from your partner portal.")
            return
        self.sign_in_button.setEnabled(False)
        self._say("Checking the token with the server…", "info")
        store = self.ctx.store
        self.ctx.tasks.write(lambda: syncing.sign_in(store, server, token,
                                                     email=email.strip() or None),
                             lambda signed: self._signed_in(signed.to_json()), self._failed,
                             long=True)

    def _signed_in(self, info: dict[str, Any]) -> None:
        self.token.clear()
        self.result_info = info
        self.ctx.settings.setValue("sync/server_url", info["server"])
        self.sign_in_button.setEnabled(True)
        self.signed_in.emit(info)
        if info.get("warning"):  # no keyring: say so before the dialog goes
            self._say(f"Signed in as {info['email']}. {keyring_note(info)}", "warning")
            self.sign_in_button.setText("&Close")
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setVisible(False)
            return
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.sign_in_button.setEnabled(True)
        field, text = sign_in_problem(error)
        self._problem(field, text)

    def _problem(self, field: str, text: str) -> None:
        for name, widget in self.fields.items():
            self._mark(widget, name == field)
        self._say(text, "rejected")
        if field in self.fields:
            self.fields[field].setFocus()

    @staticmethod
    def _mark(widget: QLineEdit, invalid: bool) -> None:
        widget.setProperty("invalid", invalid)
        repolish(widget)

    def _say(self, text: str, tone: str) -> None:
        self.message.setText(text)
        set_tone(self.message, tone)
        self.message.setVisible(bool(text))
        fit_height(self)
