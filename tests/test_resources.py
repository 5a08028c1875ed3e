"""Assets: run-time ones inside the package (loaded, never drawn at run time), build-time ones in
resources/ (icons in the sizes each desktop asks for, the Linux menu entry)."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from workbench import resources
from workbench.ui.style import style_sheet

ROOT = Path(__file__).resolve().parent.parent


def test_the_style_sheet_is_a_file_whose_images_exist_and_nothing_is_drawn_into_tmp():
    before = set(Path(tempfile.gettempdir()).iterdir())
    sheet = style_sheet()
    assert "@STYLE@" not in sheet and "QPushButton" in sheet
    images = re.findall(r"url\(([^)]+)\)", sheet)
    assert images and all(Path(image).is_file() for image in images)
    assert all(Path(image).parent == resources.path("style") for image in images)
    assert set(Path(tempfile.gettempdir()).iterdir()) == before


def test_runtime_assets_are_found_through_the_package():
    assert (resources.path("fonts") / "DejaVuSans.ttf").is_file()
    assert Image.open(resources.path("icons", "partner-workbench.png")).size == (256, 256)


@pytest.mark.parametrize("size", [16, 24, 32, 48, 64, 128, 256, 512, 1024])
def test_linux_icons_in_every_hicolor_size(size):
    assert Image.open(ROOT / "resources" / "icons" / f"partner-workbench-{size}.png").size == \
        (size, size)


def test_windows_and_macos_icons_hold_their_sizes():
    ico = Image.open(ROOT / "resources" / "icons" / "workbench.ico")
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    icns = Image.open(ROOT / "resources" / "icons" / "workbench.icns")
    assert icns.size == (1024, 1024)  # the largest of the sizes it holds
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    assert "workbench.ico" in spec and "workbench.icns" in spec and "icon=str(ICON)" in spec


def test_the_linux_desktop_entry_starts_the_workbench():
    path = ROOT / "resources" / "linux" / "partner-workbench.desktop"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(path, encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Exec"].split()[0] == "workbench"
    assert desktop["Icon"] == "partner-workbench" and desktop["Terminal"] == "false"
    validator = shutil.which("desktop-file-validate")
    if validator:  # desktop-file-utils, where installed
        done = subprocess.run([validator, str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
