#!/bin/sh
# apt_install.sh PACKAGE...: installs Debian/Ubuntu packages when apt-get can be used here
# (as root, or with password-less sudo), refreshing the package lists once if needed.
# Says what it installs; exits 1, installing nothing, where it cannot.
set -u
command -v apt-get >/dev/null 2>&1 || exit 1
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else exit 1; fi
export DEBIAN_FRONTEND=noninteractive
echo "installing $* with apt-get"
$SUDO apt-get install -y -q "$@" >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q "$@" >/dev/null 2>&1; }
