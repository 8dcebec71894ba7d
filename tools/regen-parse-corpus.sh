#!/bin/bash
# Regenerate the expected pass-1 output (.p1) of the must-parse corpus from the
# reference SystemTap (stap 4.8) via /work/shared/tools/stap-oracle.sh.
#
#   tools/regen-parse-corpus.sh                 # regenerate every tests/corpus/parse/*.stp
#   tools/regen-parse-corpus.sh FILE.stp ...    # regenerate only these
#
# Each script may carry, among its leading comment lines:
#   // opts: <extra stap options>    passed before the script file (e.g. -g)
#   // argv: <script arguments>      passed after the script file ($1, @1, $#)
# The .p1 is the exact stdout of, run from the repo root with the relative path:
#   stap-oracle.sh -p1 <opts> tests/corpus/parse/<name>.stp <argv>
# stderr is ignored (stap always warns about the missing kernel symbol table).
# Any script for which stap exits non-zero is reported and makes this script fail;
# its old .p1 is left untouched.
set -u
ORACLE=${STAP_ORACLE:-/work/shared/tools/stap-oracle.sh}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
CORPUS=tests/corpus/parse

if [ $# -gt 0 ]; then
  files=()
  for f in "$@"; do
    f=${f#"$ROOT"/}; f=${f#./}
    case $f in
      */*) files+=("$f") ;;
      *) files+=("$CORPUS/$f") ;;
    esac
  done
else
  shopt -s nullglob
  files=("$CORPUS"/*.stp)
fi
[ ${#files[@]} -gt 0 ] || { echo "regen-parse-corpus: no .stp files found" >&2; exit 2; }

failed=()
tmp_out=$(mktemp) tmp_err=$(mktemp)
trap 'rm -f "$tmp_out" "$tmp_err"' EXIT
for stp in "${files[@]}"; do
  [ -f "$stp" ] || { echo "regen-parse-corpus: missing $stp" >&2; failed+=("$stp"); continue; }
  opts=() argv=()
  # Directives live in the leading block of comment lines.
  while IFS= read -r line; do
    case $line in
      "// opts:"*) read -r -a opts <<<"${line#// opts:}" ;;
      "// argv:"*) read -r -a argv <<<"${line#// argv:}" ;;
      "//"*|"#"*) ;;
      *) break ;;
    esac
  done <"$stp"
  cmd=("$ORACLE" -p1 "${opts[@]}" "$stp" "${argv[@]}")
  if "${cmd[@]}" >"$tmp_out" 2>"$tmp_err"; then
    cp "$tmp_out" "${stp%.stp}.p1"
  else
    rc=$?
    echo "regen-parse-corpus: FAILED (exit $rc): ${cmd[*]}" >&2
    grep -v 'Kernel function symbol table missing' "$tmp_err" | sed 's/^/    /' >&2
    failed+=("$stp")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "regen-parse-corpus: ${#failed[@]} of ${#files[@]} script(s) FAILED:" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "regen-parse-corpus: regenerated ${#files[@]} .p1 file(s)"
