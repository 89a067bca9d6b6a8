#!/usr/bin/env bash
# A bounded load on `nianbao serve` (release build): 20 clients upload the 10 workbooks of
# sample_workbooks/rollup_2023/ to 检查 at once, then 20 clients start the sample roll-up (汇总)
# at once. Prints, per round, the wall time, how many answers were complete, and the server's
# peak memory (VmHWM); then the medians: the README's figures.
#
#   scripts/serve_load.sh [ROUNDS]      (default 3)
#
# Needs curl. Linux only (peak memory from /proc). Builds the release binary first.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
clients=20
cargo build --release --quiet --bin nianbao
bin=target/release/nianbao
tmp=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT

files=()
for f in sample_workbooks/rollup_2023/*.xlsx; do files+=(-F "file=@$f"); done
previous=()
for f in sample_workbooks/rollup_2022/*.xlsx; do previous+=(-F "previous=@$f"); done

echo "load average at start: $(cut -d" " -f1-3 /proc/loadavg)"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
check_ms=(); rollup_ms=(); peak=()
for round in $(seq "$rounds"); do
  "$bin" serve --port 0 >"$tmp/out" 2>/dev/null &
  server=$!
  for _ in $(seq 50); do grep -q http "$tmp/out" && break; sleep 0.1; done
  url=$(grep -o 'http://[^ ]*' "$tmp/out" | head -1)
  origin=${url%/}

  # 检查: every client gets all ten verdicts
  start=$(date +%s%N)
  for c in $(seq "$clients"); do
    curl -s -H "Origin: $origin" "${files[@]}" "${url}api/check" >"$tmp/check$c" &
  done
  wait $(jobs -p | grep -v "^$server$") 2>/dev/null || true
  check_ms+=("$(ms "$start")")
  ok=0
  for c in $(seq "$clients"); do
    [ "$(grep -o '"verdict"' "$tmp/check$c" | wc -l)" = 10 ] && ok=$((ok + 1))
  done

  # 汇总: at most --max-rollups (2) run; the others are told the server is busy (503)
  start=$(date +%s%N)
  for c in $(seq "$clients"); do
    curl -s -o "$tmp/start$c" -w '%{http_code}' -H "Origin: $origin" "${files[@]}" "${previous[@]}" \
      -F "roster=@sample_workbooks/rollup_2023_roster.csv" -F name=云台区 -F year=2023 \
      "${url}api/rollup" >"$tmp/code$c" &
  done
  wait $(jobs -p | grep -v "^$server$") 2>/dev/null || true
  started=0; busy=0; done_=0
  for c in $(seq "$clients"); do
    case "$(cat "$tmp/code$c")" in
      202) started=$((started + 1))
           id=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' "$tmp/start$c")
           while curl -s "${url}api/rollup?id=$id" >"$tmp/result$c" \
                 && grep -q '"state":"running"' "$tmp/result$c"; do sleep 0.05; done
           grep -q '"state":"done"' "$tmp/result$c" && done_=$((done_ + 1)) ;;
      503) busy=$((busy + 1)) ;;
    esac
  done
  rollup_ms+=("$(ms "$start")")
  peak+=("$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$server/status")")
  kill "$server"; wait "$server" 2>/dev/null || true
  echo "round $round: 检查 ${check_ms[-1]} ms, $ok/$clients complete;" \
    "汇总 ${rollup_ms[-1]} ms, $started started ($done_ done), $busy busy;" \
    "server peak ${peak[-1]} MiB"
done
echo
echo "| $clients clients at once | time (median of $rounds) | server peak RSS |"
echo "|---|---:|---:|"
echo "| 检查: 10 workbooks each | $(printf '%s\n' "${check_ms[@]}" | median) ms | $(printf '%s\n' "${peak[@]}" | median) MiB |"
echo "| 汇总: the sample roll-up (2 run, 18 told busy) | $(printf '%s\n' "${rollup_ms[@]}" | median) ms | (same server) |"
