#!/usr/bin/env bash
# Builds a free-threaded CPython 3.13 (PEP 703, `--disable-gil`) from Debian's source package
# of python3.13 (the trixie suite), for gil_contention's every-interpreter part.
#
#   bash scripts/build-free-threaded-python.sh
#
# Opt-in: nothing in `cargo run` or `cargo test` calls it. The result goes outside the
# repository, to ${XDG_CACHE_HOME:-~/.cache}/pyproof/cpython-3.13t, where gil_contention finds
# it; a second call reuses it (and the downloaded source). About three minutes on two cores.
#
# Needs: network access to the Debian mirror, a C toolchain (gcc, make) and the usual -dev
# packages (zlib1g-dev, libffi-dev; libssl-dev for ssl). No root: apt runs with a private
# state directory just to fetch the source package, and its upstream tarball is built as is.
set -euo pipefail

cache="${XDG_CACHE_HOME:-$HOME/.cache}/pyproof"
prefix="$cache/cpython-3.13t"
work="$cache/build-3.13t"
mirror="${PYPROOF_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
started=$SECONDS

say() { printf '[build-free-threaded %3ds] %s\n' "$((SECONDS - started))" "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

if [ -x "$prefix/bin/python3.13t" ] \
    && "$prefix/bin/python3.13t" -c 'import sys; sys.exit(sys._is_gil_enabled())' 2>/dev/null; then
    say "already built: $prefix/bin/python3.13t (delete $prefix to rebuild)"
    exit 0
fi
for tool in apt-get gcc make tar; do
    command -v "$tool" >/dev/null || fail "$tool is needed (apt-get install build-essential)"
done

mkdir -p "$work/apt/lists/partial" "$work/apt/archives/partial"
echo "deb-src $mirror trixie main" > "$work/apt/sources.list"
apt_opts=(
    -o "Dir::Etc::SourceList=$work/apt/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$work/apt/lists"
    -o "Dir::Cache::Archives=$work/apt/archives"
    -o "Debug::NoLocking=1"
    -q
)

cd "$work"
if ! ls python3.13_*.orig.tar.xz >/dev/null 2>&1; then
    say "fetching the trixie source index from $mirror"
    apt-get "${apt_opts[@]}" update >"$work/apt.log" 2>&1 \
        || fail "apt-get update failed (no network to $mirror?): $(tail -n 1 "$work/apt.log")"
    say "downloading Debian's source package of python3.13"
    apt-get "${apt_opts[@]}" source --download-only python3.13 >>"$work/apt.log" 2>&1 \
        || fail "apt-get source python3.13 failed: $(tail -n 1 "$work/apt.log")"
fi
orig=$(ls python3.13_*.orig.tar.xz | head -n 1)
say "unpacking $orig (the upstream source the package is built from)"
rm -rf src && mkdir src
tar -xf "$orig" -C src --strip-components=1

cd src
log="$work/build.log"
say "configuring: --disable-gil --enable-shared --prefix=$prefix"
./configure --disable-gil --enable-shared --prefix="$prefix" --with-ensurepip=no \
    LDFLAGS="-Wl,-rpath,$prefix/lib" >"$log" 2>&1 \
    || fail "configure failed; the end of $log: $(tail -n 3 "$log" | tr '\n' ' ')"

say "compiling with $(nproc) jobs (progress every 15 s; full log: $log)"
make -j"$(nproc)" >>"$log" 2>&1 &
make_pid=$!
trap 'kill "$make_pid" 2>/dev/null || true' INT TERM EXIT
while kill -0 "$make_pid" 2>/dev/null; do
    sleep 15
    say "  … $(grep -c '^gcc\|^cc ' "$log" || true) compiler calls so far"
done
wait "$make_pid" || fail "make failed; the end of $log: $(tail -n 3 "$log" | tr '\n' ' ')"
trap - INT TERM EXIT

say "installing into $prefix"
make install >>"$log" 2>&1 || fail "make install failed; see $log"

python="$prefix/bin/python3.13t"
"$python" -c 'import sys, sysconfig
assert sysconfig.get_config_var("Py_GIL_DISABLED"), "not a free-threaded build"
assert not sys._is_gil_enabled(), "the GIL is on"
print("built", sys.version.split()[0], "free-threaded, GIL off:", sys.executable)' \
    || fail "$python does not run as a free-threaded interpreter"
say "done: gil_contention will find $python on its next run"
