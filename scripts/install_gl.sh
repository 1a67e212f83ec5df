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
sh "$(dirname "$0")/apt_install.sh" libosmesa6 && exit 0
echo "warning: no offline OpenGL library found; Brax rollout videos need libegl-mesa0 or" \
     "libosmesa6 (Debian/Ubuntu: apt-get install libosmesa6). Everything else works without." >&2
exit 0
