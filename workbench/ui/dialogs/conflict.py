"""Resolve conflicts side by side: base (when you started) / mine / theirs (the server's).

One dialog per record: every open conflict of that record is a row with the three values and a
choice — keep mine, take theirs, or edit a value. Applying is one service call
(workbench.services.conflicts.resolve_conflicts): every row in one transaction.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from workbench.services import conflicts as resolutions
from workbench.sync import conflicts as conflict_api
from workbench.ui.context import Context
from workbench.ui.widgets import banner, primary, set_tone

CHOICES = ("mine", "theirs", "edit")


def _text(value: Any) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def load(conn: sa.Connection, conflict_id: str) -> list[dict[str, Any]]:
    """The conflict and the other open conflicts of the same record."""
    first = conflict_api.get_conflict(conn, conflict_id)
    same = [c for c in conflict_api.list_conflicts(conn)
            if c["entity"] == first["entity"] and c["record_id"] == first["record_id"]]
    return same or [first]


class _Row:
    def __init__(self, conflict: dict[str, Any]) -> None:
        self.conflict = conflict
        self.group = QButtonGroup()
        self.mine = QRadioButton("Keep &mine")
        self.theirs = QRadioButton("Take &theirs")
        self.edit = QRadioButton("&Edit:")
        label = conflict["field_label"]
        for number, button in enumerate((self.mine, self.theirs, self.edit)):
            self.group.addButton(button, number)
            button.setAccessibleName(f"{button.text().replace('&', '').rstrip(':')} for {label}")
        self.mine.setChecked(True)
        self.value = QLineEdit(_text(conflict["mine_value"]) if conflict["mine_value"] is not None else "")
        self.value.setAccessibleName(f"Edited value for {label}")
        self.value.setEnabled(False)
        self.edit.toggled.connect(self.value.setEnabled)
        self.value.textEdited.connect(lambda _t: self.edit.setChecked(True))

    def decision(self) -> tuple[str, str, str]:
        choice = CHOICES[self.group.checkedId()]
        return self.conflict["id"], choice, self.value.text()


class ConflictDialog(QDialog):
    resolved = Signal(int)

    def __init__(self, ctx: Context, conflicts: list[dict[str, Any]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        first = conflicts[0]
        record = first.get("record_title") or first["record_id"][:8]
        title = f"Resolve conflict — {first['entity_label']}: {record}"
        self.setWindowTitle(title)
        self.setAccessibleName("Resolve conflict")
        self.setMinimumWidth(760)
        layout = QVBoxLayout(self)
        intro = QLabel("You and the vendor changed the same field since your last sync. Choose "
                       "what should stay; nothing is overwritten until you apply.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)
        for column, heading in enumerate(("Field", "Base (before both edits)", "Mine (this computer)",
                                          "Theirs (vendor server)")):
            label = QLabel(heading)
            label.setObjectName("sectionTitle")
            grid.addWidget(label, 0, column)
        self.rows: list[_Row] = []
        for number, conflict in enumerate(conflicts):
            line = 1 + number * 2
            row = _Row(conflict)
            self.rows.append(row)
            grid.addWidget(QLabel(conflict["field_label"]), line, 0, Qt.AlignmentFlag.AlignTop)
            for column, key in ((1, "base_value"), (2, "mine_value"), (3, "theirs_value")):
                box = QPlainTextEdit(_text(conflict[key]))
                box.setReadOnly(True)
                box.setFixedHeight(60)
                box.setAccessibleName(f"{('Base', 'Mine', 'Theirs')[column - 1]} value of "
                                      f"{conflict['field_label']}")
                grid.addWidget(box, line, column)
            choices = QWidget()
            choice_layout = QGridLayout(choices)
            choice_layout.setContentsMargins(0, 2, 0, 10)
            choice_layout.addWidget(row.mine, 0, 0)
            choice_layout.addWidget(row.theirs, 0, 1)
            choice_layout.addWidget(row.edit, 0, 2)
            choice_layout.addWidget(row.value, 0, 3)
            choice_layout.setColumnStretch(3, 1)
            grid.addWidget(choices, line + 1, 1, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        grid.setColumnStretch(3, 1)
        layout.addLayout(grid)
        self.error = banner("", "rejected")
        self.error.setVisible(False)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = primary(buttons.addButton("&Apply", QDialogButtonBox.ButtonRole.AcceptRole))
        self.apply_button.setAccessibleName("Apply resolution")
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumSize(self.sizeHint())  # rows never overlap, whatever the platform does
        self.rows[0].mine.setFocus()

    def apply(self) -> None:
        decisions = [row.decision() for row in self.rows]
        self.apply_button.setEnabled(False)
        self.ctx.tasks.write(lambda: resolutions.resolve_conflicts(self.ctx.store, decisions),
                             self._done, self._failed)

    def _done(self, rows: list[dict[str, Any]]) -> None:
        self.resolved.emit(len(rows))
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.apply_button.setEnabled(True)
        self.error.setText(str(error))
        set_tone(self.error, "rejected")
        self.error.setVisible(True)
