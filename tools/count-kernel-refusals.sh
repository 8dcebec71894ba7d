#!/bin/bash
# Which value-returning library functions a kernel handler still refuses: for every line of
# --dump-functions (names without __, overloads apiece) compiles `g = f(1, "x", ...)` in a
# tracepoint probe with -p3 and prints the refused ones with their first error line.
# Usage: tools/count-kernel-refusals.sh   (after `npx tsc`; uses dist/src/cli/main.js)
cd "$(dirname "$0")/.." || exit 1
tstap=(node dist/src/cli/main.js)
total=0
refused=0
while IFS= read -r line; do
  name=${line%%:*}
  params=$(sed -E 's/^[^(]*\((.*)\)$/\1/' <<< "$line")
  args=""
  if [ -n "$params" ]; then
    IFS=',' read -ra ps <<< "$params"
    for p in "${ps[@]}"; do
      if [ "${p##*:}" = "string" ]; then a='"x"'; else a=1; fi
      args="${args:+$args, }$a"
    done
  fi
  total=$((total + 1))
  if ! out=$("${tstap[@]}" -p3 -e "global g; probe kernel.trace(\"syscalls:sys_enter_getppid\") { g = $name($args) }" 2>&1 >/dev/null); then
    refused=$((refused + 1))
    echo "refused $name: $(head -1 <<< "$out")"
  fi
done < <("${tstap[@]}" --dump-functions 2>/dev/null | grep -v '^__' | grep -v ':unknown\|:void')
echo "$refused of $total refused"
