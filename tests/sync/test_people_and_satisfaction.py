"""Issue 14 items 4 and 6 through the real server: the vendor records certifications and the
partner's customer NPS; both arrive by sync, read-only, and the tier rubric scores from them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from workbench.server import cli as server_cli
from workbench.server.admin import AdminError
from workbench.store.records import VendorOwned


@pytest.fixture
def ann(partner, replicas):
    return replicas(partner.token_a, "ann")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def test_a_recorded_nps_syncs_and_lifts_the_tier_rubric_above_80_points(vendor_server, partner,
                                                                        ann):
    """Seed 003 tier rubric: customer satisfaction NPS >70 = 20 pts; without a survey the
    criterion scores 0, so no partner could pass 80 of 100 points."""
    ann.sync()
    _, card = ann.cli("scorecard")
    assert card["tier"]["criteria"]["satisfaction"] == 0
    assert card["metrics"]["customer_nps"]["value"] is None
    assert card["metrics"]["customer_nps"]["note"] == "not measured"

    today = datetime.now(UTC).date()
    vendor_server.admin.record_nps(partner.id, "72", surveyed_on=today.isoformat())
    ann.sync()
    _, card = ann.cli("scorecard")
    assert card["metrics"]["customer_nps"]["value"] == 72
    assert card["tier"]["criteria"]["satisfaction"] == 20
    assert card["tier"]["inputs"]["nps"] == 72
    assert ann.get("partners", partner.id)["nps"] == 72
    with pytest.raises(VendorOwned):  # the vendor's survey: read-only in the workbench
        ann.edit("partners", partner.id, nps=100)

    vendor_server.admin.record_nps(partner.id, -40)  # seed 003: NPS <30 = 5 pts
    ann.sync()
    _, card = ann.cli("scorecard")
    assert card["tier"]["criteria"]["satisfaction"] == 5


@pytest.mark.parametrize("score", ["101", "-101", "7.5", "great"])
def test_an_nps_outside_minus_100_to_100_is_refused_and_nothing_is_stored(vendor_server, partner,
                                                                          score):
    with pytest.raises(AdminError, match="NPS") as error:
        vendor_server.admin.record_nps(partner.id, score)
    assert error.value.field == "nps"
    assert vendor_server.admin.get_record("partners", partner.id)["nps"] is None


def test_record_nps_on_the_admin_command_line(vendor_server, partner, capsys):
    assert server_cli.main(["admin", "--db", vendor_server.db_url, "record-nps", partner.id,
                            "55", "--json"]) == 0
    assert vendor_server.admin.get_record("partners", partner.id)["nps"] == 55
    capsys.readouterr()
    assert server_cli.main(["admin", "--db", vendor_server.db_url, "record-nps", partner.id,
                            "150"]) == 1
    assert "NPS: must be between -100 and 100" in capsys.readouterr().err
    assert vendor_server.admin.get_record("partners", partner.id)["nps"] == 55


def test_certifications_list_shows_people_expiry_and_the_next_tier(vendor_server, partner, ann):
    today = datetime.now(UTC).date()
    vendor_server.admin.record_certification(
        partner.id, "Analytics Sales Professional", user_email="ann@acme.example", level="basic",
        completed_at=_stamp(datetime.now(UTC) - timedelta(days=300)),
        expires_on=(today + timedelta(days=20)).isoformat())
    vendor_server.admin.record_certification(
        partner.id, "Onboarding", user_email="bob@acme.example", kind="training",
        status="in_progress")
    ann.sync()
    _, listing = ann.cli("certifications", "list")
    by_email = {p["email"]: p for p in listing["people"]}
    assert set(by_email) == {"ann@acme.example", "bob@acme.example"}
    [cert] = by_email["ann@acme.example"]["records"]
    assert (cert["state"], cert["days_left"]) == ("expiring soon", 20)
    assert listing["people"][0]["email"] == "ann@acme.example"  # something expiring: first
    assert by_email["bob@acme.example"]["records"][0]["state"] == "in progress"
    assert listing["expiring_soon"] == 1 and listing["certification_level"] == "basic"
    assert listing["tier"]["certification_points"] == 5  # seed 003: Basic = 5 pts
    assert listing["tier"]["to_reach_next_tier"]  # a gold partner far from platinum
    code, _ = ann.cli("certifications", "list", expect=None)
    assert code == 0


def test_certifications_list_text_names_the_state_and_days_left(vendor_server, partner, ann):
    today = date.today()
    vendor_server.admin.record_certification(
        partner.id, "Security Architect", user_email="ann@acme.example", level="expert",
        expires_on=(today + timedelta(days=10)).isoformat())
    ann.sync()
    import contextlib
    import io

    from workbench.cli import main as cli_main
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert cli_main(["--data-dir", str(ann.data_dir), "certifications", "list"]) == 0
    text = buffer.getvalue()
    assert "Security Architect" in text and "expiring soon" in text and "(in 10 days)" in text
    assert "Tier rubric certification level: advanced (10 of 15 points)" in text
