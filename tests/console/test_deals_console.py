"""The console's side of deal progress, amendments and commissions (issue 14, items 1 and 3),
with a rep's real workbench syncing against the same server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.sync.helpers import Replica
from workbench.domain.values import format_datetime


@pytest.fixture
def rep(console, tmp_path):
    server = console.server
    partner = server.create_partner("Acme Resellers", tier="silver")
    replica = Replica(tmp_path / "rep", server.url, server.create_user(partner, "rep@acme.example"))
    replica.partner_id = partner  # type: ignore[attr-defined]
    yield replica
    replica.close()


def _approved(console, rep, name="Initech", value="$80,000") -> dict:
    _, draft = rep.cli("registrations", "draft", "--name", name, "--value", value,
                       "--close-date", "2099-06-30", "--product", "Suite")
    rep.cli("registrations", "submit", draft["id"][:8])
    rep.sync()
    console.server.admin.approve(draft["id"])
    rep.sync()
    return rep.get("registrations", draft["id"])


def test_progress_recorded_offline_shows_on_the_console(console, rep):
    registration = _approved(console, rep)
    rep.cli("registrations", "progress", registration["id"][:8], "--next-step",
            "Pricing call on Friday", "--activity", "Workshop with procurement",
            "--notes", "Champion: the CFO")
    rep.sync()
    client, _ = console.signed_in()
    page = client.get(f"/console/registrations/{registration['id']}").text
    assert "Pricing call on Friday" in page and "Workshop with procurement" in page
    assert "Champion: the CFO" in page


def test_the_partner_dashboard_shows_stale_deals_and_the_120_day_hygiene_rule(console, rep):
    quiet = _approved(console, rep, "Initech")
    busy = _approved(console, rep, "Globex")
    old = _approved(console, rep, "Umbrella")
    long_ago = (datetime.now(UTC) - timedelta(days=45)).date().isoformat()
    rep.cli("registrations", "progress", quiet["id"][:8], "--activity", "Intro call",
            "--activity-date", long_ago)
    rep.cli("registrations", "progress", busy["id"][:8], "--activity", "Demo")
    rep.sync()
    # seed 003, data quality health check: "no deal registrations open past 120 days without
    # stage progression" — Umbrella was submitted 130 days ago and its deal never moved since.
    admin = console.server.admin
    past = format_datetime(datetime.now(UTC) - timedelta(days=130))
    admin.update_record("registrations", old["id"], submitted_at=past)
    deal = next(d for d in rep.cli("opportunities", "list")[1]
                if d["registration_id"] == old["id"])
    admin.update_record("opportunities", deal["id"], now=datetime.now(UTC) - timedelta(days=125),
                        stage=1)
    client, _ = console.signed_in()
    page = client.get(f"/console/partners/{rep.partner_id}").text
    stale = page.split('data-test="stale-deals"')[1].split("</section>")[0]
    assert "Initech" in stale and "45 d" in stale and "Intro call" in stale
    assert "Globex" not in stale  # activity today
    assert "no activity in 30 days" in stale  # the program's stale_deal_days default
    hygiene = page.split('data-test="hygiene"')[1].split("</section>")[0]
    assert "Umbrella" in hygiene and "130 d" in hygiene
    assert "Initech" not in hygiene and "Globex" not in hygiene


def test_an_amendment_is_approved_in_the_console_and_the_rep_pulls_the_new_value(console, rep):
    registration = _approved(console, rep)
    rep.cli("registrations", "amend", registration["id"][:8], "--value", "$95,000", "--note",
            "Added the support plan")
    rep.sync()
    client, csrf = console.signed_in()
    board = client.get(f"/console/partners/{rep.partner_id}").text
    assert "1 amendment waiting for a decision" in board
    page = client.get("/console/amendments").text
    assert "Added the support plan" in page and "$80,000" in page and "$95,000" in page
    amendment_id = console.server.admin.list_amendments()[0]["id"]
    refused = client.post(f"/console/amendments/{amendment_id}/reject", data={"csrf": csrf})
    assert refused.status_code == 422 and "Reason: say why" in refused.text
    answer = client.post(f"/console/amendments/{amendment_id}/approve", data={"csrf": csrf})
    assert answer.status_code == 303
    assert "No amendments here" in client.get("/console/amendments").text
    history = client.get(f"/console/registrations/{registration['id']}").text
    assert 'data-test="amendments"' in history and "Added the support plan" in history
    rep.sync()
    _, shown = rep.cli("registrations", "show", registration["id"][:8])
    assert shown["deal_value_cents"] == 9_500_000
    assert shown["amendments"][0]["status"] == "approved"


def test_a_disputed_commission_waits_in_the_console_queue_until_answered(console, rep):
    registration = _approved(console, rep)
    deal = next(d for d in rep.cli("opportunities", "list")[1]
                if d["registration_id"] == registration["id"])
    console.server.admin.close_opportunity(deal["id"], "won")
    rep.sync()
    [line] = rep.cli("commissions", "list")[1]["commissions"]
    assert line["amount_cents"] == 640_000  # silver: 8% of $80,000
    rep.cli("commissions", "dispute", line["id"][:8], "--reason", "Our tier is gold since May")
    rep.sync()
    client, csrf = console.signed_in()
    page = client.get("/console/commissions").text
    queue = page.split('data-test="disputes"')[1].split("</section>")[0]
    assert "Our tier is gold since May" in queue and "Acme Resellers" in queue
    assert "1 commission dispute to answer" in client.get(
        f"/console/partners/{rep.partner_id}").text
    empty = client.post(f"/console/commissions/{line['id']}/resolve",
                        data={"csrf": csrf, "answer": ""})
    assert empty.status_code == 422 and "Answer: say how" in empty.text
    answered = client.post(f"/console/commissions/{line['id']}/resolve", data={
        "csrf": csrf, "answer": "Gold rate applied", "amount": "$8,000"})
    assert answered.status_code == 303
    assert "No open dispute" in client.get("/console/commissions").text
    client.post(f"/console/commissions/{line['id']}/approve", data={"csrf": csrf})
    rep.sync()
    _, shown = rep.cli("commissions", "show", line["id"][:8])
    assert shown["amount_cents"] == 800_000 and shown["status"] == "approved"
    assert shown["dispute_resolution"] == "Gold rate applied"


def test_a_commission_recorded_by_hand_in_the_console(console, rep):
    registration = _approved(console, rep)
    deal = next(d for d in rep.cli("opportunities", "list")[1]
                if d["registration_id"] == registration["id"])
    client, csrf = console.signed_in()
    open_deal = client.post("/console/commissions", data={"csrf": csrf,
                                                          "opportunity": deal["id"]})
    assert open_deal.status_code == 422 and "earned on won deals" in open_deal.text
    console.server.admin.update_record("opportunities", deal["id"], outcome="won",
                                       closed_on="2026-11-02")
    made = client.post("/console/commissions", data={"csrf": csrf, "opportunity": deal["id"],
                                                     "rate": "9"})
    assert made.status_code == 303
    page = client.get("/console/commissions").text
    assert "$7,200" in page and "9%" in page
