# The server's client: asks "login: " (a prompt without newline), logs in,
# then sends each line typed at "> " and prints the server's answers. It
# reads the port from the file named by its argument, so started before the
# server listens it fails. Plain print() with no flush.
import socket
import sys

try:
    with open(sys.argv[1]) as f:
        port = int(f.read())
except OSError as e:
    print(f"cannot read the port: {e.strerror}: is the server up?")
    sys.exit(1)
server = socket.create_connection(("127.0.0.1", port)).makefile("rw")


def ask(request):
    server.write(request + "\n")
    server.flush()
    print("server:", server.readline().rstrip("\n"))


try:
    ask("LOGIN " + input("login: "))
    while True:
        ask(input("> "))
except EOFError:
    print("bye")
