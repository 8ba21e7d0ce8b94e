#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the coach needs, only those that are missing,
# and only when we are root or have sudo. Otherwise it says what to install.
set -eu
# poppler-utils: pdftotext and pdftoppm, with which the tests read and render the report for the huisarts.
packages="espeak-ng libespeak-ng1 libportaudio2 pulseaudio pulseaudio-utils libasound2-plugins alsa-utils poppler-utils"
# systemd: `service install` runs the coach as a user service; the tests check its unit with systemd-analyze.
packages="$packages systemd"
python3 -c 'import ensurepip, venv' 2>/dev/null || packages="$packages python3-venv"

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "Installeer deze pakketten met de pakketbeheerder van uw systeem:$missing" >&2
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo"
else
    echo "Er ontbreken systeempakketten. Installeer ze met: sudo apt-get install$missing" >&2
    exit 0
fi
echo "Installing system packages:$missing"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
