#!/usr/bin/env bash
# System packages, on Debian (run as root, or it uses sudo). The server needs only the fonts; the
# tests need the rest:
#   fonts-arphic-uming fonts-hanazono — the documents' Song faces: AR PL UMing (Arphic Public
#                              License) for 报告 and 清单, HanaMin A/B (SIL OFL 1.1) for the CJK
#                              Extension A/B characters of rare names (𠮷). Without them the
#                              server still makes PDFs, in the built-in WenQuanYi Micro Hei,
#                              and logs a warning.
#   build-essential pkg-config — the C compiler for the bundled SQLite
#   poppler-utils qpdf         — pdftotext/pdffonts/pdfinfo and qpdf, to read back exported PDFs
#   libreoffice-calc-nogui     — to print the XLSX exports to PDF as LibreOffice paginates them
#   chromium chromium-driver   — the headless browser and its WebDriver, for tests/browser.rs
#   fonts-wqy-microhei         — a Chinese font for the browser, so screenshots show text
#   python3-aiosmtpd           — a real SMTP server on loopback for tests/notify.rs (run with
#                              Debian's /usr/bin/python3)
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
PACKAGES="build-essential pkg-config ca-certificates poppler-utils qpdf fonts-arphic-uming fonts-hanazono
    libreoffice-calc-nogui chromium chromium-driver fonts-wqy-microhei python3-aiosmtpd"
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
echo "installed:" $PACKAGES
