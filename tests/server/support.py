"""Small helpers for talking to the vendor server in tests: building ops, pushing, pulling."""

from __future__ import annotations

import uuid
from typing import Any

import httpx


def new_id() -> str:
    return str(uuid.uuid4())


def op(entity: str, record_id: str, kind: str, fields: dict[str, Any] | None = None, *,
       base_version: int = 0, action: str | None = None, old: dict[str, Any] | None = None,
       op_id: str | None = None) -> dict[str, Any]:
    """An operation; `fields` maps name -> new value, `old` name -> base value (default None)."""
    old = old or {}
    wire = {"op_id": op_id or new_id(), "entity": entity, "record_id": record_id, "kind": kind,
            "base_version": base_version,
            "fields": {k: {"old": old.get(k), "new": v} for k, v in (fields or {}).items()}}
    if action:
        wire["action"] = action
    return wire


def registration(**overrides: Any) -> dict[str, Any]:
    fields = {"customer_name": "Globex Corporation", "customer_domain": "globex.com",
              "product": "Widget Suite", "deal_value_cents": 4_000_000,
              "expected_close_date": "2099-03-31"}
    fields.update(overrides)
    return fields


def push(client: httpx.Client, *ops: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post("/api/v1/sync/push", json={"ops": list(ops)})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["op_id"] for r in results] == [o["op_id"] for o in ops]
    return results


def push_one(client: httpx.Client, operation: dict[str, Any]) -> dict[str, Any]:
    return push(client, operation)[0]


def create_registration(client: httpx.Client, submit: bool = True, **overrides: Any
                        ) -> dict[str, Any]:
    """Create (and by default submit) a registration; returns the last op result."""
    record_id = new_id()
    ops = [op("registrations", record_id, "create", registration(**overrides))]
    if submit:
        ops.append(op("registrations", record_id, "action", base_version=1, action="submit"))
    results = push(client, *ops)
    assert all(r["status"] == "applied" for r in results), results
    return results[-1]


def pull_all(client: httpx.Client, cursor: str | None = None, limit: int | None = None
             ) -> tuple[list[dict[str, Any]], str]:
    """Pull pages until has_more is false; returns all changes and the final cursor."""
    changes: list[dict[str, Any]] = []
    while True:
        params = {k: v for k, v in (("cursor", cursor), ("limit", limit)) if v is not None}
        response = client.get("/api/v1/sync/pull", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        changes.extend(page["changes"])
        cursor = page["cursor"]
        if not page["has_more"]:
            return changes, cursor


def latest(changes: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(entity, id) -> the newest change pulled for it."""
    newest: dict[tuple[str, str], dict[str, Any]] = {}
    for change in changes:
        key = (change["entity"], change["id"])
        if key not in newest or change["version"] >= newest[key]["version"]:
            newest[key] = change
    return newest
