# fish completion for ptyplex(1). Installed as
# share/fish/vendor_completions.d/ptyplex.fish; or copy it to
# ~/.config/fish/completions/.
#
# Completes commands, options, option values (--color, --restart policies,
# signal names), session names (from `ptyplex sessions`) and the children
# of a running session (first column of `ptyplex list`).

# The client command on the line, if any (it must be the first argument).
function __ptyplex_command
    set -l words (commandline -opc)
    if test (count $words) -ge 2; and contains -- $words[2] send attach list signal stop start restart sessions
        echo $words[2]
        return 0
    end
    return 1
end

function __ptyplex_run_form
    not __ptyplex_command >/dev/null
end

function __ptyplex_is_command
    set -l cmd (__ptyplex_command); or return 1
    contains -- $cmd $argv
end

# The number of words after the command that are not options or their values.
function __ptyplex_positionals
    set -l words (commandline -opc)
    set -l n 0
    set -l skip 0
    for w in $words[3..-1]
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $w
            case -s --session -S --socket --detach-key
                set skip 1
            case '-*'
            case '*'
                set n (math $n + 1)
        end
    end
    echo $n
end

function __ptyplex_positional_is
    test (__ptyplex_positionals) -eq $argv[1]
end

# -s/-S of the command line, for `ptyplex list`.
function __ptyplex_target
    set -l words (commandline -opc)
    set -l i 3
    while test $i -le (count $words)
        switch $words[$i]
            case -s --session -S --socket
                set -l j (math $i + 1)
                if test $j -le (count $words)
                    printf '%s\n' $words[$i] $words[$j]
                end
            case '--session=*' '--socket=*'
                printf '%s\n' $words[$i]
        end
        set i (math $i + 1)
    end
end

function __ptyplex_sessions
    set -l words (commandline -opc)
    command -q $words[1]; or return
    $words[1] sessions 2>/dev/null
end

function __ptyplex_children
    set -l words (commandline -opc)
    command -q $words[1]; or return
    $words[1] list (__ptyplex_target) 2>/dev/null | string replace -r ' .*' ''
end

# Children named on a run-form line: NAME=COMMAND words and a -f Procfile.
function __ptyplex_declared
    set -l words (commandline -opc)
    set -l procfile
    set -l i 2
    while test $i -le (count $words)
        set -l w $words[$i]
        switch $w
            case -f --procfile
                set -l j (math $i + 1)
                test $j -le (count $words); and set procfile $words[$j]
            case '--procfile=*'
                set procfile (string replace -- --procfile= '' $w)
            case '-*'
            case '*=*'
                string match -qr '^[A-Za-z0-9_.-]+=' -- $w; and string replace -r '=.*' '' -- $w
        end
        set i (math $i + 1)
    end
    if test -n "$procfile"; and test -r "$procfile"
        string replace -rf '^\s*([A-Za-z0-9_.-]+)\s*:.*' '$1' <$procfile
    end
end

# NAME= for options that take NAME=VALUE; after NAME=, the policies.
function __ptyplex_restart_values
    set -l tok (commandline -ct)
    set tok (string replace -r '^--restart=' '' -- $tok)
    if string match -q '*=*' -- $tok
        set -l name (string replace -r '=.*' '' -- $tok)
        for p in no on-failure always on-failure: always:
            printf '%s\n' $name=$p
        end
    else
        for n in (__ptyplex_declared)
            printf '%s\n' $n=
        end
    end
end

function __ptyplex_name_eq
    for n in (__ptyplex_declared)
        printf '%s\n' $n=
    end
end

set -l signals TERM INT HUP KILL QUIT USR1 USR2 STOP CONT WINCH ALRM PIPE

complete -c ptyplex -f

# Commands, only as the first argument.
complete -c ptyplex -n "test (count (commandline -opc)) -eq 1" -a send -d 'send text or stdin to a child'
complete -c ptyplex -n "test (count (commandline -opc)) -eq 1" -a attach -d 'work in a running child from this terminal'
complete -c ptyplex -n "test (count (commandline -opc)) -eq 1" -a list -d 'the children of a session and their states'
complete -c ptyplex -n "test (count (commandline -opc)) -eq 1" -a signal -d 'send a signal to a child'
complete -c ptyplex -n "test (count (commandline -opc)) -eq 1" -a stop -d 'shut a session down'
complete -c ptyplex -n "test (count (commandline -opc)) -eq 1" -a start -d 'start a held or exited child'
complete -c ptyplex -n "test (count (commandline -opc)) -eq 1" -a restart -d 'restart a child'
complete -c ptyplex -n "test (count (commandline -opc)) -eq 1" -a sessions -d 'the live sessions of this user'

# The run form.
set -l run __ptyplex_run_form
complete -c ptyplex -n $run -s f -l procfile -r -F -d 'children from a Procfile'
complete -c ptyplex -n $run -l size -x -a '80x24 120x40' -d 'window size COLSxROWS'
complete -c ptyplex -n $run -l echo -d "keep the ptys' ECHO"
complete -c ptyplex -n $run -l input -x -a '(__ptyplex_declared)' -d 'child for stdin lines without a route'
complete -c ptyplex -n $run -l no-stdin -d 'do not read stdin'
complete -c ptyplex -n $run -l fifo -x -a '(__ptyplex_name_eq)' -d 'input FIFO NAME=PATH'
complete -c ptyplex -n $run -l fifo-dir -x -a '(__fish_complete_directories)' -d 'a FIFO DIR/NAME.in per child'
complete -c ptyplex -n $run -l script -r -F -d 'send/expect steps'
complete -c ptyplex -n $run -l raw -d 'one child, bytes and keys passed through'
complete -c ptyplex -n $run -l prefix -x -d 'prefix format: %n %p %t %%'
complete -c ptyplex -n $run -l timestamps -d "same as --prefix '%t %n: '"
complete -c ptyplex -n $run -l color -x -a 'auto always never' -d 'colour the prefixes'
complete -c ptyplex -n $run -l json -d 'one JSON object per line and per event'
complete -c ptyplex -n $run -l log-dir -x -a '(__fish_complete_directories)' -d 'transcript of each child in DIR/NAME.log'
complete -c ptyplex -n $run -l flush-ms -x -d 'show a partial line after MS ms'
complete -c ptyplex -n $run -l max-line -x -d 'split longer lines'
complete -c ptyplex -n $run -s q -l quiet -d 'no lifecycle notices on stderr'
complete -c ptyplex -n $run -l exit-with -x -a '(__ptyplex_declared)' -d 'end when this child exits'
complete -c ptyplex -n $run -l wait-all -d 'end when every child has exited'
complete -c ptyplex -n $run -l kill-timeout -x -d 'SIGTERM to SIGKILL grace (seconds)'
complete -c ptyplex -n $run -l ready -x -a '(__ptyplex_name_eq)' -d 'NAME=/REGEX/: start the later children once it matches'
complete -c ptyplex -n $run -l ready-timeout -x -d 'limit of --ready (seconds)'
complete -c ptyplex -n $run -l hold -x -a '(__ptyplex_declared)' -d 'start only on request'
complete -c ptyplex -n $run -l restart -x -a '(__ptyplex_restart_values)' -d 'NAME=no|on-failure|always[:MAX]'
complete -c ptyplex -n $run -s s -l session -x -d 'session name'
complete -c ptyplex -n $run -s S -l socket -r -F -d 'control socket path'
complete -c ptyplex -n $run -l no-socket -d 'no control socket'
complete -c ptyplex -n $run -s d -l detach -d 'run in the background'
complete -c ptyplex -n $run -l scrollback -x -d 'output kept per child for attach (bytes)'
complete -c ptyplex -n $run -s h -l help -d 'show the help'
complete -c ptyplex -n $run -s V -l version -d 'show the version'

# Client commands.
set -l target '__ptyplex_is_command send attach list signal stop start restart'
complete -c ptyplex -n $target -s s -l session -x -a '(__ptyplex_sessions)' -d 'the session named NAME'
complete -c ptyplex -n $target -s S -l socket -r -F -d 'the session listening on PATH'
complete -c ptyplex -n __ptyplex_command -s h -l help -d 'show the help'
complete -c ptyplex -n '__ptyplex_is_command send' -s n -d 'no newline'
complete -c ptyplex -n '__ptyplex_is_command list sessions' -l json -d 'one JSON object per line'
complete -c ptyplex -n '__ptyplex_is_command attach' -l detach-key -x -a 'none ^] ^A ^B' -d 'the detach key (^X or none)'
complete -c ptyplex -n '__ptyplex_is_command send attach signal start restart; and __ptyplex_positional_is 0' \
    -a '(__ptyplex_children)' -d child
complete -c ptyplex -n '__ptyplex_is_command signal; and __ptyplex_positional_is 1' -a "$signals" -d signal
