"""Attack tests: a partner's users see and touch only their partner's records (DESIGN §3)."""

from __future__ import annotations

import json

from tests.server.support import create_registration, latest, new_id, op, pull_all, push, push_one


def _two_partners(vendor_server):
    a = vendor_server.create_partner("Alpha Partners")
    b = vendor_server.create_partner("Bravo Partners")
    return (a, vendor_server.create_user(a, "rep@alpha.example"),
            b, vendor_server.create_user(b, "rep@bravo.example"))


def test_another_partners_id_answers_exactly_like_a_missing_one(vendor_server):
    _a, token_a, _b, token_b = _two_partners(vendor_server)
    with vendor_server.client(token_a) as alpha, vendor_server.client(token_b) as bravo:
        account_id = new_id()
        push_one(alpha, op("accounts", account_id, "create", {"name": "Alpha's customer"}))
        missing_id = new_id()
        for kind, extra in (("update", {"fields": {"notes": {"old": None, "new": "x"}}}),
                            ("delete", {}), ("action", {"action": "submit"})):
            theirs = {**op("accounts", account_id, kind), **extra}
            nobody = {**op("accounts", missing_id, kind), **extra}
            answer_theirs, answer_missing = push(bravo, theirs, nobody)
            for answer in (answer_theirs, answer_missing):
                answer.pop("op_id")
            assert json.dumps(answer_theirs).replace(account_id, "ID") == \
                json.dumps(answer_missing).replace(missing_id, "ID")
        got = bravo.get(f"/api/v1/records/accounts/{account_id}")
        none = bravo.get(f"/api/v1/records/accounts/{missing_id}")
        assert got.status_code == none.status_code == 404
        assert got.json()["error"]["message"].replace(account_id, "ID") == \
            none.json()["error"]["message"].replace(missing_id, "ID")
        assert alpha.get(f"/api/v1/records/accounts/{account_id}").status_code == 200
        # Alpha's record is untouched.
        assert alpha.get(f"/api/v1/records/accounts/{account_id}").json()["version"] == 1


def test_pull_never_leaks_another_partners_records(vendor_server):
    a, token_a, b, token_b = _two_partners(vendor_server)
    with vendor_server.client(token_a) as alpha, vendor_server.client(token_b) as bravo:
        push_one(alpha, op("accounts", new_id(), "create", {"name": "Secret Customer Ltd"}))
        create_registration(alpha, customer_name="Secret Deal Inc", customer_domain="secret.com")
        vendor_server.admin.assign_lead(a, "Alpha Lead Co")
        create_registration(bravo, customer_name="Bravo Deal", customer_domain="bravo-deal.com")
        # A third partner's data: averages are published only from 3 partners' (issue 13 #5).
        third = vendor_server.create_partner("Third Partners")
        with vendor_server.client(vendor_server.create_user(third, "rep@third.example")) as rep:
            create_registration(rep, customer_name="Third Deal", customer_domain="third.com")
        vendor_server.admin.publish_averages()
        changes, _ = pull_all(bravo)
    text = json.dumps(changes)
    assert a not in text and "Alpha" not in text and "Secret" not in text
    assert "rep@alpha.example" not in text
    entities = {c["entity"] for c in changes}
    assert "program_averages" in entities  # vendor-wide records are shared
    assert {c["record"].get("partner_id") for c in changes} <= {b, None}
    assert "Third" not in text


def test_forged_partner_id_in_the_body_is_ignored_or_rejected(vendor_server):
    a, token_a, b, token_b = _two_partners(vendor_server)
    with vendor_server.client(token_b) as bravo, vendor_server.client(token_a) as alpha:
        account_id = new_id()
        body = {"partner_id": a, "ops": [op("accounts", account_id, "create", {"name": "Mine"})]}
        result = bravo.post("/api/v1/sync/push", json=body).json()["results"][0]
        assert result["status"] == "applied" and result["record"]["partner_id"] == b
        forged = push_one(bravo, op("accounts", new_id(), "create",
                                    {"name": "Sneaky", "partner_id": a}))
        assert forged["status"] == "rejected" and forged["field"] == "partner_id"
        alpha_changes, _ = pull_all(alpha)
    assert account_id not in json.dumps(alpha_changes)


def test_another_users_op_ids_are_new_op_ids(vendor_server):
    a, token_a, _b, token_b = _two_partners(vendor_server)
    token_a2 = vendor_server.create_user(a, "second@alpha.example")
    with vendor_server.client(token_a) as alpha, vendor_server.client(token_b) as bravo, \
            vendor_server.client(token_a2) as alpha2:
        shared_op_id = new_id()
        first = push_one(alpha, op("accounts", new_id(), "create", {"name": "Alpha Co"},
                                   op_id=shared_op_id))
        # Same op id from another partner's user: its own new op, no stored answer leaks.
        other = push_one(bravo, op("accounts", new_id(), "create", {"name": "Bravo Co"},
                                   op_id=shared_op_id))
        assert other["status"] == "applied" and other["record"]["name"] == "Bravo Co"
        assert "Alpha" not in json.dumps(other)
        # Same for a colleague in the same partner.
        colleague = push_one(alpha2, op("accounts", new_id(), "create", {"name": "Third Co"},
                                        op_id=shared_op_id))
        assert colleague["record"]["name"] == "Third Co"
        assert colleague["record"]["id"] != first["record"]["id"]


def test_an_id_taken_by_another_partner_cannot_be_created(vendor_server):
    _a, token_a, _b, token_b = _two_partners(vendor_server)
    with vendor_server.client(token_a) as alpha, vendor_server.client(token_b) as bravo:
        account_id = new_id()
        push_one(alpha, op("accounts", account_id, "create", {"name": "Alpha Co"}))
        taken = push_one(bravo, op("accounts", account_id, "create", {"name": "Bravo Co"}))
        assert taken["status"] == "rejected" and "new id" in taken["reason"]
        assert "Alpha" not in json.dumps(taken)
        assert alpha.get(f"/api/v1/records/accounts/{account_id}").json()["name"] == "Alpha Co"


def test_distributor_sees_sub_partners_only_when_the_vendor_allows_it(vendor_server):
    distributor = vendor_server.create_partner("Big Distribution")
    reseller = vendor_server.create_partner("Small Reseller", parent_id=distributor)
    outsider = vendor_server.create_partner("Unrelated Reseller")
    token_d = vendor_server.create_user(distributor, "ops@bigdist.example")
    token_r = vendor_server.create_user(reseller, "rep@small.example")
    token_o = vendor_server.create_user(outsider, "rep@unrelated.example")
    with vendor_server.client(token_d) as dist, vendor_server.client(token_r) as small, \
            vendor_server.client(token_o) as other:
        account_id = new_id()
        push_one(small, op("accounts", account_id, "create", {"name": "Reseller Customer"}))
        push_one(other, op("accounts", new_id(), "create", {"name": "Outsider Customer"}))
        changes, cursor = pull_all(dist)
        assert "Reseller Customer" not in json.dumps(changes)

        vendor_server.admin.update_record("partners", distributor, sub_partner_visibility=True)
        changes, cursor = pull_all(dist, cursor)
        seen = latest(changes)
        assert ("accounts", account_id) in seen and ("partners", reseller) in seen
        assert "Outsider" not in json.dumps(changes)
        # Visible, but read-only for the distributor.
        edit = push_one(dist, op("accounts", account_id, "update", {"notes": "x"},
                                 base_version=1))
        assert edit["status"] == "rejected" and "read-only" in edit["reason"]
        # The sub-partner does not see its distributor's records.
        assert "Big Distribution" not in json.dumps(pull_all(small)[0])
