#!/bin/sh
# watch.sh DIR LOG: looks at DIR once a second; each time a file in it has
# changed, "rebuilds" and appends a line to LOG. Plain echo, no flushing
# tricks: on ptyplex's pty each line shows at once.
dir=${1:-site}
log=${2:-build.log}
echo "watching $dir/"
last=
while :; do
	now=$(ls -lR --full-time "$dir" | cksum)
	if [ "$now" != "$last" ]; then
		[ -n "$last" ] && echo "$dir/ changed, rebuilding"
		echo "$(date +%H:%M:%S) built $(ls "$dir" | wc -l) files" >>"$log"
		last=$now
	fi
	sleep 1
done
