#!/usr/bin/env bash
# Print the Chromium that the browser check should drive, installing one if none is there.
#
#   1. $CHROMIUM, when set and executable;
#   2. Debian's /usr/bin/chromium, when installed;
#   3. Debian's chromium via apt-get, when apt-get exists and we are root (about a minute);
#   4. Playwright's own Chromium (`python -m playwright install chromium`), printed as
#      "playwright", when the Python given as $1 can download it;
#   5. otherwise one line on stderr saying what to install, and exit status 1.
#
# Usage: .ci/find_browser.sh PYTHON   (the virtual environment's python, which has playwright)
set -uo pipefail
python=${1:-python3}

if [ -n "${CHROMIUM:-}" ] && [ -x "$CHROMIUM" ]; then echo "$CHROMIUM"; exit 0; fi
if [ -x /usr/bin/chromium ]; then echo /usr/bin/chromium; exit 0; fi

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "browser check: installing Debian's chromium with apt-get (about a minute)" >&2
  if apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2 \
    && [ -x /usr/bin/chromium ]; then
    echo /usr/bin/chromium
    exit 0
  fi
  echo "browser check: apt-get could not install chromium; trying Playwright's browser" >&2
fi

if "$python" -m playwright install chromium >&2 2>&1; then echo playwright; exit 0; fi

echo "browser check: no Chromium found; install Debian's chromium (sudo apt-get install chromium)" \
  "or Playwright's ($python -m playwright install chromium), or set CHROMIUM=/path/to/chromium" >&2
exit 1
