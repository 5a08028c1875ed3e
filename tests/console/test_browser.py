"""The console in a real browser (headless Chromium via selenium): a channel manager signs in,
approves from the review queue and resolves a conflict as co-sell; the partner's workbench
learns both decisions by a real sync — and never the other party's name (issue 11)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from selenium.webdriver.common.by import By

from tests.console import browser
from tests.console.conftest import EMAIL, PASSWORD
from tests.server.support import create_registration
from tests.sync.helpers import Replica
from workbench.store import records

pytestmark = pytest.mark.skipif(not browser.available(),
                                reason="needs Debian's chromium and chromium-driver")


def _submit(replica: Replica, name: str, domain: str) -> str:
    with replica.store.transaction() as conn:
        draft = records.create(conn, "registrations", {
            "customer_name": name, "customer_domain": domain, "product": "Data Platform",
            "deal_value_cents": 4_000_000, "expected_close_date": "2099-03-31"})
        records.perform_action(conn, "registrations", draft["id"], "submit")
    return draft["id"]


def _row(driver, customer: str):
    rows = driver.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")
    return next((r for r in rows if customer in r.text), None)


def test_sign_in_approve_resolve_co_sell_and_the_partner_syncs_it(console, tmp_path):
    server = console.server
    alpha = server.create_partner("Alpha Partners")
    bravo = server.create_partner("Bravo Partners")
    with server.client(server.create_user(alpha, "rep@alpha.example")) as rep:
        create_registration(rep, customer_name="Initech", customer_domain="initech.com")
    opened = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    pipeline = tmp_path / "pipeline.csv"
    pipeline.write_text("name,customer_name,customer_domain,stage,opened_on,owner\n"
                        f"Hooli platform,Hooli,hooli.com,1,{opened},Direct AE Zed\n")
    server.admin.load_opportunities(pipeline)
    replica = Replica(tmp_path / "bravo", server.url,
                      server.create_user(bravo, "rep@bravo.example"))
    try:
        clean = _submit(replica, "Globex Corporation", "globex.com")
        contested = _submit(replica, "Hooli", "hooli.com")
        rivalled = _submit(replica, "Initech Inc", "initech.com")
        replica.sync()
        with browser.chromium() as driver:
            driver.get(f"{console.url}/console/")
            browser.wait_for(lambda: "/console/sign-in" in driver.current_url,
                             what="the sign-in page")
            browser.sign_in(driver, console.url, EMAIL, PASSWORD)
            assert driver.find_element(By.TAG_NAME, "h1").text == "Review queue"
            # every section and Sign out fit the 1366 px laptop screen (ten sections once
            # pushed Sign out off the edge)
            visible = driver.execute_script("return document.documentElement.clientWidth")
            for element in [*driver.find_elements(By.CSS_SELECTOR, "header nav a"),
                            driver.find_element(By.XPATH, "//button[text()='Sign out']")]:
                box = element.rect
                assert 0 <= box["x"] and box["x"] + box["width"] <= visible, element.text
            row = browser.wait_for(lambda: _row(driver, "Globex Corporation"),
                                   what="Globex in the queue")
            assert "left" in row.find_element(By.CSS_SELECTOR, ".clock").text  # 48-hour clock
            assert "Bravo Partners" in row.text
            row.find_element(By.CSS_SELECTOR, "button[data-test=approve]").click()
            flash = browser.wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".flash"),
                                     what="the approval message")
            assert "Approved Globex Corporation (DR-" in flash[0].text
            assert _row(driver, "Globex Corporation") is None

            _row(driver, "Hooli").find_element(By.LINK_TEXT, "Resolve conflict").click()
            panel = browser.wait_for(lambda: driver.find_elements(By.CSS_SELECTOR,
                                                                  ".conflict"),
                                     what="the conflict panel")[0]
            assert "Direct opportunity" in panel.text and "Direct AE Zed" in panel.text
            assert "co-sell with split credit" in panel.text  # seed 003 edge case 3
            assert driver.find_element(By.CSS_SELECTOR, "input[value=co_sell]").is_selected()
            driver.find_element(By.CSS_SELECTOR, "button[data-test=resolve]").click()
            flash = browser.wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".flash"),
                                     what="the resolution message")
            assert "Resolved Hooli: co-sell" in flash[0].text

            # the partner-vs-partner conflict shows the other partner to the vendor only
            _row(driver, "Initech Inc").find_element(By.LINK_TEXT, "Resolve conflict").click()
            panel = browser.wait_for(lambda: driver.find_elements(By.CSS_SELECTOR,
                                                                  ".conflict"),
                                     what="the conflict panel")[0]
            assert "Alpha Partners" in panel.text

        summary = replica.sync()
        assert summary is not None
        approved = replica.get("registrations", clean)
        assert approved["status"] == "approved" and approved["registration_number"]
        co_sold = replica.get("registrations", contested)
        assert co_sold["status"] == "approved" and "50%" in co_sold["decision_reason"]
        with replica.store.reading() as conn:
            credits = records.list_records(conn, "attributions")
            everything = json.dumps([records.list_records(conn, entity) for entity in (
                "registrations", "opportunities", "attributions", "partners")], default=str)
        shares = {c["opportunity_id"]: c["split_percent"] for c in credits}
        assert sorted(shares.values()) == [50, 100]  # co-sell split; the clean one sourced
        assert replica.get("registrations", rivalled)["status"] == "pending_review"
        for secret in ("Alpha", alpha, "rep@alpha.example", "Direct AE Zed", "Hooli platform"):
            assert secret not in everything
    finally:
        replica.close()


def test_a_channel_manager_approves_an_amendment_and_answers_a_dispute_in_the_browser(
        console, tmp_path):
    """Issue 14: the rep's change of deal terms and commission dispute, decided in the console
    in a real browser; the rep's workbench pulls both answers."""
    server = console.server
    partner = server.create_partner("Alpha Partners", tier="gold")
    replica = Replica(tmp_path / "alpha", server.url,
                      server.create_user(partner, "rep@alpha.example"))
    try:
        registration = _submit(replica, "Globex Corporation", "globex.com")
        replica.sync()
        server.admin.approve(registration)
        replica.sync()
        replica.cli("registrations", "amend", registration[:8], "--value", "$55,000", "--note",
                    "Two more sites")
        replica.sync()
        with browser.chromium() as driver:
            browser.sign_in(driver, console.url, EMAIL, PASSWORD)
            driver.get(f"{console.url}/console/amendments")
            assert "Two more sites" in driver.find_element(By.TAG_NAME, "main").text
            driver.find_element(By.XPATH, "//button[text()='Approve']").click()
            browser.wait_for(lambda: "Amendment approved" in driver.page_source,
                             what="the approval's confirmation")
            deal = replica.cli("opportunities", "list")[1][0]
            server.admin.close_opportunity(deal["id"], "won")  # at the amended $55,000
            replica.sync()
            [line] = replica.cli("commissions", "list")[1]["commissions"]
            assert line["amount_cents"] == 550_000  # gold: 10%
            replica.cli("commissions", "dispute", line["id"][:8], "--reason",
                        "Rate should be 12%")
            replica.sync()
            driver.get(f"{console.url}/console/commissions")
            queue = driver.find_element(By.CSS_SELECTOR, "[data-test=disputes]")
            assert "Rate should be 12%" in queue.text
            queue.find_element(By.NAME, "answer").send_keys("Gold rate is 10%; unchanged")
            queue.find_element(By.XPATH, ".//button[text()='Answer']").click()
            browser.wait_for(lambda: "No open dispute" in driver.page_source,
                             what="the empty dispute queue")
        replica.sync()
        _, shown = replica.cli("registrations", "show", registration[:8])
        assert shown["deal_value_cents"] == 5_500_000
        _, answered = replica.cli("commissions", "show", line["id"][:8])
        assert answered["dispute_resolution"] == "Gold rate is 10%; unchanged"
    finally:
        replica.close()


def test_pre_approve_an_mdf_request_in_the_browser_and_the_rep_can_claim(console, tmp_path):
    """Issue 14 item 2: the channel manager pre-approves a lower amount in a real browser; the
    rep's workbench learns it at the next sync and may claim up to it."""
    from workbench.services import mdf

    server = console.server
    partner = server.create_partner("Northwind Partners")
    rep = Replica(tmp_path / "rep", server.url, server.create_user(partner, "rep@nw.example"))
    try:
        request = mdf.request_mdf(rep.store, mdf.MdfRequest(
            activity="Partner summit booth", budget="$6,000", start_date="2099-04-01",
            end_date="2099-04-03")).result
        rep.sync()
        with browser.chromium() as driver:
            browser.sign_in(driver, console.url, EMAIL, PASSWORD)
            browser.wait_for(lambda: "sign-in" not in driver.current_url, what="signed in")
            driver.get(f"{console.url}/console/mdf")
            driver.find_element(By.LINK_TEXT, "Partner summit booth").click()
            browser.wait_for(lambda: driver.find_elements(By.ID, "amount"), what="the form")
            driver.find_element(By.ID, "amount").send_keys("$5,000")
            driver.find_element(By.CSS_SELECTOR, "button[value=approve]").click()
            browser.wait_for(lambda: "Pre-approved" in driver.page_source, what="the flash")
            assert "$5,000" in driver.find_element(By.CSS_SELECTOR, "dl.facts").text
        rep.sync()
        assert rep.get("mdf_requests", request["id"])["approved_cents"] == 500_000
        proof = tmp_path / "invoice.pdf"
        proof.write_bytes(b"%PDF invoice")
        assert mdf.claim_mdf(rep.store, request["id"], "$5,000", [proof]).result.request[
            "status"] == "claimed"
    finally:
        rep.close()
