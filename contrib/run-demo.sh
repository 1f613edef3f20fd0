#!/bin/sh
# Installs what is missing, builds ptyplex into build/, runs the FIFO demo.
set -eu
cd "$(dirname "$0")/.."
contrib/install-deps.sh build
cmake -S . -B build -DPTYPLEX_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
exec contrib/examples/fifo-demo/run.sh "$PWD/build/ptyplex"
