#!/usr/bin/env bash
# System packages the tests need besides Rust, on Debian (run as root, or it uses sudo):
#   build-essential pkg-config — the C compiler for the bundled SQLite
#   poppler-utils              — pdftotext, to read back the text of exported PDFs
#   chromium chromium-driver   — the headless browser and its WebDriver, for tests/browser.rs
#   fonts-wqy-microhei         — a Chinese font for the browser, so screenshots show text
# The server itself needs none of them at run time (its PDF font is built into the binary).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
    build-essential pkg-config ca-certificates poppler-utils \
    chromium chromium-driver fonts-wqy-microhei >/dev/null
echo "installed: build-essential pkg-config ca-certificates poppler-utils chromium chromium-driver fonts-wqy-microhei"
