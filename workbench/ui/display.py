"""Can this machine show a window? Decided before Qt starts, because Qt cannot say so politely.

When no platform plugin starts, Qt calls qFatal and the process aborts (SIGABRT, exit 134) with
"Reinstalling the application may fix this problem" — wrong advice for a missing display or a
missing system library. So before creating the QApplication we check what Qt would need and, if
something is missing, return one sentence saying what and how to fix it. Qt-free (ctypes only).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Mapping
from pathlib import Path

# The documented exit code of `workbench` when the window cannot be opened.
EXIT_NO_DISPLAY = 5

# Qt 6's xcb platform plugin and the system libraries it loads (ldd of libqxcb.so and
# libQt6XcbQpa.so, plus libxcb-cursor, which Qt >= 6.5 opens at run time), with the Debian/Ubuntu
# package that ships each.
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}

# Platforms that need no display server at all.
HEADLESS_PLATFORMS = {"offscreen", "minimal", "vnc", "linuxfb", "eglfs", "vkkhrdisplay",
                      "minimalegl"}

OFFSCREEN_HINT = ("set QT_QPA_PLATFORM=offscreen to run without showing a window "
                  "(for scripts and checks)")


def display_problem(env: Mapping[str, str] | None = None,
                    platform: str | None = None) -> str | None:
    """None if Qt can open a window here; otherwise one sentence: what is missing, what to do."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if not platform.startswith("linux"):
        return None  # Windows and macOS always have their native platform plugin
    requested = (env.get("QT_QPA_PLATFORM") or "").split(";")[0].split(":")[0].strip()
    if requested in HEADLESS_PLATFORMS:
        return None
    if requested == "wayland" and not _wayland_socket(env):
        return ("Partner Workbench cannot open its window: QT_QPA_PLATFORM=wayland but no Wayland "
                "display is running (WAYLAND_DISPLAY). Start it from your desktop session, or "
                f"{OFFSCREEN_HINT}.")
    if requested == "wayland" or (not requested and _wayland_socket(env)):
        return None
    display = env.get("DISPLAY", "")
    if not display:
        return ("Partner Workbench cannot open its window: there is no display "
                "(neither DISPLAY nor WAYLAND_DISPLAY is set). Start it from a desktop session "
                f"(or `ssh -X`), or {OFFSCREEN_HINT}.")
    plugin_error = _xcb_plugin_error()
    if plugin_error is not None:
        missing = missing_xcb_packages()
        if not missing:
            return ("Partner Workbench cannot open its window: Qt's X11 plugin does not load "
                    f"({plugin_error}). Reinstall the workbench, or {OFFSCREEN_HINT}.")
        return ("Partner Workbench cannot open its window: the X11 system libraries Qt needs are "
                f"not installed ({', '.join(missing)}). On Debian or Ubuntu install them with "
                f"`sudo apt-get install {' '.join(missing)}` and start it again.")
    if not _x_server_answers(display):
        return (f"Partner Workbench cannot open its window: the X display {display!r} does not "
                "answer (is the X server running, and may this user connect to it?). Start it "
                f"from a desktop session, or {OFFSCREEN_HINT}.")
    return None


def missing_xcb_packages() -> list[str]:
    """The Debian packages of the xcb libraries that cannot be loaded, in a stable order."""
    missing: list[str] = []
    for soname, package in XCB_LIBRARIES.items():
        try:
            ctypes.CDLL(soname)
        except OSError:
            if package not in missing:
                missing.append(package)
    return missing


def _xcb_plugin_error() -> str | None:
    """Why Qt's xcb plugin would not load here (None: it loads), checked as Qt would: load the
    plugin file itself, so libraries a bundle ships beside it count, plus libxcb-cursor, which Qt
    >= 6.5 opens at run time."""
    try:
        import PySide6
    except ImportError as error:
        return str(error)
    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    try:
        ctypes.CDLL(str(plugin))
        ctypes.CDLL("libxcb-cursor.so.0")
    except OSError as error:
        return str(error)
    return None


def _wayland_socket(env: Mapping[str, str]) -> bool:
    name = env.get("WAYLAND_DISPLAY", "")
    if not name:
        return False
    path = Path(name) if os.path.isabs(name) else Path(env.get("XDG_RUNTIME_DIR", "/nonexistent")) / name
    return path.exists()


def _x_server_answers(display: str) -> bool:
    """Connect to the X server with libxcb (as Qt would) and hang up again."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return False
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return bool(connection) and xcb.xcb_connection_has_error(connection) == 0
    finally:
        if connection:
            xcb.xcb_disconnect(connection)
