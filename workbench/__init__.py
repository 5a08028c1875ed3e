"""Partner Workbench: offline-first desktop workbench for channel partners, and its vendor server."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("partner-workbench")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.1.0"
