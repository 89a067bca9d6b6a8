#!/usr/bin/env bash
# Which module imports which: one line per edge "from -> to (uses)", at the depth of the
# library's top-level modules (read/locate/… count as read); comments are not counted. The
# binary's uses of the library show as edges from "cli".
# The layers are model ← read ← validate ← rollup ← write ← cli: an edge against that order
# points up. Used for the closing notes of structural changes.
# Usage: scripts/module-graph.sh [LIBRARY_SRC_DIR [BINARY_SRC_DIR]]
set -euo pipefail
cd "$(dirname "$0")/.."
lib=${1:-crates/nianbao/src}
bin=${2:-src}
{
  grep -rE --include='*.rs' 'crate::[a-z_]+' "$lib" | grep -vE '^[^:]+:\s*//' |
    while IFS=: read -r file line; do
      from=${file#"$lib"/}; from=${from%%/*}; from=${from%.rs}
      grep -oE 'crate::[a-z_]+' <<<"$line" | sed "s#crate::##; s#^#$from -> #"
    done
  if [[ -d "$bin" ]]; then
    grep -rhE --include='*.rs' 'nianbao::[a-z_]+' "$bin" | grep -vE '^\s*//' |
      grep -oE 'nianbao::[a-z_]+' | sed 's#nianbao::#cli -> #'
  fi
} | awk '$1 != $3' | sort | uniq -c | awk '{print $2, $3, $4, "(" $1 ")"}'
