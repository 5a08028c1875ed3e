"""The look: the style sheet (workbench/resources/style/workbench.qss) and the status colours."""

from __future__ import annotations

from workbench import resources

ACCENT = "#2563eb"

# tone -> (text colour, background colour)
TONES: dict[str, tuple[str, str]] = {
    "approved": ("#166534", "#dcfce7"),
    "ok": ("#166534", "#dcfce7"),
    "pending": ("#92400e", "#fef3c7"),
    "warning": ("#9a3412", "#ffedd5"),
    "rejected": ("#991b1b", "#fee2e2"),
    "lapsed": ("#991b1b", "#fee2e2"),
    "draft": ("#334155", "#e2e8f0"),
    "info": ("#1e40af", "#dbeafe"),
    "closed": ("#475569", "#f1f5f9"),
}

_STATUS_TONES = {
    # registrations
    "draft": "draft", "submitted": "info", "pending_review": "pending", "approved": "approved",
    "rejected": "rejected", "won": "ok", "lost": "closed", "expired": "lapsed",
    "withdrawn": "closed",
    # leads
    "new": "info", "accepted": "approved", "contacted": "ok",
    # cases
    "open": "info", "waiting_on_partner": "warning", "waiting_on_customer": "pending",
    "escalated": "rejected", "resolved": "ok", "closed": "closed",
    # outbox
    "pending": "pending", "applied": "ok", "conflict": "warning",
    # MDF requests
    "claimed": "pending", "paid": "ok",
}


def style_sheet() -> str:
    """The sheet, pointing at its arrow images wherever the package is installed."""
    folder = resources.path("style")
    return resources.text("style", "workbench.qss").replace("@STYLE@", folder.as_posix())


def status_tone(status: str | None) -> str:
    return _STATUS_TONES.get(status or "", "")
