#!/usr/bin/env bash
# Peak memory and time of `nianbao check` on the hostile files of sample_workbooks/bad/ that would
# make a naive reader allocate gigabytes, beside a normal report: prints the README's table.
#
#   scripts/hostile_memory.sh [ROUNDS]      (default 5; the table shows the median round)
#
# Needs GNU time (/usr/bin/time, Debian package `time`). Builds the release binary first.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
cargo build --release --quiet --bin nianbao
bin=target/release/nianbao
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

files=(
  "dujiqu_jingxinju_2020.xlsx|（对照：一份正常的报表）"
  "bad/zip_bomb.xlsx|压缩炸弹（解压后 256 MiB）"
  "bad/far_cell.xlsx|XFD1048576 远端单元格"
  "bad/huge_string_count.xlsx|声明 2⁴⁰ 个共享字符串"
  "bad/huge_dimensions.xls|xls 声明百万行"
  "bad/huge_shared_formula_index.xlsx|共享公式序号 40 亿"
)

echo "load average at start: $(cut -d" " -f1-3 /proc/loadavg)"
echo
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| file | what | peak RSS | wall time | exit |"
echo "|---|---|---:|---:|---:|"
for entry in "${files[@]}"; do
  f="${entry%%|*}"; what="${entry#*|}"
  rss=(); us=(); code=0
  for _ in $(seq "$rounds"); do
    start=$(date +%s%N)
    /usr/bin/time -v -o "$tmp" "$bin" check "sample_workbooks/$f" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    out=$(cat "$tmp")
    code=$(sed -n 's/.*Exit status: //p' <<<"$out")
    rss+=("$(sed -n 's/.*Maximum resident set size (kbytes): //p' <<<"$out")")
    us+=("$(( (end - start) / 1000 ))") # µs, the whole process, time's own start included
  done
  kb=$(printf '%s\n' "${rss[@]}" | median)
  t=$(printf '%s\n' "${us[@]}" | median)
  printf '| `%s` | %s | %.1f MiB | %.1f ms | %s |\n' "$f" "$what" "$(echo "$kb / 1024" | bc -l)" "$(echo "$t / 1000" | bc -l)" "$code"
done
