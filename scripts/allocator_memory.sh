#!/usr/bin/env bash
# Peak memory of `nianbao rollup` with mimalloc (the binary as shipped) and with glibc's malloc
# (the same sources with the `#[global_allocator]` taken out), on the benchmark's generated
# workbooks: prints the README's allocator figures.
#
#   scripts/allocator_memory.sh [N…]        (default: 2000 20000 workbooks; 3 alternating rounds,
#                                             the table shows the median)
#
# The workbooks are those of `cargo bench --bench rollup` (target/bench-data/N); when missing,
# that bench is run for N to make them (it prints its own table too). The glibc binary is built
# from a copy of the sources in a temporary directory into target/alloc-glibc/, so nothing in the
# repository changes. Needs GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(2000 20000)
rounds=3
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The glibc build: a copy of the sources without the global allocator.
mkdir "$tmp/src-glibc"
tar --exclude=./target --exclude=./.git --exclude=./sample_workbooks --exclude=./fuzz -cf - . \
  | tar -xf - -C "$tmp/src-glibc"
grep -rl --include='*.rs' '#\[global_allocator\]' "$tmp/src-glibc" | grep -v '/benches/' \
  | while read -r f; do
      # the attribute and the static item on the next line
      sed -i '/#\[global_allocator\]/{N;d;}' "$f"
    done
if grep -rq --include='*.rs' --exclude-dir=benches 'global_allocator' "$tmp/src-glibc"; then
  echo "could not take the global allocator out" >&2; exit 2
fi
# Its own target directory (kept between runs): built in the repository's, it would take the place
# of target/release/nianbao, and cargo does not put a fresh binary back.
CARGO_TARGET_DIR="$root/target/alloc-glibc" cargo build --release --quiet \
  --manifest-path "$tmp/src-glibc/Cargo.toml" --bin nianbao
glibc_bin="$root/target/alloc-glibc/release/nianbao"
cargo build --release --quiet --bin nianbao
mimalloc_bin="$root/target/release/nianbao"

if cmp -s "$glibc_bin" "$mimalloc_bin" || ! grep -q mi_malloc "$mimalloc_bin" || grep -q mi_malloc "$glibc_bin"; then
  echo "the two binaries are not mimalloc and glibc builds" >&2; exit 2
fi

peak_kb() { # BIN DIR -> peak RSS in kB
  # a fresh output each time: a summary of 20000 agencies is too large for the check that it is
  # nianbao's own (read_mark's limits), so it would be refused as an existing file
  rm -f "$tmp/sum.xlsx"
  /usr/bin/time -v -o "$tmp/time.txt" "$1" rollup "$2" --name 测试区 -o "$tmp/sum.xlsx" >/dev/null 2>&1 || true
  if ! grep -q 'Exit status: 0' "$tmp/time.txt"; then
    echo "$1 rollup $2 failed" >&2; exit 2
  fi
  sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time.txt"
}
echo "load average at start: $(cut -d" " -f1-3 /proc/loadavg)"
echo
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| workbooks | peak RSS, mimalloc | peak RSS, glibc malloc |"
echo "|---:|---:|---:|"
for n in "${sizes[@]}"; do
  dir="$root/target/bench-data/$n"
  if [ ! -e "$dir/.complete" ]; then
    echo "generating $n workbooks with cargo bench --bench rollup -- $n" >&2
    cargo bench --quiet --bench rollup -- "$n" >&2
  fi
  m=(); g=()
  for _ in $(seq "$rounds"); do
    m+=("$(peak_kb "$mimalloc_bin" "$dir")")
    g+=("$(peak_kb "$glibc_bin" "$dir")")
  done
  mk=$(printf '%s\n' "${m[@]}" | median)
  gk=$(printf '%s\n' "${g[@]}" | median)
  printf '| %s | %.0f MiB | %.0f MiB |\n' "$n" "$(echo "$mk / 1024" | bc -l)" "$(echo "$gk / 1024" | bc -l)"
done
