#!/bin/sh
# A headless Chromium for the test that screenshots the topology page offline
# (tests/viz/test_topology.py). Installs Debian's chromium where apt-get can be used;
# otherwise says so, and that test is skipped.
set -u
for name in chromium chromium-browser google-chrome; do
    command -v "$name" >/dev/null 2>&1 && exit 0
done
sh "$(dirname "$0")/apt_install.sh" chromium && exit 0
echo "warning: no Chromium found or installable; the headless-browser test will be skipped" \
     "(Debian/Ubuntu: apt-get install chromium)." >&2
exit 0
