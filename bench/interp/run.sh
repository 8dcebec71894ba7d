#!/usr/bin/env bash
# The user-space interpreter against gawk on equivalent programs, side by side, best of N runs.
#   bench/interp/run.sh [RUNS=5]
# Needs gawk (apt-get install gawk) and a built tree (npm run build).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tstap="$here/../../bin/tstap"
runs=${1:-5}
command -v gawk >/dev/null || { echo "gawk is not installed (apt-get install gawk)" >&2; exit 1; }

best() { # best wall time in seconds of running "$@" $runs times
  local b=999
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N)
    b=$(echo "$e - $s" | bc -l | awk -v b="$b" '{ print ($1 < b) ? $1 : b }')
  done
  echo "$b"
}

limits=(-D MAXACTION=1000000000 -D MAXMAPENTRIES=500000)
printf '%-44s %9s %9s %7s\n' "benchmark" "gawk s" "tstap s" "ratio"
for name in loop report; do
  # Same output first: the programs must be equivalent.
  cmp <(gawk -f "$here/$name.awk") <("$tstap" "${limits[@]}" "$here/$name.stp") >/dev/null || { echo "$name: outputs differ" >&2; exit 1; }
  g=$(best gawk -f "$here/$name.awk")
  t=$(best "$tstap" "${limits[@]}" "$here/$name.stp")
  case $name in
    loop) label="10M iterations, arithmetic + array updates" ;;
    report) label="100k-key report: sorted foreach + printf" ;;
  esac
  printf '%-44s %9.3f %9.3f %7.2f\n' "$label" "$g" "$t" "$(echo "$t / $g" | bc -l)"
done
