"""Run-time assets shipped inside the package: fonts for PDFs, the Qt style sheet and its
images, the window icon. Found with importlib.resources, so they work from a source checkout,
an installed wheel and the PyInstaller bundle alike (build.spec ships this folder).
"""

from __future__ import annotations

import atexit
from contextlib import ExitStack
from importlib.resources import as_file, files
from pathlib import Path

_extracted = ExitStack()  # files copied out of a zipped install, removed at exit
atexit.register(_extracted.close)


def path(*parts: str) -> Path:
    """A real file or folder path for an asset ("style", "workbench.qss").

    Installed as files (the usual case) this is where the asset lies; from a zip archive a
    single file is extracted to a temporary place for the life of the process.
    """
    resource = files(__name__).joinpath(*parts)
    if isinstance(resource, Path):
        return resource
    return _extracted.enter_context(as_file(resource))


def text(*parts: str) -> str:
    return files(__name__).joinpath(*parts).read_text(encoding="utf-8")
