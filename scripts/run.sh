#!/usr/bin/env bash
# The README's run command: installs the workbench with the demo vendor server and opens it.
# On Debian/Ubuntu it first installs the X11 libraries Qt's window needs, when this user can
# (root, or sudo without a password prompt); otherwise it names them, and so does the workbench.
# Exit codes are the workbench's: 5 means the window could not open (the message says why).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -s)" = Linux ] && command -v apt-get >/dev/null; then
  missing=$(python3 -c 'from workbench.ui.display import missing_xcb_packages as m; print(" ".join(m()))')
  if [ -n "$missing" ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
    if [ -z "$SUDO" ] || sudo -n true 2>/dev/null; then
      echo "Installing the system libraries the window needs: $missing" >&2
      $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
      echo "The window needs these system libraries: $missing" >&2
      echo "Install them with: sudo apt-get install $missing" >&2
    fi
  fi
fi

python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -e '.[server]'
exec workbench --demo "$@"
