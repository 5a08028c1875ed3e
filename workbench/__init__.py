"""Partner Workbench: offline-first desktop workbench for channel partners, and its vendor server."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # The version is read from the installed package's metadata only when asked for: importing
    # importlib.metadata and scanning the environment costs every command's start-up otherwise.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version
        try:
            return version("partner-workbench")
        except PackageNotFoundError:  # running from a checkout that was never installed
            return "0.1.0"
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")
