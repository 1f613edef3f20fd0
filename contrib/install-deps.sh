#!/bin/sh
# Installs the Debian 12 packages ptyplex needs to build, test and run its
# demo. Only what is missing is installed; apt-get update runs once, and only
# when something is missing. Usage: contrib/install-deps.sh [build|test]
set -eu

want="libevent-dev pkg-config cmake build-essential python3"
if [ "${1:-build}" = test ]; then
	want="$want libcriterion-dev clang libclang-rt-14-dev valgrind man-db zsh fish"
fi

missing=""
for pkg in $want; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing:$missing" >&2
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
