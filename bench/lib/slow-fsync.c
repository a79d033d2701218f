// A slower disk for the benchmarks: fsync and fdatasync sleep SLOW_FSYNC_US microseconds (default
// 2000) before doing their work. Loaded into the server under test with LD_PRELOAD by
// bench/lib/slow-fsync.ts when BENCH_SLOW_FSYNC_US is set.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
static void pause_(void) {
  const char *us = getenv("SLOW_FSYNC_US");
  long n = us ? atol(us) : 2000;
  struct timespec ts = { n / 1000000, (n % 1000000) * 1000 };
  nanosleep(&ts, NULL);
}
int fsync(int fd) { static int (*real)(int); if (!real) real = dlsym(RTLD_NEXT, "fsync"); pause_(); return real(fd); }
int fdatasync(int fd) { static int (*real)(int); if (!real) real = dlsym(RTLD_NEXT, "fdatasync"); pause_(); return real(fd); }
