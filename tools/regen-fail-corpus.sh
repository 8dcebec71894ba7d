#!/bin/bash
# Regenerates the expected stderr (.err) of the pass-1 must-fail corpus,
# tests/corpus/fail/NNN-name.stp, by running the reference stap (4.8) on each
# script exactly the way the tests compare against it:
#
#   cd <repo root>
#   /work/shared/tools/stap-oracle.sh -p1 <opts> tests/corpus/fail/NNN-name.stp <argv>
#
# Header lines (optional, only at the very top of a .stp, in any order):
#   // opts: -g            extra stap options, passed before the file
#   // argv: a b           script arguments ($1, @1, ...), passed after the file
# Both are split on whitespace (no quoting).
#
# The .err is stap's stderr minus two lines of machine noise we do not
# reproduce: the line starting "WARNING: Kernel function symbol table missing"
# and the line starting "Tip: ".  Every script must make stap fail in pass 1:
# a zero exit status, or a stderr without "parse error" / "Pass 1: parse failed",
# is reported as an error (and nothing is written for that script).  stap should
# exit with 1; any other non-zero status is recorded in NNN-name.rc.
#
# Usage: tools/regen-fail-corpus.sh [--check] [tests/corpus/fail/NNN-name.stp ...]
#   --check   do not write; report .err/.rc files that differ from stap's output
# Without file arguments all tests/corpus/fail/*.stp are processed.
# Environment: STAP_ORACLE overrides the path of the oracle wrapper.
set -u
cd "$(dirname "$0")/.." || exit 2
ORACLE=${STAP_ORACLE:-/work/shared/tools/stap-oracle.sh}
export LC_ALL=C

check=0
if [ "${1:-}" = "--check" ]; then check=1; shift; fi
if [ $# -gt 0 ]; then files=("$@"); else files=(tests/corpus/fail/*.stp); fi

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

failed=0 written=0 same=0 differ=0
for stp in "${files[@]}"; do
  stp=${stp#./}
  case $stp in
    tests/corpus/fail/*.stp) ;;
    *) echo "ERROR: $stp: not a tests/corpus/fail/*.stp path (run from anywhere, pass repo-relative paths)" >&2
       failed=$((failed+1)); continue ;;
  esac
  [ -f "$stp" ] || { echo "ERROR: $stp: no such file" >&2; failed=$((failed+1)); continue; }
  base=${stp%.stp}

  opts=() argv=()
  while IFS= read -r line; do
    case $line in
      "// opts: "*) read -ra opts <<<"${line#// opts: }" ;;
      "// argv: "*) read -ra argv <<<"${line#// argv: }" ;;
      *) break ;;
    esac
  done <"$stp"

  "$ORACLE" -p1 "${opts[@]}" "$stp" "${argv[@]}" >"$tmp/out" 2>"$tmp/raw" </dev/null
  rc=$?
  sed -e '/^WARNING: Kernel function symbol table missing/d' -e '/^Tip: /d' "$tmp/raw" >"$tmp/err"

  if [ "$rc" -eq 0 ]; then
    echo "ERROR: $stp: stap ACCEPTED the script (exit 0); it does not belong in the fail corpus" >&2
    failed=$((failed+1)); continue
  fi
  if ! grep -q -e 'parse error' -e 'Pass 1: parse failed' "$tmp/err"; then
    echo "ERROR: $stp: stap failed (exit $rc) but not with a pass-1 parse failure:" >&2
    sed 's/^/    /' "$tmp/err" >&2
    failed=$((failed+1)); continue
  fi
  [ "$rc" -ne 1 ] && echo "NOTE: $stp: stap exited with $rc (not 1); recorded in $base.rc" >&2

  if [ $check -eq 1 ]; then
    ok=1
    cmp -s "$tmp/err" "$base.err" || { echo "DIFF: $base.err"; diff "$base.err" "$tmp/err" | head -20; ok=0; }
    if [ "$rc" -ne 1 ]; then
      [ "$(cat "$base.rc" 2>/dev/null)" = "$rc" ] || { echo "DIFF: $base.rc (want $rc)"; ok=0; }
    elif [ -e "$base.rc" ]; then
      echo "DIFF: $base.rc exists but stap exited with 1"; ok=0
    fi
    if [ $ok -eq 1 ]; then same=$((same+1)); else differ=$((differ+1)); fi
  else
    cp "$tmp/err" "$base.err"
    if [ "$rc" -ne 1 ]; then echo "$rc" >"$base.rc"; else rm -f "$base.rc"; fi
    written=$((written+1))
  fi
done

if [ $check -eq 1 ]; then
  echo "checked: $same up to date, $differ differ, $failed failed" >&2
  [ $differ -eq 0 ] && [ $failed -eq 0 ]
else
  echo "wrote $written .err files; $failed failed" >&2
  [ $failed -eq 0 ]
fi
