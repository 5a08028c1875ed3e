"""The MDF view (issue 14 item 2): request funds, claim them with proof files picked from disk,
see the files and the figures — worked through the window like a rep would."""

from __future__ import annotations

import sqlalchemy as sa

from tests.ui.helpers import click, closed, type_into, wait_idle
from workbench.store.schema import RECORD_TABLES


def _approve_locally(store, mdf_id, cents):
    """What the next sync brings when the vendor pre-approves (vendor fields, written as a pull
    writes them)."""
    table = RECORD_TABLES["mdf_requests"]
    with store.transaction() as conn:
        conn.execute(sa.update(table).where(table.c.id == mdf_id)
                     .values(status="approved", approved_cents=cents, version=2))


def test_request_then_claim_with_proof_files(qtbot, window, store, tmp_path):
    page = window.show_page("mdf")
    dialog = page.open_request()
    type_into(qtbot, dialog.activity, "Partner summit booth")
    type_into(qtbot, dialog.budget, "$6,000")
    type_into(qtbot, dialog.start, "2027-04-01")
    type_into(qtbot, dialog.end, "2027-03-01")
    click(qtbot, dialog.save_button)
    wait_idle(qtbot, window)
    assert dialog.error.isVisible()
    assert dialog.error.text() == "End date: 2027-03-01 is before the start date 2027-04-01"
    dialog.end.clear()
    type_into(qtbot, dialog.end, "2027-04-03")
    click(qtbot, dialog.save_button)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: closed(dialog))
    qtbot.waitUntil(lambda: page.current_id is not None and page.pill.text() == "Submitted")
    assert "pre-approval" in page.confirmation.text()
    assert not page.claim_button.isEnabled()  # the vendor has not decided yet

    mdf_id = page.current_id
    _approve_locally(store, mdf_id, 500_000)
    page.show_detail(mdf_id)
    assert page.claim_button.isEnabled()
    claim = page.open_claim()
    assert "claim what you spent, up to $5,000" in claim.intro.text()
    invoice = tmp_path / "invoice.pdf"
    invoice.write_bytes(b"%PDF-1.4 invoice")
    huge = tmp_path / "recording.mov"
    with huge.open("wb") as stream:
        stream.truncate(2 * 1024 ** 3)  # 2 GB, sparse
    claim.add_files([invoice, huge])
    assert claim.files.count() == 1  # the 2 GB file is refused at once, before any copy
    assert "recording.mov is 2.0 GB; files may be at most 25 MB" in claim.error.text()
    type_into(qtbot, claim.amount, "$5,100")
    click(qtbot, claim.save_button)
    wait_idle(qtbot, window)
    assert claim.error.text() == ("Claimed amount: $5,100 is more than the approved budget of "
                                  "$5,000")
    claim.amount.clear()
    type_into(qtbot, claim.amount, "$4,800")
    click(qtbot, claim.save_button)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: closed(claim))
    qtbot.waitUntil(lambda: page.pill.text() == "Claimed")
    assert page.files.count() == 1
    assert page.files.item(0).text() == "invoice.pdf · 16 bytes · not sent yet"
    assert page.save_button.isEnabled()

    copy = tmp_path / "copy.pdf"
    page.save_file(page.files.item(0).data(256), copy)
    wait_idle(qtbot, window)
    qtbot.waitUntil(copy.exists)
    assert copy.read_bytes() == b"%PDF-1.4 invoice"


def test_the_sync_page_says_which_attached_file_the_server_refused():
    from workbench.ui.views.sync import outcome_text
    text = outcome_text({"pushed": 2, "pulled": 3, "rejected": [], "uploaded": 1,
                         "upload_problems": ["invoice.pdf: the bytes received do not match the "
                                             "file's SHA-256"]})
    assert text == ("Synced: sent 2, received 3, 1 attached file(s) sent, refused: invoice.pdf: "
                    "the bytes received do not match the file's SHA-256.")


def test_link_a_deal_so_its_pipeline_counts_for_the_activity(qtbot, window, store, sample):
    from workbench.services import mdf
    record = mdf.request_mdf(store, mdf.MdfRequest(activity="Roadshow", budget="$2,000")).result
    page = window.show_page("mdf")
    page.reload()
    page.select_record(record["id"])
    assert page.deals.text() == "Deals from it: none linked yet"
    dialog = page.open_link()
    assert dialog.deal.count() > 0
    chosen = dialog.deal.currentText().split(" · ")[0]
    click(qtbot, dialog.save_button)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: closed(dialog))
    qtbot.waitUntil(lambda: page.deals.text() == f"Deals from it: {chosen}")
    assert "now counts for this activity's ROI" in page.confirmation.text()
