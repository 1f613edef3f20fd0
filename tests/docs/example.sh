#!/bin/sh
# Runs contrib/examples/NAME/run.sh against the built ptyplex, in its own
# runtime and state directories (so client commands without -s find only
# this example's session), and checks what it prints.
# Usage: example.sh SOURCE_DIR PTYPLEX NAME
set -eu
src=$1 ptyplex=$2 name=$3
run=$src/contrib/examples/$name/run.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -m 0700 "$tmp/run"
export XDG_RUNTIME_DIR="$tmp/run" XDG_STATE_HOME="$tmp/state" PTYPLEX="$ptyplex"

status=0
if [ -x "$run" ]; then
	timeout 120 "$run" "$ptyplex" >"$tmp/out" 2>"$tmp/err" || status=$?
else
	timeout 120 sh "$run" "$ptyplex" >"$tmp/out" 2>"$tmp/err" || status=$?
fi
cat "$tmp/out"
cat "$tmp/err" >&2
if [ "$status" -ne 0 ]; then
	echo "FAIL: $name: run.sh exited with status $status" >&2
	exit 1
fi

# Lines the example must print (fixed strings); examples not listed here
# are checked by their exit status alone.
case $name in
fifo-demo)
	set -- 'A: what should proc A say?' 'B: what should proc B say?' \
		'A: Proc A says, "hi there"' 'B: Proc B says, "hello from elsewhere"' \
		'A: proc A is done' ;;
procfile-stack)
	set -- 'web: Serving HTTP on 127.0.0.1' 'watch: watching site/' \
		'watch: site/ changed, rebuilding' 'built 2 files' ;;
ci-tty)
	set -- 'stdout is not a terminal' 'stdout is a terminal (30 100' \
		'build: stdout is a terminal' 'exit status 3' ;;
detached)
	set -- 'greeter ready' 'hello, world' 'clock - exited SIGTERM' 'stopped' ;;
*)
	set -- ;;
esac
for want in "$@"; do
	grep -qF -- "$want" "$tmp/out" ||
		{ echo "FAIL: $name: no line with '$want' in its output" >&2; exit 1; }
done
echo "ok: $name"
