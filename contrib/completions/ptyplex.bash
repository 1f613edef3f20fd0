# bash completion for ptyplex(1). Installed as
# share/bash-completion/completions/ptyplex; or source it from ~/.bashrc.
#
# Completes commands, options, option values (--color, --restart policies,
# signal names), session names (from `ptyplex sessions`) and the children
# of a running session (first column of `ptyplex list`).

_ptyplex_commands='send attach list signal stop start restart sessions'
_ptyplex_run_options='-f --procfile --size --echo --input --no-stdin --fifo
--fifo-dir --script --raw --prefix --timestamps --color --json --log-dir
--flush-ms --max-line -q --quiet --exit-with --wait-all --kill-timeout
--ready --ready-timeout --hold --restart -s --session -S --socket
--no-socket -d --detach --scrollback -h --help -V --version'
_ptyplex_signals='TERM INT HUP KILL QUIT USR1 USR2 STOP CONT WINCH ALRM PIPE'

# The options of one client command.
_ptyplex_command_options()
{
	case $1 in
	send) echo '-s --session -S --socket -n -h --help' ;;
	attach) echo '-s --session -S --socket --detach-key -h --help' ;;
	list) echo '-s --session -S --socket --json -h --help' ;;
	sessions) echo '--json -h --help' ;;
	*) echo '-s --session -S --socket -h --help' ;;
	esac
}

# Children of the session that the command line names with -s or -S (the
# only live one otherwise).
_ptyplex_children()
{
	local prog=$1 i target=()
	for ((i = 2; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-s | --session | -S | --socket)
			if [[ ${COMP_WORDS[i + 1]} == = ]]; then
				target=("${COMP_WORDS[i]}" "${COMP_WORDS[i + 2]}")
			else
				target=("${COMP_WORDS[i]}" "${COMP_WORDS[i + 1]}")
			fi ;;
		--session=* | --socket=*)
			target=("${COMP_WORDS[i]}") ;;
		esac
	done
	"$prog" list "${target[@]}" 2>/dev/null | while read -r name _; do
		printf '%s\n' "$name"
	done
}

# Children named on a run-form command line: NAME=COMMAND words and the
# lines of a -f Procfile.
_ptyplex_declared()
{
	local i w procfile=
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-f | --procfile) procfile=${COMP_WORDS[i + 1]} ;;
		--procfile=*) procfile=${w#--procfile=} ;;
		-*) ;;
		[A-Za-z0-9_.-]*=*) printf '%s\n' "${w%%=*}" ;;
		esac
	done
	if [[ -n $procfile && -r $procfile ]]; then
		sed -n 's/^[[:space:]]*\([A-Za-z0-9_.-]\{1,\}\)[[:space:]]*:.*/\1/p' \
			"$procfile" 2>/dev/null
	fi
}

_ptyplex_files()
{
	compopt -o filenames 2>/dev/null
	COMPREPLY=($(compgen -f -- "$1"))
}

_ptyplex_dirs()
{
	compopt -o filenames 2>/dev/null
	COMPREPLY=($(compgen -d -- "$1"))
}

# Values of a run-form option; returns 1 when opt takes none.
_ptyplex_run_value()
{
	local prog=$1 opt=$2 cur=$3
	case $opt in
	-f | --procfile | --script) _ptyplex_files "$cur" ;;
	-S | --socket) _ptyplex_files "$cur" ;;
	--log-dir | --fifo-dir) _ptyplex_dirs "$cur" ;;
	--color | --colour)
		COMPREPLY=($(compgen -W 'auto always never' -- "$cur")) ;;
	--input | --exit-with | --hold)
		COMPREPLY=($(compgen -W "$(_ptyplex_declared)" -- "$cur")) ;;
	--restart)
		if [[ $cur == *=* ]]; then
			COMPREPLY=($(compgen -P "${cur%%=*}=" \
				-W 'no on-failure always on-failure: always:' -- "${cur#*=}"))
			compopt -o nospace 2>/dev/null
		else
			COMPREPLY=($(compgen -S = -W "$(_ptyplex_declared)" -- "$cur"))
			compopt -o nospace 2>/dev/null
		fi ;;
	--fifo | --ready)
		COMPREPLY=($(compgen -S = -W "$(_ptyplex_declared)" -- "$cur"))
		compopt -o nospace 2>/dev/null ;;
	-s | --session | --size | --prefix | --flush-ms | --max-line | \
	--kill-timeout | --ready-timeout | --scrollback)
		COMPREPLY=() ;;
	*) return 1 ;;
	esac
	return 0
}

# Values of a client command's option; returns 1 when opt takes none.
_ptyplex_command_value()
{
	local prog=$1 opt=$2 cur=$3
	case $opt in
	-s | --session)
		COMPREPLY=($(compgen -W "$("$prog" sessions 2>/dev/null)" -- "$cur")) ;;
	-S | --socket) _ptyplex_files "$cur" ;;
	--detach-key)
		COMPREPLY=($(compgen -W 'none ^] ^A ^B' -- "$cur")) ;;
	*) return 1 ;;
	esac
	return 0
}

_ptyplex()
{
	local prog=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]}
	local word=$cur start=$COMP_CWORD prev='' command='' i n=0 strip
	COMPREPLY=()

	# With '=' in COMP_WORDBREAKS (the default) bash splits "--color=al"
	# into "--color" "=" "al", and replaces only "al": rebuild the whole
	# word, complete it, then drop what precedes the part being replaced.
	if [[ $cur == = ]] && ((start >= 2)); then
		word=${COMP_WORDS[start - 1]}=
		cur=''
		((start--))
	fi
	while ((start >= 2)) && [[ ${COMP_WORDS[start - 1]} == = ]]; do
		word=${COMP_WORDS[start - 2]}=$word
		((start -= 2))
	done
	strip=$((${#word} - ${#cur}))
	((start >= 1)) && prev=${COMP_WORDS[start - 1]}
	if ((start > 1)) && [[ " $_ptyplex_commands " == *" ${COMP_WORDS[1]} "* ]]; then
		command=${COMP_WORDS[1]}
	fi

	_ptyplex_complete "$prog" "$command" "$prev" "$word" "$start"
	if ((strip > 0)); then
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=${COMPREPLY[i]:strip}
		done
	fi
	return 0
}

# Fills COMPREPLY with whole words for word, the start-th on the line.
_ptyplex_complete()
{
	local prog=$1 command=$2 prev=$3 word=$4 start=$5 i n=0 opt

	if [[ $word == --*=* ]]; then
		opt=${word%%=*}
		if [[ -z $command ]]; then
			_ptyplex_run_value "$prog" "$opt" "${word#*=}" || return 0
		else
			_ptyplex_command_value "$prog" "$opt" "${word#*=}" || return 0
		fi
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=$opt=${COMPREPLY[i]}
		done
		return 0
	fi
	if [[ -z $command ]]; then
		if ((start == 1)) && [[ $word != -* ]]; then
			COMPREPLY=($(compgen -W "$_ptyplex_commands" -- "$word"))
			return 0
		fi
		_ptyplex_run_value "$prog" "$prev" "$word" && return 0
		[[ $word == -* ]] &&
			COMPREPLY=($(compgen -W "$_ptyplex_run_options" -- "$word"))
		return 0
	fi

	_ptyplex_command_value "$prog" "$prev" "$word" && return 0
	if [[ $word == -* ]]; then
		COMPREPLY=($(compgen -W "$(_ptyplex_command_options "$command")" -- "$word"))
		return 0
	fi
	# Which positional word this is (after the command and its options).
	for ((i = 2; i < start; i++)); do
		case ${COMP_WORDS[i]} in
		-s | --session | -S | --socket | --detach-key) ((i++)) ;;
		-* | =) ;;
		*) [[ ${COMP_WORDS[i - 1]} == = ]] || ((n++)) ;;
		esac
	done
	case $command in
	send | attach | start | restart)
		((n == 0)) &&
			COMPREPLY=($(compgen -W "$(_ptyplex_children "$prog")" -- "$word")) ;;
	signal)
		if ((n == 0)); then
			COMPREPLY=($(compgen -W "$(_ptyplex_children "$prog")" -- "$word"))
		elif ((n == 1)); then
			COMPREPLY=($(compgen -W "$_ptyplex_signals" -- "${word^^}"))
		fi ;;
	esac
	return 0
}

complete -F _ptyplex ptyplex
