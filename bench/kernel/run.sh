#!/usr/bin/env bash
# Per-hit cost of a counting probe on a syscall tracepoint, side by side (as root):
#   baseline (nothing attached), the floor (hand-built counter, same attachment), tstap,
#   bpftrace; then tstap's printf per event and its start-up.  bench/kernel/run.sh [CALLS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
calls=${1:-2000000}
runs=${2:-5}
work="$(command -v node) dist/tests/workloads/syscalls.js timed-getppid $calls"

. bench/kernel/lib.sh

base=$(measure $work)
floor=$(measure node dist/bench/kernel/floor.js "$work")
tstap=$(measure ./bin/tstap -c "$work" -e 'global n; probe kernel.trace("syscalls:sys_enter_getppid") { n++ }')
keyed=$(measure ./bin/tstap -c "$work" -e 'global n; probe kernel.trace("syscalls:sys_enter_getppid") { n[tid()]++ }')
bpft="n/a"
if command -v bpftrace >/dev/null; then
  bpft=$(measure bpftrace -q -e 'tracepoint:syscalls:sys_enter_getppid { @ = count(); }' -c "$work")
fi
over() { awk -v t="$1" -v b="$base" 'BEGIN { printf "%.0f", t - b }'; }
ratio() { awk -v t="$1" -v f="$floor" -v b="$base" 'BEGIN { printf "%.2f", (t - b) / (f - b) }'; }
printf 'getppid with nothing attached: %s ns/call (%s calls, median of %s runs)\n' "$base" "$calls" "$runs"
printf '%-40s %10s %12s\n' "handler" "ns/call" "added ns (x floor)"
printf '%-40s %10s %12s\n' "floor: hand-built per-CPU counter" "$floor" "$(over "$floor") (1.00)"
printf '%-40s %10s %12s\n' "tstap: global n; n++" "$tstap" "$(over "$tstap") ($(ratio "$tstap"))"
printf '%-40s %10s %12s\n' "tstap: n[tid()]++" "$keyed" "$(over "$keyed") ($(ratio "$keyed"))"
if [ "$bpft" != "n/a" ]; then
  printf '%-40s %10s %12s\n' "bpftrace: @ = count()" "$bpft" "$(over "$bpft") ($(ratio "$bpft"))"
fi

# printf of two integers per event: cost per event (full speed), and loss at 1M events/s.
pf=$(mktemp)
prog='global n; probe kernel.trace("syscalls:sys_enter_getppid") { if (pid() == target()) printf("%d %d\n", n++, tid()) }'
pfns=$(measure ./bin/tstap -o "$pf" -c "$work" -e "$prog")
printf '%-40s %10s %12s\n' "tstap: printf(\"%d %d\\n\") per event" "$pfns" "$(over "$pfns")"
./bin/tstap -o "$pf" -c "$(command -v node) dist/tests/workloads/syscalls.js paced-getppid 3000000 1000000" -e "$prog" >/dev/null 2>&1 || true
printf 'tstap printf at 1M events/s for 3 s: %s of 3000000 records delivered\n' "$(wc -l < "$pf")"
rm -f "$pf"

# Start-up: time from launching tstap until its -c command starts (all probes armed).
probes=''
for sc in getppid getpid gettid getuid geteuid getgid getegid sched_yield getpgrp getsid; do
  probes="$probes probe kernel.trace(\"syscalls:sys_enter_$sc\") { n++ }"
done
armed() {
  for _ in $(seq "$runs"); do
    s=$(date +%s%N)
    e=$(./bin/tstap -c 'date +%s%N' -e "global n; $probes" 2>/dev/null | head -1)
    echo $(( (e - s) / 1000000 ))
  done | median
}
printf 'tstap: 10 syscall tracepoint probes armed %s ms after launch (median of %s)\n' "$(armed)" "$runs"
if command -v bpftrace >/dev/null; then
  s=$(date +%s%N); bpftrace -q -e 'tracepoint:syscalls:sys_enter_getppid { @ = count(); }' -c "$(command -v date) +%s%N" 2>/dev/null | head -1 > /tmp/bt.$$ || true
  e=$(head -1 /tmp/bt.$$); rm -f /tmp/bt.$$
  [ -n "$e" ] && printf 'bpftrace: 1 probe armed %s ms after launch\n' $(( (e - s) / 1000000 ))
fi
