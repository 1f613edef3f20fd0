#!/bin/sh
# `cmake --install` under a temporary prefix puts every file where it
# belongs, and what it installs works from there.
# Usage: install.sh SOURCE_DIR BUILD_DIR
set -eu
src=$1 build=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
fail=0

cmake --install "$build" --prefix "$prefix" >"$prefix.log" 2>&1 ||
	{ cat "$prefix.log" >&2; rm -f "$prefix.log"; echo "FAIL: cmake --install" >&2; exit 1; }
rm -f "$prefix.log"

for f in bin/ptyplex share/man/man1/ptyplex.1 \
	share/bash-completion/completions/ptyplex \
	share/zsh/vendor-completions/_ptyplex \
	share/fish/vendor_completions.d/ptyplex.fish \
	share/doc/ptyplex/README.md; do
	[ -f "$prefix/$f" ] || { echo "FAIL: $f not installed" >&2; fail=1; }
done
for d in "$src"/contrib/examples/*/; do
	name=$(basename "$d")
	[ -x "$prefix/share/doc/ptyplex/examples/$name/run.sh" ] ||
		{ echo "FAIL: example $name not installed (or its run.sh not executable)" >&2; fail=1; }
done
[ -x "$prefix/bin/ptyplex" ] && "$prefix/bin/ptyplex" --version | grep -q '^ptyplex ' ||
	{ echo "FAIL: the installed ptyplex does not run" >&2; fail=1; }
if command -v man >/dev/null 2>&1; then
	MANPATH="$prefix/share/man" man -w ptyplex >/dev/null 2>&1 ||
		{ echo "FAIL: man does not find ptyplex under $prefix/share/man" >&2; fail=1; }
fi
bash -c '. "$1"; complete -p ptyplex' _ "$prefix/share/bash-completion/completions/ptyplex" \
	>/dev/null || { echo "FAIL: the installed bash completion does not load" >&2; fail=1; }
# An installed example finds the installed ptyplex on PATH.
PATH="$prefix/bin:$PATH" sh "$prefix/share/doc/ptyplex/examples/ci-tty/run.sh" >/dev/null ||
	{ echo "FAIL: the installed ci-tty example" >&2; fail=1; }
[ "$fail" -eq 0 ] && echo "ok: installed under a temporary prefix"
exit "$fail"
