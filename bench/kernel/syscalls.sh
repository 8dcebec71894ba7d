#!/usr/bin/env bash
# The syscall tapset's cost (as root, after npm run build):  bench/kernel/syscalls.sh [CALLS] [RUNS]
#   per-call cost of `syscall.getppid { n++ }` against `syscall.* { n++ }` (every syscall probed,
#   one shared dispatcher), and how long `syscall.*` takes to arm and to end; bpftrace's
#   `tracepoint:syscalls:sys_enter_*` side by side when it is installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
calls=${1:-1000000}
runs=${2:-5}
work="$(command -v node) dist/tests/workloads/syscalls.js timed-getppid $calls"

. bench/kernel/lib.sh
base=$(measure $work)
one=$(measure ./bin/tstap -c "$work" -e 'global n; probe syscall.getppid { n++ }')
all=$(measure ./bin/tstap -c "$work" -e 'global n; probe syscall.* { n++ }')
over() { awk -v t="$1" -v b="$base" 'BEGIN { printf "%.0f", t - b }'; }
printf 'getppid with nothing attached: %s ns/call (%s calls, median of %s runs)\n' "$base" "$calls" "$runs"
printf '%-44s %10s %10s\n' "probe" "ns/call" "added ns"
printf '%-44s %10s %10s\n' "tstap: syscall.getppid { n++ }" "$one" "$(over "$one")"
printf '%-44s %10s %10s\n' "tstap: syscall.* { n++ }" "$all" "$(over "$all")"
printf 'ratio syscall.* / syscall.getppid (added ns): %s\n' "$(awk -v a="$(over "$all")" -v o="$(over "$one")" 'BEGIN { printf "%.2f", a / o }')"

# Arming: launch to the -c command's start; ending: the command's exit to tstap's.
timing() { # prints "armed_ms total_ms"
  local s e t
  s=$(date +%s%N)
  e=$({ "$@" 2>/dev/null || true; } | head -1)
  t=$(date +%s%N)
  echo "$(( (e - s) / 1000000 )) $(( (t - s) / 1000000 ))"
}
for _ in $(seq "$runs"); do timing ./bin/tstap -c 'date +%s%N' -e 'global n; probe syscall.* { n++ }'; done > /tmp/arm.$$
printf 'tstap syscall.*: armed %s ms after launch, whole run %s ms (median of %s)\n' \
  "$(awk '{ print $1 }' /tmp/arm.$$ | median)" "$(awk '{ print $2 }' /tmp/arm.$$ | median)" "$runs"
rm -f /tmp/arm.$$
if command -v bpftrace >/dev/null; then
  r=$(timing bpftrace -q -e 'tracepoint:syscalls:sys_enter_* { @ = count(); }' -c "$(command -v date) +%s%N")
  printf 'bpftrace tracepoint:syscalls:sys_enter_*: armed %s ms after launch, whole run %s ms\n' ${r% *} ${r#* }
fi
