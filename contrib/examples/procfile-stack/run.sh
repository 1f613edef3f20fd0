#!/bin/sh
# The Procfile stack, driven to the end by itself: start web, watch and
# logs on a free port, fetch a page, change a file so that watch rebuilds
# and logs shows it, then stop the session with `ptyplex stop`.
# Usage: run.sh [PTYPLEX]   (default: $PTYPLEX, else build/ptyplex of this tree)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ptyplex=${1:-${PTYPLEX:-$here/../../../build/ptyplex}}
# An installed copy of the examples uses the ptyplex on PATH.
command -v "$ptyplex" >/dev/null || ptyplex=ptyplex
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp -R "$here/Procfile" "$here/watch.sh" "$here/site" "$dir/"
cd "$dir"
unset PYTHONUNBUFFERED

# Waits up to 10 s for a fixed string in out.txt.
wait_for() {
	for _ in $(seq 100); do
		grep -qF "$1" out.txt && return 0
		sleep 0.1
	done
	echo "run.sh: no '$1' in the output after 10 s" >&2
	cat out.txt >&2
	return 1
}

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export PORT
"$ptyplex" --no-stdin -S "$dir/stack.sock" --ready 'web=/Serving HTTP/' \
	-f Procfile >out.txt &
pid=$!
wait_for "web: Serving HTTP"
wait_for "logs: "
python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/index.html').read()"
wait_for '"GET /index.html HTTP/1.1" 200'
echo '<p>new page</p>' >site/new.html
wait_for "watch: site/ changed, rebuilding"
wait_for "built 2 files"
"$ptyplex" stop -S "$dir/stack.sock"
status=0
wait "$pid" || status=$?
cat out.txt
exit "$status"
