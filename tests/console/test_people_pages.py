"""The partner dashboard records certifications/training and the customer NPS (issue 14 items 4
and 6): the vendor's entries sync to the partner; bad input is named by its label and nothing
is written."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from workbench.server.schema import audit_log


def _writes(console) -> int:
    with console.server.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one()


def _error(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="error-{re.escape(field)}"[^>]*>([^<]+)</p>', html)
    assert found, f"no message next to {field}"
    return found.group(1)


@pytest.fixture
def acme(console):
    server = console.server
    partner = server.create_partner("Acme Resellers", tier="gold")
    server.create_user(partner, "rep@acme.example", name="Ria Rep")
    client, csrf = console.signed_in()
    return partner, client, csrf


def test_record_a_certification_on_the_dashboard_and_see_it_expiring(console, acme):
    partner, client, csrf = acme
    expires = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    answer = client.post(f"/console/partners/{partner}/certifications", data={
        "csrf": csrf, "user_email": "rep@acme.example", "name": "Security Architect",
        "kind": "certification", "level": "expert", "status": "completed",
        "expires_on": expires}, follow_redirects=True)
    assert answer.status_code == 200
    assert "Certification recorded; the partner sees it at the next sync." in answer.text
    section = answer.text.split('id="certifications"')[1].split("</section>")[0]
    assert "Security Architect" in section and "Ria Rep" in section
    assert "expiring soon" in section and "in 30 days" in section
    record = _learning(console, partner)
    assert record["user_email"] == "rep@acme.example" and record["level"] == "expert"


def _learning(console, partner):
    from workbench.server.schema import RECORD_TABLES

    table = RECORD_TABLES["learning_records"]
    with console.server.engine.connect() as conn:
        [row] = conn.execute(sa.select(table).where(table.c.partner_id == partner)).mappings()
    return dict(row)


@pytest.mark.parametrize(("form", "message"), [
    ({"name": "  "}, "Name: say which certification or training"),
    ({"name": "Architect", "level": "grandmaster"}, "Level: "),
    ({"name": "Architect", "expires_on": "next year"}, "Expires on: "),
])
def test_a_bad_certification_is_named_by_its_label_and_not_written(console, acme, form,
                                                                   message):
    partner, client, csrf = acme
    before = _writes(console)
    answer = client.post(f"/console/partners/{partner}/certifications",
                         data={"csrf": csrf, "user_email": "rep@acme.example", **form})
    assert answer.status_code == 422
    assert _error(answer.text, "learning").startswith(message)
    assert _writes(console) == before


def test_record_nps_on_the_dashboard_scores_the_satisfaction_criterion(console, acme):
    partner, client, csrf = acme
    page = client.get(f"/console/partners/{partner}").text
    assert 'data-test="nps">—<' in page and "scores 0 of 20" in page
    answer = client.post(f"/console/partners/{partner}/nps", data={
        "csrf": csrf, "nps": "74", "surveyed_on": ""}, follow_redirects=True)
    assert "NPS recorded." in answer.text
    assert 'data-test="nps">74<' in answer.text
    assert "scores 20 of 20" in answer.text  # seed 003: NPS >70 = 20 pts
    assert console.server.admin.get_record("partners", partner)["nps"] == 74


@pytest.mark.parametrize(("score", "message"), [
    ("", "NPS: enter the survey"), ("120", "NPS: must be between -100 and 100"),
    ("eight", "NPS: expected a whole number")])
def test_a_bad_nps_is_refused_with_its_label_and_nothing_is_written(console, acme, score,
                                                                    message):
    partner, client, csrf = acme
    before = _writes(console)
    answer = client.post(f"/console/partners/{partner}/nps", data={"csrf": csrf, "nps": score})
    assert answer.status_code == 422
    assert _error(answer.text, "nps").startswith(message)
    assert f'value="{score}"' in answer.text  # what was typed stays
    assert _writes(console) == before
    assert console.server.admin.get_record("partners", partner)["nps"] is None
