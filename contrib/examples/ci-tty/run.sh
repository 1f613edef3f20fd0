#!/bin/sh
# A CI job that needs a tty, three ways: piped as CI runs it (no colour),
# under `ptyplex --raw` (byte-exact, as on a terminal) and prefixed. In a
# CI configuration the step is just one of:
#     ptyplex --raw 'build=sh contrib/examples/ci-tty/job.sh'
#     ptyplex 'build=sh contrib/examples/ci-tty/job.sh'
# and the step fails when the job fails: ptyplex exits with its status.
# Usage: run.sh [PTYPLEX]   (default: $PTYPLEX, else build/ptyplex of this tree)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ptyplex=${1:-${PTYPLEX:-$here/../../../build/ptyplex}}
# An installed copy of the examples uses the ptyplex on PATH.
command -v "$ptyplex" >/dev/null || ptyplex=ptyplex
esc=$(printf '\033')

echo "== piped, as a CI runner runs it"
out=$(sh "$here/job.sh")
printf '%s\n' "$out"
case $out in
*"$esc"*) echo "run.sh: colour on a pipe" >&2; exit 1 ;;
esac

echo "== ptyplex --raw: the job sees a terminal, output byte for byte"
out=$("$ptyplex" -q --raw --size 100x30 "build=sh $here/job.sh" </dev/null)
printf '%s\n' "$out"
case $out in
*"stdout is a terminal (30 100"*) ;;
*) echo "run.sh: the job did not see a 100x30 terminal" >&2; exit 1 ;;
esac
printf '%s' "$out" | grep -q "${esc}\[32mcompile" ||
	{ echo "run.sh: no colour under --raw" >&2; exit 1; }

echo "== ptyplex, prefixed, with a failing job: its status is ptyplex's"
status=0
"$ptyplex" -q --no-stdin "build=sh $here/job.sh 3" || status=$?
[ "$status" -eq 3 ] ||
	{ echo "run.sh: expected exit status 3, got $status" >&2; exit 1; }
echo "exit status $status, as the job's"
