#!/bin/sh
# --help fits one screen (50 lines, 80 columns) in its five groups; the
# man page against the binary: every long option of `ptyplex --help`
# and of `ptyplex COMMAND --help` is in contrib/ptyplex.1 and the reverse,
# every client command has its entry, the version matches, and the page
# renders without warnings (skipped when man is not installed); README.md
# names every option too.
# Usage: man.sh SOURCE_DIR PTYPLEX
set -eu
src=$1 ptyplex=$2
page=$src/contrib/ptyplex.1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
commands='send attach list signal stop start restart sessions'

long_options() {
	grep -o -- '--[a-z][a-z-]*[a-z]' | sort -u
}

"$ptyplex" --help >"$tmp/help"
for cmd in $commands; do
	if ! "$ptyplex" "$cmd" --help >"$tmp/help-$cmd" 2>&1 ||
		! grep -q "^usage: ptyplex $cmd" "$tmp/help-$cmd"; then
		echo "FAIL: 'ptyplex $cmd --help' does not print its usage" >&2
		fail=1
	fi
	cat "$tmp/help-$cmd" >>"$tmp/help"
	grep -q "^\.B ptyplex $cmd\$" "$page" ||
		{ echo "FAIL: no SYNOPSIS line for 'ptyplex $cmd' in ptyplex.1" >&2; fail=1; }
done
# --help itself: one screen, 80 columns, grouped.
lines=$("$ptyplex" --help | wc -l)
[ "$lines" -le 50 ] || { echo "FAIL: --help has $lines lines (at most 50)" >&2; fail=1; }
wide=$("$ptyplex" --help | awk 'length > 80' | head -1)
[ -z "$wide" ] || { echo "FAIL: --help line over 80 columns: $wide" >&2; fail=1; }
for group in Children Input Output Lifecycle Sessions; do
	"$ptyplex" --help | grep -q "^$group:\$" ||
		{ echo "FAIL: --help has no '$group:' group" >&2; fail=1; }
done
long_options <"$tmp/help" >"$tmp/in-help"
# The page's text without comment lines, with roff's \- as a plain dash.
grep -v '^\.\\"' "$page" | sed 's/\\-/-/g' | long_options >"$tmp/in-man"

missing=$(comm -23 "$tmp/in-help" "$tmp/in-man")
extra=$(comm -13 "$tmp/in-help" "$tmp/in-man")
[ -z "$missing" ] ||
	{ echo "FAIL: options in --help but not in ptyplex.1:" $missing >&2; fail=1; }
[ -z "$extra" ] ||
	{ echo "FAIL: options in ptyplex.1 but in no --help:" $extra >&2; fail=1; }

# README.md's reference too (one way: it also names other tools' options).
grep -o -- '--[a-z][a-z-]*[a-z]' "$src/README.md" | sort -u >"$tmp/in-readme"
missing=$(comm -23 "$tmp/in-help" "$tmp/in-readme")
[ -z "$missing" ] ||
	{ echo "FAIL: options in --help but not in README.md:" $missing >&2; fail=1; }

version=$("$ptyplex" --version | sed 's/^ptyplex //')
grep -q "^\.TH PTYPLEX 1 [0-9-]* \"ptyplex $version\"" "$page" ||
	{ echo "FAIL: ptyplex.1's .TH line does not say ptyplex $version" >&2; fail=1; }

if command -v man >/dev/null 2>&1; then
	warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) || true
	[ -z "$warnings" ] ||
		{ echo "FAIL: man --warnings -l ptyplex.1:" >&2; echo "$warnings" >&2; fail=1; }
	MANWIDTH=80 man -l "$page" >/dev/null 2>&1 ||
		{ echo "FAIL: man -l ptyplex.1 failed" >&2; fail=1; }
else
	echo "man is not installed: rendering not checked"
fi
[ "$fail" -eq 0 ] && echo "ok: $(wc -l <"$tmp/in-help") long options, $(echo $commands | wc -w) commands"
exit "$fail"
