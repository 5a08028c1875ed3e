"""`workbench --demo` lets a newcomer play both sides: the console URL and a channel manager's
sign-in are printed, and they open the real console of the demo vendor."""

from __future__ import annotations

import httpx

from tests.console.conftest import sign_in
from workbench.demo import prepare_demo


def test_demo_prints_a_console_sign_in_that_works(tmp_path, capsys):
    demo = prepare_demo(tmp_path / "demo")
    try:
        printed = capsys.readouterr().err
        assert demo.console_url in printed and demo.console_email in printed
        assert demo.console_password in printed
        with httpx.Client(base_url=demo.server_url, timeout=30) as browser:
            assert sign_in(browser, demo.console_email, demo.console_password).status_code == 303
            queue = browser.get("/console/").text
            partners = browser.get("/console/partners").text
        assert "Review queue" in queue and "Northwind Partners GmbH" in queue  # one waits
        for name in ("Northwind Partners GmbH", "Fabrikam Solutions", "Litware Systems"):
            assert name in partners
    finally:
        demo.stop()
