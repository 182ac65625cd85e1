/*
 * The kernel's part of a small write, without any JVM: medians of 15 batches of 200,000 calls of
 * the syscalls every arrow-shm (and pyshmem) write makes. Not part of the build (CI machines need
 * no C compiler); run it by hand where the benchmarks run:
 *
 *   cc -O2 -o /tmp/syscall_floor benchmarks/src/main/c/syscall_floor.c && /tmp/syscall_floor
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { CALLS = 200000, BATCHES = 15 };

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int main(void) {
    char path[] = "/tmp/arrowshm-syscall-floor-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        return 1;
    }
    unlink(path);
    struct stat st;
    static int word;
    const char *names[] = {"flock LOCK_EX + LOCK_UN", "fstat", "futex wake, no waiter", "getppid (a bare syscall)"};
    for (int which = 0; which < 4; which++) {
        double per_call[BATCHES];
        for (int batch = 0; batch < BATCHES; batch++) {
            double start = now_ns();
            for (int i = 0; i < CALLS; i++) {
                switch (which) {
                    case 0: flock(fd, LOCK_EX); flock(fd, LOCK_UN); break;
                    case 1: fstat(fd, &st); break;
                    case 2: syscall(SYS_futex, &word, FUTEX_WAKE, 1, NULL, NULL, 0); break;
                    default: syscall(SYS_getppid); break;
                }
            }
            per_call[batch] = (now_ns() - start) / CALLS;
        }
        qsort(per_call, BATCHES, sizeof per_call[0], by_value);
        printf("%-26s median %4.0f ns (fastest batch %4.0f ns)\n", names[which], per_call[BATCHES / 2], per_call[0]);
    }
    close(fd);
    return 0;
}
