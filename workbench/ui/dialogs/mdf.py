"""Request market development funds, and claim them with proof files (saved offline)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.domain import attachments as file_rules
from workbench.domain.model import MDF_REQUESTS
from workbench.services import mdf
from workbench.ui import format as fmt
from workbench.ui.context import Context
from workbench.ui.widgets import banner, button, muted, primary, set_tone


class _Dialog(QDialog):
    saved = Signal(object)
    save_button: QPushButton

    def _error_banner(self, layout: QVBoxLayout) -> None:
        self.error = banner("", "rejected")
        self.error.setVisible(False)
        layout.addWidget(self.error)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        set_tone(self.error, "rejected")
        self.error.setVisible(True)

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self._show_error(str(error))

    def _saved(self, result: Any) -> None:
        self.saved.emit(result)
        self.accept()


def _line(name: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(MDF_REQUESTS.field(name).title)
    edit.setPlaceholderText(placeholder)
    return edit


class RequestMdfDialog(_Dialog):
    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Request marketing funds")
        self.setAccessibleName("Request marketing funds")
        self.setMinimumWidth(500)
        layout = QVBoxLayout(self)
        intro = muted("Saved here; the vendor's channel manager sees it for pre-approval after "
                      "the next sync.")
        layout.addWidget(intro)
        form = QFormLayout()
        self.activity = _line("activity_name", "e.g. Q1 customer webinar")
        self.budget = _line("requested_cents", "e.g. 5000 or $5,000")
        self.start = _line("start_date", "YYYY-MM-DD")
        self.end = _line("end_date", "YYYY-MM-DD")
        self.pipeline = _line("expected_pipeline_cents", "pipeline it should bring (optional)")
        self.description = QPlainTextEdit()
        self.description.setAccessibleName(MDF_REQUESTS.field("description").title)
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(80)
        form.addRow("&Activity:", self.activity)
        form.addRow("&Budget:", self.budget)
        form.addRow("&Start date:", self.start)
        form.addRow("&End date:", self.end)
        form.addRow("Expected &pipeline:", self.pipeline)
        form.addRow("&Description:", self.description)
        layout.addLayout(form)
        self._error_banner(layout)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = primary(buttons.addButton(
            "Send for pre-approval", QDialogButtonBox.ButtonRole.AcceptRole))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def save(self) -> None:
        request = mdf.MdfRequest(
            activity=self.activity.text(), budget=self.budget.text().strip() or None,
            start_date=self.start.text().strip() or None,
            end_date=self.end.text().strip() or None,
            expected_pipeline=self.pipeline.text().strip() or None,
            description=self.description.toPlainText())
        self.save_button.setEnabled(False)
        self.ctx.tasks.write(lambda: mdf.request_mdf(self.ctx.store, request), self._saved,
                             self._failed)


class ClaimMdfDialog(_Dialog):
    """The amount spent and the proof files, picked from disk (copied in when saved)."""

    def __init__(self, ctx: Context, record: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.record = record
        self.paths: list[Path] = []
        self.picker: QFileDialog | None = None
        self.setWindowTitle("Claim marketing funds")
        self.setAccessibleName("Claim marketing funds")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        approved = fmt.money(record.get("approved_cents")) if record.get("approved_cents") \
            else "the approved budget"
        self.intro = intro = muted(
            f"{record.get('activity_name')}: claim what you spent, up to {approved}, with proof "
            f"of performance (invoices, photos, attendee lists; {file_rules.MAX_LABEL} per "
            "file). The files are kept here and sent with the next sync.")
        layout.addWidget(intro)
        form = QFormLayout()
        self.amount = _line("claim_cents", "e.g. 3900 or $3,900")
        form.addRow("&Amount spent:", self.amount)
        layout.addLayout(form)
        files_label = QLabel("Proof &files:")
        layout.addWidget(files_label)
        self.files = QListWidget()
        self.files.setAccessibleName("Proof files")
        files_label.setBuddy(self.files)
        self.files.setFixedHeight(110)
        layout.addWidget(self.files)
        row = QHBoxLayout()
        row.addWidget(button("Add &files…", "Add proof files", self.pick_files))
        row.addWidget(button("&Remove", "Remove the selected file", self._remove))
        row.addStretch(1)
        layout.addLayout(row)
        self._error_banner(layout)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = primary(buttons.addButton("Claim", QDialogButtonBox.ButtonRole.AcceptRole))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def pick_files(self) -> QFileDialog:
        picker = QFileDialog(self, "Proof of performance")
        picker.setFileMode(QFileDialog.FileMode.ExistingFiles)
        picker.filesSelected.connect(lambda names: self.add_files([Path(n) for n in names]))
        self.picker = picker
        picker.open()
        return picker

    def add_files(self, paths: list[Path]) -> None:
        """Add picked files, saying at once which is too large (nothing is copied yet)."""
        for path in paths:
            try:
                size = path.stat().st_size
            except OSError as error:
                self._show_error(f"Proof file: {path} cannot be read ({error.strerror})")
                continue
            problem = file_rules.too_large(size, path.name)
            if problem:
                self._show_error(f"Proof file: {problem}")
                continue
            if path not in self.paths:
                self.paths.append(path)
                item = QListWidgetItem(f"{path.name}   {file_rules.human_size(size)}")
                item.setToolTip(str(path))
                self.files.addItem(item)

    def _remove(self) -> None:
        row = self.files.currentRow()
        if 0 <= row < len(self.paths):
            self.files.takeItem(row)
            del self.paths[row]

    def save(self) -> None:
        amount, paths, mdf_id = self.amount.text().strip(), list(self.paths), self.record["id"]
        self.save_button.setEnabled(False)
        self.ctx.tasks.write(lambda: mdf.claim_mdf(self.ctx.store, mdf_id, amount, paths),
                             self._saved, self._failed)


class LinkDealDialog(_Dialog):
    """Say which registered deal came from the activity: its pipeline and revenue then count
    for the activity's ROI (seed 003)."""

    def __init__(self, ctx: Context, record: dict[str, Any], deals: list[dict[str, Any]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.record = record
        self.setWindowTitle("Link a deal to the activity")
        self.setAccessibleName("Link a deal to the activity")
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        intro = muted(f"Which deal came from {record.get('activity_name')}? Its pipeline and "
                      "revenue count for the activity's ROI.")
        layout.addWidget(intro)
        self.deal = QComboBox()
        self.deal.setAccessibleName("Deal registration")
        for deal in deals:
            self.deal.addItem(f"{deal['customer_name']} · {fmt.money(deal.get('deal_value_cents'))}"
                              f" · {fmt.label(deal.get('status'))}", deal["id"])
        form = QFormLayout()
        form.addRow("&Deal:", self.deal)
        layout.addLayout(form)
        self._error_banner(layout)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = primary(buttons.addButton("Link", QDialogButtonBox.ButtonRole.AcceptRole))
        self.save_button.setEnabled(bool(deals))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def save(self) -> None:
        deal_id, mdf_id = self.deal.currentData(), self.record["id"]
        if not deal_id:
            return
        self.save_button.setEnabled(False)
        self.ctx.tasks.write(lambda: mdf.link_registration(self.ctx.store, deal_id, mdf_id),
                             self._saved, self._failed)
