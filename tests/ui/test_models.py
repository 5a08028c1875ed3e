"""The table models: Qt's model contract (qtmodeltester), SQL filtering and sorting, lazy rows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt

from workbench.store import records
from workbench.store.schema import RECORD_TABLES
from workbench.ui import tablemodel
from workbench.ui.sample_data import fill_bulk
from workbench.ui.tablemodel import ID_ROLE, ROW_ROLE, TONE_ROLE, SqlTableModel
from workbench.ui.views import accounts, cases, leads, opportunities, registrations

SPECS = [accounts.SPEC, registrations.SPEC, leads.SPEC, opportunities.SPEC, cases.SPEC]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.entity)
def test_models_follow_the_qt_model_contract(qtmodeltester, store, sample, spec):
    model = SqlTableModel(store, spec)
    model.refresh()
    assert model.rowCount() > 0
    qtmodeltester.check(model, force_py=True)
    # The tester stays connected and checks every reset the model signals from here on.
    model.set_filter("a")
    model.sort(0, Qt.SortOrder.DescendingOrder)
    model.set_filter("")
    assert model.rowCount() > 0


def test_filter_and_sort_run_in_sql(store, sample):
    model = SqlTableModel(store, accounts.SPEC)
    model.refresh()
    everything = model.rowCount()
    model.set_filter("acme")
    assert model.rowCount() == 1
    assert model.index(0, 0).data() == "Acme Corporation"
    model.set_filter("SOFTWARE states")  # every word must match some column, any case
    names = {model.index(r, 0).data() for r in range(model.rowCount())}
    assert names == {"Litware Analytics", "Hooli Cloud", "Pied Piper Compression"}
    model.set_filter("100%_")  # LIKE wildcards are taken literally
    assert model.rowCount() == 0
    model.set_filter("")
    assert model.rowCount() == everything
    model.sort(0, Qt.SortOrder.DescendingOrder)
    first = [model.index(r, 0).data() for r in range(3)]
    assert first == sorted(first, reverse=True)


def test_status_column_shows_label_and_tone(store, sample):
    model = SqlTableModel(store, registrations.SPEC)
    model.set_where(status="rejected")
    status = next(n for n, c in enumerate(registrations.SPEC.columns) if c.key == "status")
    assert model.rowCount() == 1
    assert model.index(0, status).data() == "Rejected"
    assert model.index(0, status).data(TONE_ROLE) == "rejected"
    assert model.index(0, 0).data(ID_ROLE) == sample["rejected"]
    assert model.index(0, 0).data(ROW_ROLE)["customer_name"]


def test_rows_are_fetched_lazily_and_the_cache_stays_bounded(store, monkeypatch):
    fill_bulk(store, 20_000)
    monkeypatch.setattr(tablemodel, "CACHE_LIMIT", 500)
    model = SqlTableModel(store, accounts.SPEC)
    model.refresh()
    assert model.rowCount() == 8_000
    assert model._rows == {}  # nothing read before a view asks
    model.index(4_000, 0).data()
    assert 0 < len(model._rows) <= tablemodel.BLOCK
    for row in range(0, 8_000, 97):
        model.index(row, 0).data()
    assert len(model._rows) <= 500 + tablemodel.BLOCK


def test_a_row_deleted_after_the_id_query_does_not_break_the_view(store, sample):
    model = SqlTableModel(store, accounts.SPEC)
    model.refresh()
    victim = model.row_id(3)
    with store.transaction() as conn:  # gone for good (e.g. purged), not only tombstoned
        conn.execute(sa.delete(RECORD_TABLES["accounts"]).where(RECORD_TABLES["accounts"].c.id == victim))
    assert model.index(3, 0).data() == ""
    with store.transaction() as conn:
        records.delete(conn, "accounts", model.row_id(4))
    model.refresh()
    assert model.position_of(victim) == -1
