"""The content library: the vendor's documents for the partner's tier, cached at each sync so
they open offline. Opening one tells the vendor (a download in the engagement score)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QVBoxLayout

from workbench.domain import attachments as file_rules
from workbench.services import content
from workbench.ui import format as fmt
from workbench.ui.tablemodel import Column, TableSpec
from workbench.ui.views.base import ListPage
from workbench.ui.widgets import RecordForm, banner, button, primary

SPEC = TableSpec(
    entity="content_items",
    columns=(
        Column("title", "Document", sort="title", stretch=True, samples=("2027 price list",)),
        Column("tier", "For", sort="tier", samples=("Every tier", "Platinum and up"),
               display=lambda r: f"{fmt.label(r.get('tier'))} and up" if r.get("tier")
               else "Every tier"),
        Column("filename", "File", sort="filename", samples=("partner-pitch-deck.pptx",)),
        Column("size_bytes", "Size", sort="size_bytes", right=True, samples=("25.0 MB",),
               display=lambda r: file_rules.human_size(r.get("size_bytes") or 0)),
        Column("published_at", "Published", sort="published_at", samples=("30 Sep 2027",),
               display=lambda r: fmt.day(r.get("published_at"))),
    ),
    search=("title", "description", "filename"),
    default_sort="published_at",
    descending=True,
)


def _system_open(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class ContentPage(ListPage):
    title = "Content"
    hint = ("Price lists, decks and co-branded assets the vendor published for your tier; "
            "kept on this computer at each sync.")
    search_placeholder = "Search documents  (Ctrl+F)"
    spec = SPEC

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.opener = _system_open  # replaced in tests
        self.save_picker: QFileDialog | None = None
        self.item: dict[str, Any] = {}

    def build_detail(self, layout: QVBoxLayout) -> None:
        self.add_detail_heading(layout)
        self.pill.hide()
        self.notice = banner()
        layout.addWidget(self.notice)
        self.form = RecordForm("content_items", ["tier", "filename", "size_bytes",
                                                 "published_at", "description"], {
            "tier": lambda r: f"{fmt.label(r.get('tier'))} and up" if r.get("tier")
            else "Every tier",
            "size_bytes": lambda r: file_rules.human_size(r.get("size_bytes") or 0),
            "published_at": lambda r: fmt.day(r.get("published_at")),
        }, titles={"tier": "For", "filename": "File", "size_bytes": "Size",
                   "published_at": "Published"})
        layout.addWidget(self.form)
        row = QHBoxLayout()
        self.open_button = primary(button("&Open", "Open the document", self.open_document,
                                          "Open it (the vendor counts it as a download)"))
        self.copy_button = button("Save a &copy…", "Save a copy", self.pick_target)
        row.addWidget(self.open_button)
        row.addWidget(self.copy_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)

    def show_detail(self, record_id: str | None) -> None:
        items = {r["id"]: r for r in content.list_content(self.ctx.store)} if record_id else {}
        item = items.get(record_id or "", {})
        self.item = item
        self.detail.setEnabled(bool(item))
        self.heading.setText(item.get("title") or "No document selected")
        self.form.show_record(item)
        viewable = file_rules.viewable(item.get("filename"))
        if not item:
            self.notice.setText("")
        elif not item.get("cached"):
            self.notice.setText("Not on this computer yet: it arrives with the next sync (or "
                                "opens from the vendor server now).")
        elif not viewable:
            self.notice.setText("This kind of file is not opened by the workbench; save a copy.")
        else:
            self.notice.setText("On this computer: opens offline.")
        self.notice.setVisible(bool(item))
        self.open_button.setEnabled(bool(item) and viewable)
        self.copy_button.setEnabled(bool(item))

    def open_document(self) -> None:
        if self.item:
            item_id = self.item["id"]
            self.write(lambda: content.open_content(self.ctx.store, item_id), self._opened)

    def _opened(self, opened: dict[str, Any]) -> str:
        if file_rules.viewable(opened.get("filename")):
            self.opener(Path(opened["opened"]))
        return f"Opened {opened['title']}"

    def pick_target(self) -> QFileDialog | None:
        if not self.item:
            return None
        picker = QFileDialog(self, "Save a copy")
        picker.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        picker.selectFile(self.item.get("filename") or "document")
        item_id = self.item["id"]
        picker.fileSelected.connect(lambda name: self.save_copy(item_id, Path(name)))
        self.save_picker = picker
        picker.open()
        return picker

    def save_copy(self, item_id: str, target: Path) -> None:
        self.write(lambda: content.open_content(self.ctx.store, item_id, target),
                   lambda saved: f"Saved a copy to {saved['opened']}")
