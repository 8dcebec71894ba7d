# Shared by the kernel benchmarks (sourced): medians of repeated runs of a workload that prints
# `ns_per_call X`. Needs $runs.
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
measure() { # median ns per call of "$@"
  for _ in $(seq "$runs"); do { "$@" 2>/dev/null || true; } | awk "/ns_per_call/ { print \$2 }"; done | median
}
