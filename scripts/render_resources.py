"""Render the committed image assets from their vector sources (run after changing a source).

    QT_QPA_PLATFORM=offscreen python scripts/render_resources.py

- resources/icons/partner-workbench.svg → PNGs in the sizes the desktops ask for (Linux hicolor
  16–512, Windows 16–256 inside workbench.ico, macOS 16–1024 inside workbench.icns; PyInstaller
  takes the .ico / .icns) and workbench/resources/icons/partner-workbench.png (the window icon);
- the style sheet's arrows (workbench/resources/style/*.png, 1x and @2x for high-DPI screens).

Nothing is drawn at run time: the application only loads these files.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QByteArray, QPointF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPolygonF
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
RUNTIME = ROOT / "workbench" / "resources"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = [(s, s) for s in (16, 24, 32, 48, 64, 128, 256)]
ARROW_COLOUR = "#6b7280"
ARROWS = {"down": [(2, 4), (10, 4), (6, 9)], "up": [(2, 9), (10, 9), (6, 4)]}


def render_svg(source: Path, size: int) -> QImage:
    renderer = QSvgRenderer(QByteArray(source.read_bytes()))
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def arrow(points: list[tuple[int, int]], scale: int) -> QImage:
    image = QImage(12 * scale, 12 * scale, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(ARROW_COLOUR))
    painter.drawPolygon(QPolygonF([QPointF(x * scale, y * scale) for x, y in points]))
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    source = ICONS / "partner-workbench.svg"
    pngs = {}
    for size in PNG_SIZES:
        path = ICONS / f"partner-workbench-{size}.png"
        render_svg(source, size).save(str(path))
        pngs[size] = path
    render_svg(source, 256).save(str(RUNTIME / "icons" / "partner-workbench.png"))
    largest = Image.open(pngs[1024])
    largest.save(ICONS / "workbench.ico", sizes=ICO_SIZES)
    largest.save(ICONS / "workbench.icns")
    for name, points in ARROWS.items():
        arrow(points, 1).save(str(RUNTIME / "style" / f"arrow-{name}.png"))
        arrow(points, 2).save(str(RUNTIME / "style" / f"arrow-{name}@2x.png"))
    print(f"wrote {len(pngs)} icon sizes, workbench.ico, workbench.icns and the arrows")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
