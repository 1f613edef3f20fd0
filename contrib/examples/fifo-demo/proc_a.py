# Plain print() with no flush: on a pipe nothing would show until exit.
import sys

name = sys.argv[1] if len(sys.argv) > 1 else "A"
while True:
    print(f"what should proc {name} say?")
    line = sys.stdin.readline()
    if not line or line.strip() == "quit":
        print(f"proc {name} is done")
        break
    print(f'Proc {name} says, "{line.strip()}"')
