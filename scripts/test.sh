#!/usr/bin/env bash
# Installs what the tests need and runs the whole suite. Used by README's Quick start and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: pdftoppm renders scorecard PDFs in tests; Xvfb is the real X server the first-run
# test opens the demo window on; Qt's X11/EGL libraries (the list the window's pre-flight checks);
# chromium + chromium-driver drive the vendor console in a real browser (selenium).
need=()
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v Xvfb >/dev/null || need+=(xvfb)
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
read -r -a qt_libraries <<< "$(python3 -c 'from workbench.ui.display import missing_xcb_packages as m; print(" ".join(m()))')"
need+=("${qt_libraries[@]}")
# desktop-file-validate checks the Linux menu entry (tests/test_resources.py)
command -v desktop-file-validate >/dev/null || need+=(desktop-file-utils)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

python3 -m pip install --quiet --disable-pip-version-check -e '.[dev]'

# Lint and types first (configured in pyproject.toml): a failure fails the run.
python3 -m ruff check workbench
python3 -m mypy

export QT_QPA_PLATFORM=offscreen
set +e
python3 -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure, not a pass" >&2
  exit 1
fi
exit "$status"
