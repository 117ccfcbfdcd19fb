#!/usr/bin/env bash
# Install headless Chromium and its driver from Debian, for the browser tests
# (tests/test_browser.py).  Idempotent: does nothing when both are present.
# The browser comes from the distribution so that nothing downloads a browser
# build of its own (selenium-manager is never used).
set -euo pipefail

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-browser.sh: chromium or chromedriver is missing and this needs root for apt-get" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends chromium chromium-driver
fi

/usr/bin/chromium --version
/usr/bin/chromedriver --version
