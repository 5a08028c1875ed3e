"""The window never sends the rep to the command line: F5 while signed out offers a Sign in form.

The form checks the token with the real vendor server on loopback; the token goes to the OS
keyring (the tests' in-memory one), or, with no keyring, stays for the session — and the form
says so.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt

import workbench.ui
from tests.ui.helpers import click, closed, type_into, wait_idle
from workbench.store import records
from workbench.sync import errors
from workbench.ui.syncing import desktop_message

pytest.importorskip("uvicorn")

# "run `workbench login`", "workbench sync --token-stdin", "(--data-dir)": commands to type.
COMMAND_HINT = re.compile(r"`workbench\b|\bworkbench (login|logout|sync|status|conflicts|leads|"
                          r"registrations|accounts|cases|scorecard|export)\b|--[a-z][a-z-]+")


def _press_f5(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F5)


def test_f5_while_signed_out_opens_the_sign_in_form_and_syncs(qtbot, make_window, store,
                                                              vendor_server, memory_keyring):
    partner_id = vendor_server.create_partner("Brightline Solutions")
    token = vendor_server.create_user(partner_id, "sam@brightline.example")
    window = make_window()
    _press_f5(qtbot, window)
    qtbot.waitUntil(lambda: window.sign_in_dialog is not None and window.sign_in_dialog.isVisible())
    assert not window.sync.running  # no sync that can only fail
    dialog = window.sign_in_dialog
    type_into(qtbot, dialog.server, vendor_server.url)
    type_into(qtbot, dialog.email, "sam@brightline.example")
    type_into(qtbot, dialog.token, token)
    with qtbot.waitSignal(window.sync.finished, timeout=30_000) as outcome:
        click(qtbot, dialog.sign_in_button)
    assert outcome.args[0]["ok"], outcome.args[0]["message"]
    qtbot.waitUntil(lambda: closed(dialog))
    assert list(memory_keyring.passwords.values()) == [token]  # the keyring, nowhere else
    with store.reading() as conn:
        assert records.get_state(conn, "user_email") == "sam@brightline.example"
    wait_idle(qtbot, window)
    assert "Online" in window.online_label.text()


def test_a_wrong_token_is_named_in_the_form(qtbot, make_window, vendor_server):
    vendor_server.create_user(vendor_server.create_partner("Brightline Solutions"), "sam@b.example")
    window = make_window()
    dialog = window.sign_in()
    type_into(qtbot, dialog.server, vendor_server.url)
    type_into(qtbot, dialog.token, "not-the-token")
    click(qtbot, dialog.sign_in_button)
    qtbot.waitUntil(lambda: "did not accept this access token" in dialog.message.text(),
                    timeout=15_000)
    assert dialog.token.property("invalid") is True and dialog.isVisible()
    type_into(qtbot, dialog.token, "x")  # fixing the field clears its mark
    assert dialog.token.property("invalid") is False
    dialog.reject()


def test_without_a_keyring_the_form_says_the_token_lasts_this_session(qtbot, make_window,
                                                                      vendor_server):
    partner_id = vendor_server.create_partner("Brightline Solutions")
    token = vendor_server.create_user(partner_id, "sam@brightline.example")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # what a machine without a keyring daemon gives
    try:
        window = make_window()
        dialog = window.sign_in()
        type_into(qtbot, dialog.server, vendor_server.url)
        type_into(qtbot, dialog.token, token)
        with qtbot.waitSignal(window.sync.finished, timeout=30_000) as outcome:
            click(qtbot, dialog.sign_in_button)
        assert outcome.args[0]["ok"]  # the token works for this session
        assert dialog.isVisible()  # … and the form stays to say it is not kept
        assert "no usable keyring" in dialog.message.text().lower()
        assert "sign in again next time" in dialog.message.text()
        click(qtbot, dialog.sign_in_button)  # now "Close"
        qtbot.waitUntil(lambda: closed(dialog))
    finally:
        keyring.set_keyring(previous)


def test_a_missing_token_on_a_manual_sync_offers_the_form_again(qtbot, window, store):
    with store.transaction() as conn:  # signed in once; the keyring lost the token
        for key, value in (("server_url", "http://127.0.0.1:9"), ("user_email", "sam@b.example"),
                           ("signed_in", True)):
            records.set_state(conn, key, value)
    with qtbot.waitSignal(window.sync.finished, timeout=15_000) as outcome:
        _press_f5(qtbot, window)
    assert outcome.args[0]["reason"] == "not_signed_in"
    assert not COMMAND_HINT.search(outcome.args[0]["message"])
    qtbot.waitUntil(lambda: window.sign_in_dialog is not None and window.sign_in_dialog.isVisible())
    assert window.sign_in_dialog.server.text() == "http://127.0.0.1:9"
    window.sign_in_dialog.reject()


def test_automatic_syncs_wait_quietly_while_nobody_is_signed_in(qtbot, window):
    assert window.sync.sync_now("auto") is False
    assert not window.sync.running and window.sign_in_dialog is None


def test_today_says_how_to_connect_before_the_first_sign_in(qtbot, make_window):
    window = make_window()  # an empty store: never signed in, never synced
    page = window.pages["today"]
    wait_idle(qtbot, window)
    text = page.welcome_text.text()
    assert page.welcome.isVisible()
    assert "working offline" in text and "sign in" in text and "F5" in text
    assert page.lists["leads"].topLevelItem(0).text(0).startswith("No leads yet")
    assert "all clear" not in page.lists["leads"].topLevelItem(0).text(0)
    click(qtbot, page.sign_in_button)
    qtbot.waitUntil(lambda: window.sign_in_dialog is not None and window.sign_in_dialog.isVisible())
    window.sign_in_dialog.reject()


@pytest.mark.parametrize("error", [errors.NotSignedIn("not signed in: run `workbench login "
                                                      "--server URL` first"),
                                   errors.AccessRevoked("revoked — sign in again (workbench login)"),
                                   errors.WrongPartner("sign in with a new data folder "
                                                       "(--data-dir) instead")],
                         ids=lambda e: type(e).__name__)
def test_sync_failures_read_as_desktop_sentences(error):
    assert not COMMAND_HINT.search(desktop_message(error))


def test_no_text_in_the_window_asks_for_a_command():
    """Every string the ui package shows (docstrings aside) is free of command-line hints.

    Text for a terminal (a constant named *_TERMINAL, printed on stderr) may name a command.
    """
    found = []
    for path in Path(workbench.ui.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = {id(node.body[0].value) for node in ast.walk(tree)
                if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
                and node.body and isinstance(node.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id.endswith("_TERMINAL") for t in node.targets):
                skip |= {id(n) for n in ast.walk(node.value)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in skip and COMMAND_HINT.search(node.value):
                found.append(f"{path.name}:{node.lineno}: {node.value!r}")
    assert found == []
