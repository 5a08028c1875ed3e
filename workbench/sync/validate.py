"""Checking records that arrive from the server before anything local is touched.

`protocol.py` checks the envelope (changes, results); this checks each record against the domain
model: every declared field present with a value of the right wire type, metadata well formed.
Written for speed: it runs on every pulled record (100k in an initial pull).
"""

from __future__ import annotations

from typing import Any

from workbench.domain.model import ENTITIES, Kind
from workbench.sync.protocol import ProtocolError

_WIRE_TYPES: dict[Kind, tuple[type, ...]] = {
    Kind.TEXT: (str,), Kind.DOMAIN: (str,), Kind.EMAIL: (str,), Kind.INT: (int,),
    Kind.MONEY: (int,), Kind.BOOL: (bool,),
    Kind.DATE: (str,), Kind.DATETIME: (str,), Kind.JSON: (list,), Kind.REF: (str,),
}

# entity -> [(field name, allowed exact types, is a JSON list)]
_SPECS: dict[str, list[tuple[str, tuple[type, ...], bool]]] = {
    name: [(f.name, _WIRE_TYPES[f.kind], f.kind is Kind.JSON) for f in entity.fields]
    for name, entity in ENTITIES.items()
}


def check_entity(entity_name: Any, where: str) -> str:
    if entity_name not in _SPECS:
        raise ProtocolError(f"{where}: unknown record type {entity_name!r}")
    return entity_name


def check_record(entity_name: object, record: Any, where: str, *, record_id: str | None = None,
                 version: int | None = None) -> dict[str, Any]:
    """Raise ProtocolError unless `record` is a well-formed wire record of `entity_name`."""
    spec = _SPECS.get(entity_name) if isinstance(entity_name, str) else None
    if spec is None:
        raise ProtocolError(f"{where}: unknown record type {entity_name!r}")
    if type(record) is not dict:
        raise ProtocolError(f"{where}: the record must be an object")
    _check_meta(record, where, record_id, version)
    for name, types, is_list in spec:
        try:
            value = record[name]
        except KeyError:
            raise ProtocolError(f"{where}.{name}: missing") from None
        if value is None:
            continue
        if type(value) not in types:
            raise ProtocolError(f"{where}.{name}: wrong type {type(value).__name__}")
        if is_list and not all(type(item) is str for item in value):
            raise ProtocolError(f"{where}.{name}: must be a list of text")
    return record


def _check_meta(record: dict[str, Any], where: str, record_id: str | None,
                version: int | None) -> None:
    get = record.get
    rid, got, partner_id = get("id"), get("version"), get("partner_id")
    if type(rid) is not str or not rid or (record_id is not None and rid != record_id):
        raise ProtocolError(f"{where}.id: missing or not the record asked about")
    if type(got) is not int or got < 1 or (version is not None and got != version):
        raise ProtocolError(f"{where}.version: must be a whole number >= 1 matching the change")
    if type(get("deleted")) is not bool:
        raise ProtocolError(f"{where}.deleted: must be true or false")
    if type(get("created_at")) is not str or type(get("updated_at")) is not str:
        raise ProtocolError(f"{where}.created_at/updated_at: must be timestamps")
    if partner_id is not None and type(partner_id) is not str:
        raise ProtocolError(f"{where}.partner_id: must be text")
