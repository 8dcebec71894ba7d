#!/usr/bin/env bash
# Diffs tstap's -p1 tree against the real stap's for every file of stap's tapset library.
# Needs the reference stap (../shared/tools/stap-oracle.sh installs it). Not part of CI.
#   tools/compare-tapsets-with-stap.sh [OUTDIR]
# Prints one line per differing file and a summary; diffs are left in OUTDIR.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
oracle=${STAP_ORACLE:-$root/../shared/tools/stap-oracle.sh}
ref=/usr/share/systemtap/tapset
out=${1:-$(mktemp -d)}
mkdir -p "$out/scripts"
same=0 differ=0 total=0
while IFS= read -r f; do
  total=$((total + 1))
  name=$(echo "${f#$ref/}" | tr / _)
  # stap refuses to run a file of its own library directly, so both read a copy.
  cp "$f" "$out/scripts/$name"
  (cd "$out/scripts" && "$oracle" -p1 -g "$name" >"../$name.stap" 2>"../$name.stap.err")
  (cd "$out/scripts" && SYSTEMTAP_TAPSET=$ref "$root/bin/tstap" -p1 -g "$name" >"../$name.tstap" 2>"../$name.tstap.err")
  grep -v 'Kernel function symbol table missing\|^Tip: ' "$out/$name.stap.err" >"$out/$name.stap.err2"
  if cmp -s "$out/$name.stap" "$out/$name.tstap" && cmp -s "$out/$name.stap.err2" "$out/$name.tstap.err"; then
    same=$((same + 1))
  else
    differ=$((differ + 1))
    echo "DIFFERS: ${f#$ref/}"
  fi
done < <(find "$ref" -name '*.stp' | sort)
echo "$same of $total tapset files: identical -p1 output and diagnostics; $differ differ (see $out)"
