#!/bin/sh
# Offline OpenGL for rollout videos of Brax envs (`evotrain render`, MuJoCo's renderer).
# MuJoCo needs Mesa's EGL (libegl-mesa0) or OSMesa (libosmesa6) on a Linux machine without a
# display. When neither is installed and apt-get can be used, this installs libosmesa6;
# otherwise it says what to install and leaves the rest of the set-up alone.
set -u
[ "$(uname -s)" = Linux ] || exit 0
has() { ldconfig -p 2>/dev/null | grep -q "$1"; }
if has 'libEGL_mesa\.so\|libEGL_nvidia\.so' || has 'libOSMesa\.so'; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else SUDO=none; fi
    if [ "$SUDO" != none ]; then
        echo "installing libosmesa6 (offline rendering for evotrain render)"
        if $SUDO apt-get install -y -q libosmesa6 >/dev/null 2>&1 \
            || { $SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q libosmesa6 >/dev/null 2>&1; }; then
            exit 0
        fi
    fi
fi
echo "warning: no offline OpenGL library found; Brax rollout videos need libegl-mesa0 or" \
     "libosmesa6 (Debian/Ubuntu: apt-get install libosmesa6). Everything else works without." >&2
exit 0
