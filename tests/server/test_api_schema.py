"""/openapi.json says what the API does (issue 13, class 8): schemathesis runs its conformance
checks (all of them: no 500, status codes, content types, headers and bodies as documented,
schema-valid requests accepted, schema-violating ones rejected, auth not ignored …) against the
live server, on SQLite and PostgreSQL, with a bounded number of examples and a fixed seed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

pytest.importorskip("schemathesis")  # the dev extra installs it

CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES = 15  # per API operation and phase: the whole run stays well under a minute


def test_the_schema_documents_every_answer(vendor_server):
    schema = httpx.get(f"{vendor_server.url}/openapi.json").json()
    paths = schema["paths"]
    push = paths["/api/v1/sync/push"]["post"]
    assert push["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PushBody"}
    assert {"401", "409", "413", "422", "426"} <= set(push["responses"])
    pull = paths["/api/v1/sync/pull"]["get"]
    assert pull["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PullAnswer"}
    assert "404" in paths["/api/v1/records/{entity}/{record_id}"]["get"]["responses"]
    for answer in ("401", "422", "426"):
        assert pull["responses"][answer]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorAnswer"}
    components = schema["components"]
    assert {"PushBody", "PushOperation", "FieldChange", "PushAnswer", "OpResult", "PullAnswer",
            "Change", "ErrorAnswer"} <= set(components["schemas"])
    assert components["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_schemathesis_conformance_checks_pass_against_the_live_server(vendor_server, tmp_path):
    partner_id = vendor_server.create_partner("Schema Partners")
    token = vendor_server.create_user(partner_id, "rep@schema.example")
    vendor_server.admin.assign_lead(partner_id, "Something To Pull Inc")
    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run",
         f"{vendor_server.url}/openapi.json", "--checks", "all", "--max-examples", str(EXAMPLES),
         "--seed", "13", "--workers", "1", "--no-color", "--generation-database", "none",
         "--request-timeout", "20", "--header", f"Authorization: Bearer {token}",
         "--include-path-regex", "^/api/",  # the sync API (the console's pages are HTML)
         "--report", "junit", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=240, cwd=tmp_path, check=False)
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    assert "failures" not in run.stdout.splitlines()[-1], run.stdout[-5000:]
