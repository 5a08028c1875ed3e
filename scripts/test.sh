#!/usr/bin/env bash
# Installs what the tests need and runs the whole suite. Used by README's Quick start and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: pdftoppm renders scorecard PDFs in tests; Qt's xcb/EGL libraries for offscreen Qt;
# chromium + chromium-driver drive the vendor console in a real browser (selenium).
need=()
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
ldconfig -p | grep -q libEGL.so.1 || need+=(libegl1)
ldconfig -p | grep -q libxkbcommon.so.0 || need+=(libxkbcommon0)
ldconfig -p | grep -q libfontconfig.so.1 || need+=(libfontconfig1)
ldconfig -p | grep -q libGL.so.1 || need+=(libgl1)
ldconfig -p | grep -q libdbus-1.so.3 || need+=(libdbus-1-3)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

python3 -m pip install --quiet --disable-pip-version-check -e '.[dev]'

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
