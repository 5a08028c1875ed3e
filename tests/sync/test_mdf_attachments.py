"""MDF end to end through the real server (issue 14 item 2): request offline → pre-approval in the
vendor's hands → claim with proof files → paid; the proof files travel as content-addressed
attachments — resumable, checked by hash on both ends, size-limited."""

from __future__ import annotations

import hashlib
import os

import httpx
import pytest
import sqlalchemy as sa

from tests.sync.faults import FaultProxy
from workbench.domain import attachments as file_rules
from workbench.domain.errors import InvalidValue
from workbench.server import attachments as server_files
from workbench.server.schema import RECORD_TABLES
from workbench.services import mdf
from workbench.store.files import LocalFiles
from workbench.store.records import set_state
from workbench.sync import credentials
from workbench.sync.errors import SyncError

MB = 1024 * 1024


def _file(tmp_path, name: str, size: int, seed: int = 1) -> tuple:
    path = tmp_path / name
    data = (hashlib.sha256(str(seed).encode()).digest() * (size // 32 + 1))[:size]
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


def _server_files(vendor_server) -> server_files.FileStore:
    return server_files.file_store(vendor_server.engine)


def _approved_request(vendor_server, ann, budget="$5,000", approve=None):
    done = mdf.request_mdf(ann.store, mdf.MdfRequest(
        activity="Q1 partner webinar", budget=budget, start_date="2027-01-10",
        end_date="2027-01-31", expected_pipeline="$60,000"))
    assert done.result["status"] == "submitted"  # the rep sees it sent for pre-approval
    ann.sync()
    vendor_server.admin.decide_mdf(done.result["id"], "approve", approved_cents=approve)
    ann.sync()
    return done.result["id"]


def test_request_approve_claim_with_proof_and_pay_reaches_both_sides(
        vendor_server, partner, replicas, tmp_path):
    ann = replicas(partner.token_a, "ann")
    mdf_id = _approved_request(vendor_server, ann, approve=400_000)
    assert ann.get("mdf_requests", mdf_id)["approved_cents"] == 400_000  # $4,000 of $5,000

    invoice, invoice_sha = _file(tmp_path, "invoice.pdf", 3 * MB + 17)
    photo, photo_sha = _file(tmp_path, "booth photo.jpg", 200_000, seed=2)
    claim = mdf.claim_mdf(ann.store, mdf_id, "$3,900", [invoice, photo]).result
    assert claim.request["status"] == "claimed" and claim.request["claim_cents"] == 390_000
    # copied into the data folder at claim time: works offline, survives the original moving
    invoice.unlink()
    assert LocalFiles(ann.data_dir).exists(invoice_sha)

    summary = ann.sync()
    assert summary.uploaded == 2 and summary.upload_problems == []
    store = _server_files(vendor_server)
    assert store.exists(invoice_sha) and store.exists(photo_sha)
    shown = mdf.show_mdf(ann.store, mdf_id)
    assert {a["sha256"] for a in shown["attachments"]} == {invoice_sha, photo_sha}
    assert all(a["uploaded"] for a in shown["attachments"])  # the server's mark came back

    vendor_server.admin.pay_mdf(mdf_id, paid_on="2027-02-20")
    ann.sync()
    paid = mdf.show_mdf(ann.store, mdf_id)
    assert paid["status"] == "paid" and paid["paid_on"] == "2027-02-20"
    assert paid["spent_cents"] == 390_000


def test_a_claim_over_the_approved_budget_or_an_oversized_file_keeps_nothing(
        vendor_server, partner, replicas, tmp_path):
    ann = replicas(partner.token_a, "ann")
    mdf_id = _approved_request(vendor_server, ann, approve=400_000)
    proof, _ = _file(tmp_path, "attendees.csv", 1000)
    with pytest.raises(InvalidValue) as over:
        mdf.claim_mdf(ann.store, mdf_id, "$4,500", [proof])
    assert str(over.value) == "Claimed amount: $4,500 is more than the approved budget of $4,000"
    # a 2 GB file (sparse: no disk used) is refused before a byte is copied
    huge = tmp_path / "video.mp4"
    with huge.open("wb") as stream:
        stream.truncate(2 * 1024 * MB)
    with pytest.raises(InvalidValue) as too_big:
        mdf.claim_mdf(ann.store, mdf_id, "$3,000", [proof, huge])
    assert "video.mp4 is 2.0 GB; files may be at most 25 MB" in str(too_big.value)
    assert str(too_big.value).startswith("Proof file: ")
    record = ann.get("mdf_requests", mdf_id)
    assert record["status"] == "approved" and record["claim_cents"] is None
    assert not (ann.data_dir / "attachments").exists() or \
        not any((ann.data_dir / "attachments").iterdir())
    assert mdf.show_mdf(ann.store, mdf_id)["attachments"] == []


def test_the_server_refuses_bytes_whose_hash_differs_and_stores_nothing(
        vendor_server, partner, replicas, tmp_path):
    ann = replicas(partner.token_a, "ann")
    mdf_id = _approved_request(vendor_server, ann)
    proof, sha = _file(tmp_path, "invoice.pdf", 5000)
    mdf.claim_mdf(ann.store, mdf_id, "$1,000", [proof])
    # the local copy is damaged after the claim: the server must notice
    LocalFiles(ann.data_dir).path(sha).write_bytes(b"x" * 5000)
    summary = ann.sync()
    assert summary.uploaded == 0
    assert len(summary.upload_problems) == 1
    assert "invoice.pdf: " in summary.upload_problems[0]
    assert "do not match the file's SHA-256" in summary.upload_problems[0]
    assert not _server_files(vendor_server).exists(sha)
    assert not mdf.show_mdf(ann.store, mdf_id)["attachments"][0]["uploaded"]


def test_an_interrupted_upload_resumes_where_it_stopped(vendor_server, partner, replicas,
                                                        tmp_path):
    ann = replicas(partner.token_a, "ann", retries=0)
    mdf_id = _approved_request(vendor_server, ann)
    proof, sha = _file(tmp_path, "event-recording.bin", 3 * MB)
    mdf.claim_mdf(ann.store, mdf_id, "$1,000", [proof])
    with FaultProxy(vendor_server.url) as proxy:
        with ann.store.transaction() as conn:
            set_state(conn, "server_url", proxy.url)
        credentials.remember_for_process(proxy.url, partner.email_a, partner.token_a)
        puts = []

        def plan(method: str, path: str) -> str:
            if method == "PUT":
                puts.append(path)
                if len(puts) == 2:  # the second chunk reaches the server, its answer is lost
                    return "drop_after"
            return "ok"
        proxy.plan = plan
        with pytest.raises(SyncError):
            ann.sync()
        assert not _server_files(vendor_server).exists(sha)
        ann.sync()
    offsets = [int(p.split("offset=")[1]) for p in puts]
    assert offsets == [0, MB, 2 * MB]  # the second sync sent only the third chunk
    stored = _server_files(vendor_server).get(sha)
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha


def test_downloads_are_attachments_never_pages_and_only_for_the_partner(
        vendor_server, partner, replicas, tmp_path):
    ann = replicas(partner.token_a, "ann")
    mdf_id = _approved_request(vendor_server, ann)
    page, sha = tmp_path / "<script>x.html", None
    page.write_bytes(b"<html><script>alert(1)</script></html>")
    sha = hashlib.sha256(page.read_bytes()).hexdigest()
    mdf.claim_mdf(ann.store, mdf_id, "$1,000", [page])
    ann.sync()
    with vendor_server.client(partner.token_a) as http:
        answer = http.get(f"/api/v1/attachments/{sha}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/octet-stream"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["content-disposition"].startswith('attachment; filename="_script_x.html"')
    other = vendor_server.create_partner("Other Co")
    token = vendor_server.create_user(other, "eve@other.example")
    with vendor_server.client(token) as http:
        assert http.get(f"/api/v1/attachments/{sha}").status_code == 404
        # nor can another partner claim the bytes by naming their hash in a record of its own
        refused = http.put(f"/api/v1/attachments/{sha}/upload?offset=0", content=b"x")
    assert refused.status_code == 404


def test_the_server_refuses_a_declared_size_over_the_limit(vendor_server, partner):
    ops = [{"op_id": "op-1", "entity": "mdf_requests", "record_id": "8d7f5a8e-4b53-4d6e-9bb8-"
            "0d2a1f7c9e10", "kind": "create", "base_version": 0,
            "fields": {"activity_name": {"old": None, "new": "Webinar"},
                       "requested_cents": {"old": None, "new": 100}}},
           {"op_id": "op-2", "entity": "attachments", "record_id": "3f0e1c2d-5a6b-4c7d-8e9f-"
            "a0b1c2d3e4f5", "kind": "create", "base_version": 0,
            "fields": {"mdf_request_id": {"old": None,
                                          "new": "8d7f5a8e-4b53-4d6e-9bb8-0d2a1f7c9e10"},
                       "filename": {"old": None, "new": "huge.iso"},
                       "size_bytes": {"old": None, "new": 30 * MB},
                       "sha256": {"old": None, "new": "a" * 64}}}]
    with vendor_server.client(partner.token_a) as http:
        results = http.post("/api/v1/sync/push", json={"ops": ops}).json()["results"]
    assert results[0]["status"] == "applied"
    assert results[1]["status"] == "rejected"
    assert results[1]["reason"] == ("Size: huge.iso is 30.0 MB; files may be at most 25 MB "
                                    "(26,214,400 bytes) each")
    ops[1]["op_id"] = "op-3"
    ops[1]["fields"]["size_bytes"]["new"] = 2 * 1024 * MB  # beyond a whole number's range
    with vendor_server.client(partner.token_a) as http:
        [_, huge] = http.post("/api/v1/sync/push", json={"ops": ops}).json()["results"]
    assert huge["status"] == "rejected"
    assert huge["reason"].startswith("Size: huge.iso is 2.0 GB; files may be at most 25 MB")


def test_chunks_larger_than_the_limit_are_refused_before_reading_them(vendor_server, partner):
    with httpx.Client(base_url=vendor_server.url, headers=vendor_server.headers(
            partner.token_a)) as http:
        answer = http.put(f"/api/v1/attachments/{'b' * 64}/upload?offset=0",
                          content=os.urandom(file_rules.CHUNK_BYTES + 1))
    assert answer.status_code == 413
    assert "per upload request" in answer.json()["error"]["message"]


def test_the_command_line_requests_claims_shows_hashes_and_gets_the_file_on_another_laptop(
        vendor_server, partner, replicas, tmp_path):
    ann = replicas(partner.token_a, "ann")
    bob = replicas(partner.token_b, "bob")
    _, requested = ann.cli("mdf", "request", "--activity", "Spring roadshow", "--budget",
                           "$8,000", "--start", "2027-03-01", "--end", "2027-03-05",
                           "--expected-pipeline", "120k")
    assert requested["status"] == "submitted" and requested["expected_pipeline_cents"] == 12_000_000
    code, bad = ann.cli("mdf", "request", "--activity", "X", "--budget", "100", "--start",
                        "2027-03-05", "--end", "2027-03-01", expect=2)
    assert bad["error"]["message"] == "End date: 2027-03-01 is before the start date 2027-03-05"
    ann.cli("sync")
    vendor_server.admin.decide_mdf(requested["id"], "approve")
    ann.cli("sync")
    proof, sha = _file(tmp_path, "attendees.xlsx", 40_000)
    _, claimed = ann.cli("mdf", "claim", requested["id"][:8], "--amount", "7500", "--proof",
                         str(proof))
    assert claimed["status"] == "claimed" and claimed["attachments"][0]["sha256"] == sha
    _, over = ann.cli("mdf", "claim", requested["id"][:8], "--amount", "7500", "--proof",
                      str(proof), expect=2)
    assert "cannot claim an MDF request that is claimed" in over["error"]["message"]
    ann.cli("sync")
    _, shown = ann.cli("mdf", "show", requested["id"])
    [attached] = shown["attachments"]
    assert attached["sha256"] == sha and attached["uploaded"] and attached["id"]
    bob.cli("sync")  # bob's laptop has the record, not the file: it comes from the server
    out = tmp_path / "copy.xlsx"
    _, saved = bob.cli("attachments", "get", attached["id"], "--out", str(out))
    assert saved["sha256"] == sha
    assert hashlib.sha256(out.read_bytes()).hexdigest() == sha
    _, listed = bob.cli("mdf", "list")
    assert listed[0]["status"] == "claimed" and listed[0]["attachment_count"] == 1


def test_roi_counts_the_deals_linked_to_the_activity_once_the_vendor_closes_them(
        vendor_server, partner, replicas, tmp_path):
    """seed 003 §4: ROI = (revenue − costs) / costs × 100, the activity's spend as the cost."""
    ann = replicas(partner.token_a, "ann")
    mdf_id = _approved_request(vendor_server, ann, approve=400_000)
    _, reg = ann.cli("registrations", "draft", "--name", "Globex", "--domain", "globex.com",
                     "--value", "20000", "--close-date", "2099-03-31", "--product", "Suite")
    ann.cli("registrations", "submit", reg["id"])
    _, linked = ann.cli("mdf", "link", mdf_id[:8], "--registration", reg["id"][:8])
    assert linked["mdf_request_id"] == mdf_id
    assert mdf.show_mdf(ann.store, mdf_id)["pipeline_cents"] == 2_000_000  # the live deal
    ann.sync()
    opps = RECORD_TABLES["opportunities"]
    with vendor_server.engine.connect() as conn:
        opportunity = conn.execute(sa.select(opps.c.id).where(
            opps.c.registration_id == reg["id"])).scalar_one()
    vendor_server.admin.close_opportunity(opportunity, "won", amount_cents=2_000_000)
    proof, _ = _file(tmp_path, "attendees.csv", 10)
    mdf.claim_mdf(ann.store, mdf_id, "$4,000", [proof])
    ann.sync()
    shown = mdf.show_mdf(ann.store, mdf_id)
    assert (shown["revenue_cents"], shown["spent_cents"]) == (2_000_000, 400_000)
    assert shown["roi_percent"] == "400.00"  # ($20,000 − $4,000) / $4,000 × 100
