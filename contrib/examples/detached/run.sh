#!/bin/sh
# A session in the background, driven from the outside with the client
# commands, then stopped:
#     ptyplex -d -s NAME ...     start it; prints NAME once it is ready
#     ptyplex sessions           NAME is among the live sessions
#     ptyplex send -s NAME ...   input for one child
#     ptyplex list -s NAME       NAME PID STATE [EXIT] per child
#     ptyplex stop -s NAME       graceful shutdown; returns once it has ended
# By hand you would also `ptyplex attach -s NAME greeter` (Ctrl-\ detaches)
# and read the output in ~/.local/state/ptyplex/NAME/, where -d keeps it
# unless --log-dir says otherwise (this script uses a temporary one).
# Usage: run.sh [PTYPLEX]   (default: $PTYPLEX, else build/ptyplex of this tree)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ptyplex=${1:-${PTYPLEX:-$here/../../../build/ptyplex}}
# An installed copy of the examples uses the ptyplex on PATH.
command -v "$ptyplex" >/dev/null || ptyplex=ptyplex
dir=$(mktemp -d)
session=detached-demo-$$
trap '"$ptyplex" stop -s "$session" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
unset PYTHONUNBUFFERED

# Waits up to 10 s for a fixed string in a child's log.
wait_for() {
	for _ in $(seq 100); do
		grep -qF "$2" "$dir/logs/$1.log" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "run.sh: no '$2' in $1's log after 10 s" >&2
	cat "$dir/logs/$1.log" >&2 || true
	return 1
}

echo "\$ ptyplex -d -s $session --log-dir logs --wait-all 'greeter=...' 'clock=...'"
"$ptyplex" -d -s "$session" --log-dir "$dir/logs" --wait-all \
	"greeter=python3 $here/greeter.py" \
	'clock=while :; do date +%H:%M:%S; sleep 1; done'

echo "\$ ptyplex sessions"
"$ptyplex" sessions | tee "$dir/sessions"
grep -qx "$session" "$dir/sessions"

wait_for greeter "greeter ready"
echo "\$ ptyplex send -s $session greeter world"
"$ptyplex" send -s "$session" greeter world
wait_for greeter "hello, world"

echo "\$ ptyplex signal -s $session clock TERM"
"$ptyplex" signal -s "$session" clock TERM
for _ in $(seq 100); do
	"$ptyplex" list -s "$session" | grep -q '^clock - exited' && break
	sleep 0.1
done
echo "\$ ptyplex list -s $session"
"$ptyplex" list -s "$session" | tee "$dir/list"
grep -q '^greeter [0-9][0-9]* running$' "$dir/list"
grep -q '^clock - exited SIGTERM$' "$dir/list"

echo "\$ cat logs/greeter.log"
tr -d '\r' <"$dir/logs/greeter.log"

echo "\$ ptyplex stop -s $session"
"$ptyplex" stop -s "$session"
if "$ptyplex" sessions | grep -qx "$session"; then
	echo "run.sh: $session still listed after stop" >&2
	exit 1
fi
echo "stopped"
