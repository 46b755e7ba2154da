#!/usr/bin/env bash
# Remakes the console's screenshots in docs/screenshots/ (embedded in the
# README) with the browser tests' own headless Chromium: the SQLite run of each
# scenario in tests/service/browser.rs saves a PNG of each page it visits
# (1280x800, and the leads table also at a tablet's 820x1180).
#
# Needs Debian's chromium, chromium-driver and fonts-liberation (the tests fail
# here instead of skipping when they are missing).
set -euo pipefail
cd "$(dirname "$0")/.."

out=docs/screenshots
mkdir -p "$out"
rm -f "$out"/*.png
export LEADSCORE_SCREENSHOTS="$PWD/$out"
export LEADSCORE_REQUIRE_CHROMIUM=1
cargo test --locked --test service browser:: -- "$@"
ls -l "$out"
