"""Fonts for the PDFs: DejaVu Sans, and fallback fonts for the scripts it lacks, per run of text.

A customer called 株式会社テスト or 삼성전자 must print as written and extract as text. DejaVu Sans
covers Latin, Greek, Cyrillic, Arabic and Hebrew but no CJK, so each piece of text is split into
runs, and a run DejaVu has no glyphs for goes to the first fallback that has them: Droid Sans
Fallback (Chinese characters, kana) and NanumSquare (Hangul). All are bundled in
workbench/resources/fonts and embedded as subsets. A character no font has (most emoji) stays in
DejaVu: it prints as an empty box but keeps its width and extracts as text, so the line holds.

Fallbacks are parsed only when a text needs them (Droid's 4 MB take ~0.15 s), once per process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from workbench import resources

FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
FONTS_DIR = resources.path("fonts")  # workbench/resources/fonts, via importlib.resources
FALLBACKS = (("WorkbenchHan", "DroidSansFallbackFull.ttf"),  # Chinese characters, kana
             ("WorkbenchHangul", "NanumSquareR.ttf"))        # Korean

_lock = threading.Lock()
_coverage: dict[str, frozenset[int]] = {}


def register_fonts() -> None:
    """Register DejaVu Sans (regular, bold) once per process; safe from any thread."""
    if FONT in _coverage:
        return
    with _lock:
        if FONT in _coverage:
            return
        for name, file in ((FONT, "DejaVuSans.ttf"), (FONT_BOLD, "DejaVuSans-Bold.ttf")):
            _register(name, file)
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT,
                                      boldItalic=FONT_BOLD)


def _register(name: str, file: str) -> None:
    font = TTFont(name, str(FONTS_DIR / file))
    pdfmetrics.registerFont(font)
    _coverage[name] = frozenset(font.face.charToGlyph)


def _fallback_for(code: int) -> str | None:
    for name, file in FALLBACKS:
        if name not in _coverage:
            with _lock:
                if name not in _coverage:
                    _register(name, file)
        if code in _coverage[name]:
            return name
    return None


def runs(text: str, font: str = FONT) -> Iterator[tuple[str, str]]:
    """(font name, piece) runs of `text`: `font` wherever it has the glyphs, else a fallback."""
    register_fonts()
    if text.isascii():  # most text: DejaVu has every ASCII glyph
        if text:
            yield font, text
        return
    covered = _coverage[font]
    start, current = 0, font
    for index, char in enumerate(text):
        code = ord(char)
        wanted = font if code in covered or char.isspace() else (_fallback_for(code) or font)
        if wanted != current and index > start:
            yield current, text[start:index]
            start = index
        current = wanted
    if start < len(text):
        yield current, text[start:]


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markup(text: str, font: str = FONT) -> str:
    """`text` escaped for a Paragraph, with each fallback run in its own <font> tag."""
    return "".join(escape(piece) if name == font else f'<font name="{name}">{escape(piece)}</font>'
                   for name, piece in runs(text, font))


def string_width(text: str, font: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(piece, name, size) for name, piece in runs(text, font))


def shortened(text: str, font: str, size: float, width: float) -> str:
    """`text`, cut with "…" so that it is at most `width` wide."""
    if string_width(text, font, size) <= width:
        return text
    while text and string_width(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def draw_string(canvas: Canvas, x: float, y: float, text: str, font: str, size: float) -> None:
    """canvas.drawString, run by run, each in the font that has its glyphs."""
    for name, piece in runs(text, font):
        canvas.setFont(name, size)
        canvas.drawString(x, y, piece)
        x += pdfmetrics.stringWidth(piece, name, size)
    canvas.setFont(font, size)

