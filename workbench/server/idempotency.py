"""How long the server remembers the answer to each pushed op, and what it says after that.

Every op's answer is stored under (user, op id) so a replayed op answers the same and changes
nothing (push.py). Keeping them forever grows without end, so the vendor's scheduled jobs call
`prune_applied_ops` to drop answers older than IDEMPOTENCY_WINDOW — far longer than any laptop
stays offline with a batch sent but not acknowledged.

A replay that comes after its answer was dropped must not be applied a second time. The client
stamps each op with `sent_at`, when it first sent it (the same on every resend); an op with no
stored answer whose `sent_at` is older than the window (less SENT_AT_SKEW, for a laptop clock
running fast) may have been applied already, so it is refused with code "resync": the client
keeps the server's record, and the rep redoes the change if it is missing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from workbench.domain.values import format_datetime, utc_now
from workbench.server.schema import applied_ops
from workbench.sync.protocol import (
    IDEMPOTENCY_WINDOW_DAYS,
    Operation,
    OpResult,
    sent_moment,
)

IDEMPOTENCY_WINDOW = timedelta(days=IDEMPOTENCY_WINDOW_DAYS)
SENT_AT_SKEW = timedelta(days=1)  # answers outlive the refusal horizon by this much
RESYNC = "resync"


def prune_applied_ops(engine: sa.Engine, now: datetime | None = None) -> int:
    """Forget the answers of ops applied more than IDEMPOTENCY_WINDOW before `now`; returns how
    many. Safe to run at any time, alongside pushes: nothing still replayable is dropped."""
    cutoff = format_datetime((now or utc_now()) - IDEMPOTENCY_WINDOW)
    with engine.begin() as conn:
        return conn.execute(sa.delete(applied_ops).where(applied_ops.c.created_at < cutoff)
                            ).rowcount


def too_old_to_replay(op: Operation, now: datetime) -> bool:
    """An op without a stored answer that was first sent so long ago that its answer, had it
    been applied, may have been pruned."""
    return op.sent_at is not None and \
        sent_moment(op.sent_at) < now - IDEMPOTENCY_WINDOW + SENT_AT_SKEW


def resync_answer(op: Operation) -> OpResult:
    first_sent = sent_moment(op.sent_at or "")  # its own offset: never out of range
    return OpResult(
        op.op_id, "rejected", code=RESYNC, field="sent_at",
        reason=f"resync: this change was first sent on {first_sent:%Y-%m-%d}, longer ago than "
               f"the server keeps answers ({IDEMPOTENCY_WINDOW_DAYS} days), so it cannot tell "
               "whether it was applied and did not apply it again; your workbench now shows the "
               "record as the server has it — make the change again if it is missing")
