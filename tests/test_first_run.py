"""A newcomer's first run: the README's run command never aborts, and under a real X server the
demo window opens (issue: `workbench --demo` aborted with SIGABRT on a fresh machine)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtGui import QColor, QImage

from tests.xserver import grab_screen, xvfb_display
from workbench.ui.display import EXIT_NO_DISPLAY, display_problem

ROOT = Path(__file__).resolve().parents[1]
NO_DISPLAY_SENTENCE = "Partner Workbench cannot open its window: there is no display"


def _environment(home: Path, **extra: str) -> dict[str, str]:
    """A user's environment: own home (settings, logs), no display unless given, test keyring."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM") and not k.startswith("XDG_")}
    env.update(HOME=str(home), PYTHONPATH=str(ROOT),
               PYTHON_KEYRING_BACKEND="tests.sync.keyring_backends.FileKeyring",
               WORKBENCH_TEST_KEYRING_FILE=str(home.parent / "keyring.json"), **extra)
    return env


def test_the_readme_run_command_without_a_display_says_why_and_exits_cleanly(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    result = subprocess.run(["bash", str(ROOT / "scripts" / "run.sh"), "--data-dir",
                             str(tmp_path / "demo")], cwd=ROOT, env=_environment(home),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == EXIT_NO_DISPLAY, result.stderr
    assert NO_DISPLAY_SENTENCE in result.stderr
    assert "QT_QPA_PLATFORM=offscreen" in result.stderr  # how to run without a display
    assert "Reinstalling the application" not in result.stderr  # Qt's misleading abort text
    assert not (tmp_path / "demo").exists()  # nothing was started before the check


def test_workbench_without_a_display_exits_with_the_documented_code(tmp_path):
    result = subprocess.run([sys.executable, "-m", "workbench.cli", "--data-dir", str(tmp_path / "d")],
                            env=_environment(tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode == EXIT_NO_DISPLAY
    assert result.stderr.strip().startswith(NO_DISPLAY_SENTENCE)
    assert len(result.stderr.strip().splitlines()) == 1  # one sentence, no traceback


def test_a_display_that_does_not_answer_is_named():
    problem = display_problem({"DISPLAY": ":4097"}, platform="linux")
    assert problem is not None and "':4097' does not answer" in problem


def test_offscreen_and_other_operating_systems_need_no_display():
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, platform="linux") is None
    assert display_problem({}, platform="win32") is None
    assert display_problem({}, platform="darwin") is None


def test_the_demo_window_opens_under_a_real_x_server(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    with xvfb_display(1366, 768) as display:
        env = _environment(home, DISPLAY=display)
        app = subprocess.Popen([sys.executable, "-m", "workbench.cli", "--demo", "--data-dir",
                                str(tmp_path / "demo")], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
        try:
            log = home / ".local" / "state" / "partner-workbench" / "log" / "workbench.log"
            _wait_for(lambda: log.exists() and "workbench window on" in log.read_text(),
                      app, timeout=180)
            _wait_for(lambda: _window_painted(grab_screen(display, tmp_path / "first-run.png")),
                      app, timeout=60)
        finally:
            app.terminate()
            output = app.communicate(timeout=30)[0]
        assert "Aborted" not in output and "qt.qpa.plugin" not in output


def _window_painted(path: Path) -> bool:
    """The window is on screen: the dark navigation bar on the left, the light page beside it."""
    image = QImage(str(path))
    if image.isNull() or (image.width(), image.height()) != (1366, 768):
        return False
    sidebar, page = QColor(image.pixel(60, 600)), QColor(image.pixel(800, 60))
    return sidebar.lightness() < 60 and page.lightness() > 200


def _wait_for(condition, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"workbench exited with {process.returncode}:\n"
                                 f"{process.communicate()[0]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(0.2)


def test_a_missing_system_library_is_named_by_its_debian_package(monkeypatch):
    import workbench.ui.display as display

    monkeypatch.setitem(display.XCB_LIBRARIES, "libxcb-not-installed.so.9", "libxcb-not-installed9")
    assert display.missing_xcb_packages()[-1] == "libxcb-not-installed9"
    assert "libxcb1" not in display.missing_xcb_packages()  # present libraries are not named
