#!/bin/sh
# The two-child FIFO demo, driven to the end by itself:
#   ptyplex --fifo A=a.in --fifo B=b.in 'A=python3 proc_a.py A' 'B=python3 proc_a.py B'
# then lines written into a.in and b.in from "elsewhere" (this script).
# Usage: run.sh [PTYPLEX]   (default: $PTYPLEX, else build/ptyplex of this tree)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ptyplex=${1:-${PTYPLEX:-$here/../../../build/ptyplex}}
# An installed copy of the examples uses the ptyplex on PATH.
command -v "$ptyplex" >/dev/null || ptyplex=ptyplex
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# Show that the children really are unbuffered by ptyplex, not by Python.
unset PYTHONUNBUFFERED

"$ptyplex" --no-stdin --fifo A="$dir/a.in" --fifo B="$dir/b.in" \
	"A=python3 $here/proc_a.py A" "B=python3 $here/proc_a.py B" &
pid=$!
# Wait (up to 10 s) for ptyplex to create its FIFOs.
for _ in $(seq 100); do
	[ -p "$dir/a.in" ] && [ -p "$dir/b.in" ] && break
	sleep 0.1
done
sleep 0.5
echo "hi there" > "$dir/a.in"; sleep 0.3
echo "hello from elsewhere" > "$dir/b.in"; sleep 0.3
echo "quit" > "$dir/a.in"
wait "$pid"
