#!/bin/sh
# A client/server test harness. The server starts first; the client starts
# only once the server says it is listening (--ready); a script logs in
# through the client and checks the answers of both:
#     ptyplex --ready 'server=/listening on [0-9]+/' --script chat.script \
#         'server=python3 server.py port' 'client=python3 client.py port'
# Both programs use plain print() with no flush: on pipes neither would
# show a line before it exits, and the prompts would never show.
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

echo "\$ ptyplex --ready 'server=/listening on [0-9]+/' --script chat.script" \
	"'server=...' 'client=...'"
status=0
"$ptyplex" --ready 'server=/listening on [0-9]+/' \
	--script "$here/chat.script" \
	"server=python3 $here/server.py $dir/port" \
	"client=python3 $here/client.py $dir/port" </dev/null \
	>"$dir/out" || status=$?
cat "$dir/out"
[ "$status" -eq 0 ] ||
	{ echo "run.sh: ptyplex exited with status $status" >&2; exit 1; }
for want in 'client: server: welcome alice' \
    'client: server: echo: hello there' "server: got 'hello there'" \
    'client: bye'; do
	grep -qxF "$want" "$dir/out" ||
		{ echo "run.sh: no line '$want'" >&2; exit 1; }
done
echo "exit status $status"
