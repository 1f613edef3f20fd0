# Reads names, one per line, and greets each. Plain print(), no flush.
import sys

print("greeter ready")
for line in sys.stdin:
    print(f"hello, {line.strip()}")
