BEGIN {
  for (i = 0; i < 100000; i++) count[sprintf("key%d", i)] = (i * 7919) % 100003
  PROCINFO["sorted_in"] = "@val_num_desc"
  for (k in count) printf("%s %d\n", k, count[k])
}
