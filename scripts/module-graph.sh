#!/usr/bin/env bash
# Which module of the library imports which: one line per edge "from -> to (uses)", at the depth
# of the library's top-level modules (read/locate/… count as read); comments are not counted.
# Used for the closing notes of structural changes: the layers are
# model ← read ← validate ← rollup ← write ← cli, and an edge against that order points up.
# Usage: scripts/module-graph.sh [SRC_DIR]   (default: src)
set -euo pipefail
cd "$(dirname "$0")/.."
root=${1:-src}
grep -rE --include='*.rs' 'crate::[a-z_]+' "$root" \
  | grep -vE '^[^:]+:\s*//' \
  | while IFS=: read -r file line; do
      from=${file#"$root"/}; from=${from%%/*}; from=${from%.rs}
      grep -oE 'crate::[a-z_]+' <<<"$line" | sed "s#crate::##; s#^#$from -> #"
    done \
  | awk '$1 != $3' | sort | uniq -c | awk '{print $2, $3, $4, "(" $1 ")"}'
