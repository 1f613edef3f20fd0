#!/bin/sh
# Runs a few typical ptyplex sessions under valgrind's memcheck and fails
# on any memory error and on any definite or indirect leak: the demo (two
# children, input routed from stdin), a session driven by the client
# commands (send, list, signal, stop; each client run under valgrind too),
# FIFO input with --json, --log-dir and a prompt, and a shutdown by signal
# with a child that outlives SIGTERM.
#
# Usage: contrib/valgrind-check.sh [BUILD_DIR]   (default: build-test)
# BUILD_DIR must hold a built ptyplex and its test helpers. Without
# valgrind the check is skipped, with a message, and succeeds.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build-test}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac

if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind: skipped, valgrind is not installed"
	exit 0
fi
bin=$build/ptyplex
helpers=$build/helpers
[ -x "$bin" ] && [ -x "$helpers/echoer" ] ||
	{ echo "valgrind: no ptyplex or helpers in $build" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/ptyplex-valgrind.XXXXXX")
pids=""
cleanup() {
	for pid in $pids; do kill -9 "$pid" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
export XDG_RUNTIME_DIR=$work/run
mkdir -m 700 "$XDG_RUNTIME_DIR"

# Errors of the forked children before they exec are not ptyplex's
# sessions; every error and leak of ptyplex itself fails the run. Sessions
# in the background run valgrind as a simple command, so that $! is its
# pid (the pid of ptyplex: valgrind runs it in the same process).
vg_opts="-q --error-exitcode=1 --leak-check=full
	--errors-for-leak-kinds=definite,indirect
	--show-leak-kinds=definite,indirect --child-silent-after-fork=yes"
vg() {
	log=$1; shift
	# shellcheck disable=SC2086
	valgrind $vg_opts --log-file="$work/$log.vg" "$@"
}

failed=0
passed=0
fail() {
	echo "valgrind: $1 FAILED: $2"
	for f in "$work/$1.vg" "$work/$1.err"; do
		[ -s "$f" ] && { echo "--- $(basename "$f")"; tail -60 "$f"; }
	done
	failed=$((failed + 1))
}

# wait_for FILE TEXT SECONDS: until FILE holds TEXT (a fixed string).
wait_for() {
	n=0
	while ! grep -qF -- "$2" "$1" 2>/dev/null; do
		n=$((n + 1))
		[ "$n" -le $(($3 * 10)) ] || return 1
		sleep 0.1
	done
}

# expect_status NAME WANT GOT: valgrind exits 1 on any error or leak (no
# session here expects 1); its warnings (an ioctl it does not know) are
# not errors.
expect_status() {
	if [ "$3" -eq 1 ] && [ "$2" -ne 1 ]; then
		fail "$1" "memcheck found errors or leaks"
	elif [ "$3" -ne "$2" ]; then
		fail "$1" "exit status $3, expected $2"
	else
		passed=$((passed + 1))
	fi
}

# client NAME ARGS...: one client command under valgrind, which must
# exit 0; its output in $work/NAME.out and NAME.err.
client() {
	name=$1; shift
	st=0
	vg "$name" "$bin" "$@" >"$work/$name.out" 2>"$work/$name.err" || st=$?
	expect_status "$name" 0 "$st"
}

# 1. The demo: two echo children, each answering the lines routed to it.
session_demo() {
	st=0
	printf 'A: hi there\nB: and you\nA: quit\n' |
		vg demo "$bin" "A=exec $helpers/echoer a" \
		"B=exec $helpers/echoer b" >"$work/demo.out" \
		2>"$work/demo.err" || st=$?
	if ! grep -qF 'A: A says, "hi there"' "$work/demo.out"; then
		fail demo "A's answer is missing"
		return
	fi
	expect_status demo 0 "$st"
}

# 2. Client commands against a live session; the session and every
# client run under valgrind.
session_clients() {
	sock=$work/ctl.sock
	# shellcheck disable=SC2086
	valgrind $vg_opts --log-file="$work/server.vg" \
		"$bin" -S "$sock" --no-stdin \
		"A=exec $helpers/echoer a" "B=exec $helpers/sleeper -t" \
		>"$work/server.out" 2>"$work/server.err" &
	server=$!
	pids="$pids $server"
	if ! wait_for "$work/server.out" "A: what should a say?" 60; then
		fail clients "the session did not start"
		return
	fi
	client send send -S "$sock" A hello from a client
	wait_for "$work/server.out" 'A says, "hello from a client"' 60 ||
		fail clients "the sent line did not arrive"
	client list list -S "$sock"
	grep -q '^B [0-9][0-9]* running' "$work/list.out" ||
		fail list "no running B in: $(cat "$work/list.out")"
	client listjson list --json -S "$sock"
	client signal signal -S "$sock" B TERM
	wait_for "$work/server.out" "B: caught SIGTERM" 60 ||
		fail clients "the signal did not arrive"
	client stop stop -S "$sock"
	st=0
	wait "$server" || st=$?
	expect_status server 0 "$st"
}

# 3. Input through a FIFO, --json lines, transcripts and a prompt shown
# by the partial-line timer.
session_fifo_json() {
	fifo=$work/a.in
	# shellcheck disable=SC2086
	valgrind $vg_opts --log-file="$work/fifo.vg" \
		"$bin" --json --log-dir "$work/logs" --flush-ms 50 \
		--no-stdin --no-socket --fifo "A=$fifo" \
		"A=exec $helpers/prompt" "B=exec $helpers/exit_with 0" \
		--exit-with A >"$work/fifo.out" 2>"$work/fifo.err" &
	server=$!
	pids="$pids $server"
	if ! wait_for "$work/fifo.out" '"line":"name? "' 60; then
		fail fifo "the prompt did not show"
		return
	fi
	printf 'world\nbye\n' >"$fifo"
	st=0
	wait "$server" || st=$?
	grep -qF '"line":"hello world"' "$work/fifo.out" ||
		fail fifo "the FIFO's line did not arrive"
	expect_status fifo 0 "$st"
}

# 4. SIGTERM to ptyplex: one child goes at once, one only at SIGKILL.
session_signal() {
	# shellcheck disable=SC2086
	valgrind $vg_opts --log-file="$work/term.vg" \
		"$bin" --kill-timeout 1 --no-socket \
		"A=exec $helpers/sleeper" "B=exec $helpers/sleeper -t" \
		</dev/null >"$work/term.out" 2>"$work/term.err" &
	server=$!
	pids="$pids $server"
	if ! wait_for "$work/term.out" "B: ready" 60 ||
	    ! wait_for "$work/term.out" "A: ready" 60; then
		fail term "the children did not start"
		return
	fi
	kill -TERM "$server"
	st=0
	wait "$server" || st=$?
	expect_status term 143 "$st"
}

session_demo
session_clients
session_fifo_json
session_signal
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
