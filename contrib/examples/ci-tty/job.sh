#!/bin/sh
# A CI step that behaves differently on a terminal, as many tools do
# (ls, grep, cargo, pytest, npm ...): colour and a progress line only when
# stdout is a tty, plain text on a pipe. Exits with the status it is given.
if [ -t 1 ]; then
	green=$(printf '\033[32m') reset=$(printf '\033[0m')
	echo "stdout is a terminal ($(stty size 2>/dev/null || echo '? ?') rows/cols, TERM=$TERM)"
else
	green='' reset=''
	echo "stdout is not a terminal"
fi
for step in compile test package; do
	printf '%s%-8s%s ok\n' "$green" "$step" "$reset"
done
exit "${1:-0}"
