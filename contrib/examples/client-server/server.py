# A line server on 127.0.0.1: "LOGIN NAME" is answered "welcome NAME", any
# other line comes back as "echo: LINE". It listens on a free port, writes
# the port to the file named by its argument and prints "listening on PORT".
# Plain print() with no flush: on a pipe its log would show only at exit.
import os
import socket
import sys

portfile = sys.argv[1]
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen()
port = listener.getsockname()[1]
with open(portfile + ".tmp", "w") as f:
    print(port, file=f)
os.rename(portfile + ".tmp", portfile)
print(f"listening on {port}")

while True:
    conn, _ = listener.accept()
    print("client connected")
    with conn, conn.makefile("rw") as peer:
        for line in peer:
            line = line.rstrip("\r\n")
            print(f"got '{line}'")
            if line.startswith("LOGIN "):
                peer.write(f"welcome {line[6:]}\n")
            else:
                peer.write(f"echo: {line}\n")
            peer.flush()
    print("client gone")
