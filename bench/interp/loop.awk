BEGIN {
  s = 0
  for (i = 0; i < 10000000; i++) {
    s += i * 3 % 7
    a[i % 1000] += i
  }
  printf("%d %d\n", s, a[999])
}
