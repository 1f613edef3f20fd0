#!/bin/bash
# The shell completions in contrib/completions/: the bash function driven
# through COMP_WORDS for commands, options, option values, session names
# and child names of a live session; fish's through `complete -C`; zsh's
# file parsed. For each shell, the long options it offers are those of
# `ptyplex --help` and `ptyplex COMMAND --help`.
# Usage: completion.sh SOURCE_DIR PTYPLEX
set -eu
src=$1 ptyplex=$2
dir=$src/contrib/completions
tmp=$(mktemp -d)
mkdir -m 0700 "$tmp/run" "$tmp/bin"
export XDG_RUNTIME_DIR=$tmp/run XDG_STATE_HOME=$tmp/state
# The completions run `ptyplex sessions` and `ptyplex list`: this build's.
ln -s "$ptyplex" "$tmp/bin/ptyplex"
export PATH=$tmp/bin:$PATH
session=comp-$$
trap '"$ptyplex" stop -s "$session" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
fail=0
commands='send attach list signal stop start restart sessions'

"$ptyplex" -d -s "$session" --wait-all 'web=cat' 'db=cat' >/dev/null

# bash_complete WORD...: what _ptyplex offers for the last word, sorted,
# on one line.
bash_complete() {
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_ptyplex; printf "%s\n" "${COMPREPLY[@]}"' _ "$dir/ptyplex.bash" "$@" |
		sort | tr '\n' ' ' | sed 's/ $//'
}

check() {
	local shell=$1 want=$2 got=$3 line=$4
	if [ "$got" != "$want" ]; then
		echo "FAIL: $shell: '$line': got '$got', want '$want'" >&2
		fail=1
	fi
}

b() {
	local want=$1; shift
	check bash "$want" "$(bash_complete "$@")" "$*"
}

b '--color' ptyplex --col
b 'always auto never' ptyplex --color ''
b 'always auto' ptyplex --color = a
b '--color=never' ptyplex --color=n
b 'attach list restart send sessions signal start stop' ptyplex ''
b 'send sessions signal start stop' ptyplex s
b "$session" ptyplex send -s ''
b 'db web' ptyplex send -s "$session" ''
b 'db web' ptyplex attach --session = "$session" ''
b 'db web' ptyplex start -S "$XDG_RUNTIME_DIR/ptyplex/$session.sock" ''
b 'USR1 USR2' ptyplex signal -s "$session" web us
b '' ptyplex signal -s "$session" web TERM ''
b 'a= b=' ptyplex a=cat b=cat --restart ''
b 'on-failure on-failure:' ptyplex a=cat b=cat --restart a = o
b '--restart=a=always --restart=a=always:' ptyplex a=cat --restart=a=al
b 'a b' ptyplex a=cat b=cat --exit-with ''
b 'logs watch web' ptyplex -f "$src/contrib/examples/procfile-stack/Procfile" --hold ''
b '--json' ptyplex sessions --j

# Every long option of the help texts, and no other, is offered.
help_options() {
	grep -o -- '--[a-z][a-z-]*[a-z]' | sort -u | tr '\n' ' ' | sed 's/ $//'
}
# The options a command's help lists: its usage line and its option lines
# (its prose may name run-form options such as --hold).
command_options() {
	grep -E '^usage:|^ +-' | help_options
}
only_long() {
	tr ' ' '\n' | grep -- '^--' | sort -u | tr '\n' ' ' | sed 's/ $//'
}
want=$("$ptyplex" --help | help_options)
check bash "$want" "$(bash_complete ptyplex -- | only_long)" 'ptyplex --'
for cmd in $commands; do
	"$ptyplex" "$cmd" --help 2>/dev/null | grep -q "^usage: ptyplex $cmd" || {
		echo "FAIL: 'ptyplex $cmd --help' does not print its usage" >&2
		fail=1
		continue
	}
	# Every command takes --help, which its help text need not name.
	want=$({ "$ptyplex" "$cmd" --help; echo '  --help'; } | command_options)
	check bash "$want" "$(bash_complete ptyplex "$cmd" -- | only_long)" "ptyplex $cmd --"
done

if command -v fish >/dev/null 2>&1; then
	fish -n "$dir/ptyplex.fish" || { echo "FAIL: fish -n ptyplex.fish" >&2; fail=1; }
	f() {
		local want=$1 line=$2
		check fish "$want" "$(fish -c "source '$dir/ptyplex.fish'; complete -C '$line'" |
			cut -f1 | sort | tr '\n' ' ' | sed 's/ $//')" "$line"
	}
	f '--color' 'ptyplex --col'
	f 'always auto never' 'ptyplex --color '
	f "$session" 'ptyplex send -s '
	f 'db web' "ptyplex send -s $session "
	f 'USR1 USR2' "ptyplex signal -s $session web USR"
	f '--restart=a=on-failure --restart=a=on-failure:' 'ptyplex a=cat --restart=a=o'
	want=$("$ptyplex" --help | help_options)
	f "$want" 'ptyplex --'
	for cmd in $commands; do
		"$ptyplex" "$cmd" --help 2>/dev/null | grep -q "^usage: ptyplex $cmd" || continue
		f "$({ "$ptyplex" "$cmd" --help; echo '  --help'; } | command_options)" "ptyplex $cmd --"
	done
else
	echo "fish is not installed: fish completion not checked"
fi

if command -v zsh >/dev/null 2>&1; then
	zsh -n "$dir/_ptyplex" || { echo "FAIL: zsh -n _ptyplex" >&2; fail=1; }
	# The option specs of _arguments: '--name' or '--name=' after a quote
	# a closing parenthesis, a brace, a comma or a '*'.
	zsh_options=$(grep -o -- "[\"'{,)*]--[a-z][a-z-]*[a-z]" "$dir/_ptyplex" |
		cut -c2- | sort -u | tr '\n' ' ' | sed 's/ $//')
	want=$({ "$ptyplex" --help
		for cmd in $commands; do "$ptyplex" "$cmd" --help 2>/dev/null || true; done
	} | help_options)
	check zsh "$want" "$zsh_options" '_ptyplex option specs'
	for cmd in $commands; do
		grep -q "'$cmd:" "$dir/_ptyplex" ||
			{ echo "FAIL: zsh: command $cmd missing" >&2; fail=1; }
	done
else
	echo "zsh is not installed: zsh completion not checked"
fi
[ "$fail" -eq 0 ] && echo "ok: completions"
exit "$fail"
