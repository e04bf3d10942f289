/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * After a clone of the template VM is resumed (../vm-template.c): the guest's wall clock stands
 * where the template was saved, and its entropy pool is the template's, the same in every clone.
 * The host's VM_RESUMED carries its clock and fresh random bytes; both are applied before any
 * container exists in the guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/random.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "isolation/vm/agent/agent.h"

#define SEED_MAX 64

void agent_resumed(const char *text)
{
        long long sec = 0;
        long nsec = 0;
        char hex[2 * SEED_MAX + 1] = "";

        if (sscanf(text, "%lld %ld %128s", &sec, &nsec, hex) < 2)
                return;
        struct timespec ts = { .tv_sec = (time_t)sec, .tv_nsec = nsec };
        if (clock_settime(CLOCK_REALTIME, &ts) < 0)
                agent_log("set the clock: %m");

        struct {
                struct rand_pool_info info;
                unsigned char buf[SEED_MAX];
        } seed = {};
        size_t n = 0;
        for (; n < SEED_MAX && hex[2 * n] && hex[2 * n + 1]; n++) {
                char b[3] = { hex[2 * n], hex[2 * n + 1], 0 };
                seed.buf[n] = (unsigned char)strtoul(b, NULL, 16);
        }
        if (n == 0)
                return;
        int fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
                agent_log("open /dev/urandom: %m");
                return;
        }
        seed.info.entropy_count = (int)(n * 8);
        seed.info.buf_size = (int)n;
        if (ioctl(fd, RNDADDENTROPY, &seed.info) < 0)
                agent_log("RNDADDENTROPY: %m");
        /* A new key for the CRNG now, not at its next scheduled reseed. */
        if (ioctl(fd, RNDRESEEDCRNG) < 0)
                agent_log("RNDRESEEDCRNG: %m");
        close(fd);
}
