#!/bin/sh
# The whole test suite: installs what is missing, then builds and runs every
# test twice (plain, then under AddressSanitizer and UBSan), runs typical
# sessions under valgrind's memcheck (contrib/valgrind-check.sh), and runs
# each fuzz target for a bounded time (PTYPLEX_FUZZ_SECONDS, default 20)
# when clang's fuzzer runtime is present. Exits non-zero if anything fails.
set -eu
cd "$(dirname "$0")/.."
contrib/install-deps.sh test
jobs=$(nproc)
fuzz_seconds=${PTYPLEX_FUZZ_SECONDS:-20}

run_suite() {
	dir=$1; shift
	echo "== build $dir ($*)"
	cmake -S . -B "$dir" "$@" >/dev/null
	cmake --build "$dir" -j"$jobs" >/dev/null
	echo "== test $dir"
	status=0
	(cd "$dir" && ctest --output-on-failure -j"$jobs") >"$dir/ctest.log" 2>&1 ||
		status=$?
	cat "$dir/ctest.log"
	summary=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$dir/ctest.log" | tail -1)
	total=$(echo "$summary" | sed -E 's/.*out of ([0-9]+).*/\1/')
	failed=$(echo "$summary" | sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/')
	passed_all=$((passed_all + ${total:-0} - ${failed:-0}))
	failed_all=$((failed_all + ${failed:-0}))
	[ "$status" -eq 0 ] || { echo "$failed_all failed in $dir"; echo "tests: $passed_all passed, $failed_all failed"; exit 1; }
}
passed_all=0
failed_all=0

run_suite build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo

# The Debian package of that build: made with cpack, installed into the
# system, run, and removed again. Only as root or with sudo, and with dpkg.
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if command -v dpkg >/dev/null 2>&1 && command -v cpack >/dev/null 2>&1 &&
	{ [ -z "$sudo" ] || sudo -n true 2>/dev/null; }; then
	echo "== package (cpack -G DEB, dpkg -i, ptyplex --version, dpkg -r)"
	rm -f build-test/ptyplex_*.deb
	if (cd build-test && cpack -G DEB) >build-test/cpack.log 2>&1 &&
		$sudo dpkg -i build-test/ptyplex_*.deb >build-test/dpkg.log 2>&1 &&
		version=$(/usr/bin/ptyplex --version) &&
		[ "$version" = "ptyplex $(sed -n 's/^project(ptyplex VERSION \([^ ]*\).*/\1/p' CMakeLists.txt)" ] &&
		$sudo dpkg -r ptyplex >>build-test/dpkg.log 2>&1 &&
		! [ -e /usr/bin/ptyplex ]; then
		echo "package: $(basename build-test/ptyplex_*.deb) installs, runs ($version) and is removed"
		passed_all=$((passed_all + 1))
	else
		cat build-test/cpack.log build-test/dpkg.log 2>/dev/null | tail -30
		$sudo dpkg -r ptyplex >/dev/null 2>&1 || true
		echo "package FAILED"
		echo "tests: $passed_all passed, $((failed_all + 1)) failed"
		exit 1
	fi
else
	echo "== package skipped: needs dpkg, cpack and root or sudo"
fi

echo "== valgrind memcheck"
sh contrib/valgrind-check.sh build-test >build-test/valgrind.log 2>&1 ||
	{ cat build-test/valgrind.log; echo "tests: $passed_all passed, $((failed_all + 1)) failed"; exit 1; }
cat build-test/valgrind.log
vg_passed=$(sed -n 's/^valgrind: \([0-9]*\) passed.*/\1/p' build-test/valgrind.log)
passed_all=$((passed_all + ${vg_passed:-0}))

ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DPTYPLEX_SANITIZE=ON

if command -v clang >/dev/null 2>&1 &&
	echo 'int LLVMFuzzerTestOneInput(const char*d,long n){(void)d;(void)n;return 0;}' |
	clang -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
	echo "== fuzz (${fuzz_seconds}s per target)"
	CC=clang cmake -S . -B build-fuzz -DPTYPLEX_FUZZ=ON -DPTYPLEX_TESTS=OFF >/dev/null
	cmake --build build-fuzz -j"$jobs" >/dev/null
	for target in build-fuzz/tests/fuzz/fuzz_*; do
		[ -x "$target" ] || continue
		name=$(basename "$target" | sed 's/^fuzz_//')
		work=$(mktemp -d)
		cp -r "tests/fuzz/corpus/$name/." "$work/" 2>/dev/null || true
		# A crashing input lands in build-fuzz/, not in the tree.
		"$target" -max_total_time="$fuzz_seconds" -timeout=30 \
			-print_final_stats=1 -artifact_prefix=build-fuzz/"$name"- \
			"$work" >"build-fuzz/$name.log" 2>&1 ||
			{ tail -40 "build-fuzz/$name.log"; echo "fuzz_$name FAILED";
			  echo "tests: $passed_all passed, $((failed_all + 1)) failed"; exit 1; }
		echo "fuzz_$name: $(sed -n 's/^stat::number_of_executed_units: *//p' "build-fuzz/$name.log") runs, no failure"
		passed_all=$((passed_all + 1))
		rm -rf "$work"
	done
else
	echo "== fuzz skipped: clang with libFuzzer not available"
fi
echo "tests: $passed_all passed, $failed_all failed"
