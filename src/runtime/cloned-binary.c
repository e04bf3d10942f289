/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/memfd.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "basic/macro.h"
#include "runtime/cloned-binary.h"

#define REQUIRED_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static int copy_sealed(int self, int *ret)
{
        struct stat st;

        if (fstat(self, &st) < 0)
                return -errno;

        _cleanup_close_ int mfd = memfd_create("berth-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (mfd < 0)
                return -errno;
        for (off_t off = 0; off < st.st_size;) {
                ssize_t n = sendfile(mfd, self, &off, (size_t)(st.st_size - off));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : -EIO;
        }
        if (fcntl(mfd, F_ADD_SEALS, REQUIRED_SEALS) < 0)
                return -errno;
        *ret = TAKE_FD(mfd);
        return 0;
}

static bool is_sealed(int fd)
{
        int seals = fcntl(fd, F_GET_SEALS);
        return seals >= 0 && (seals & REQUIRED_SEALS) == REQUIRED_SEALS;
}

int cloned_binary_memfd(int *ret)
{
        _cleanup_close_ int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (self < 0)
                return -errno;
        if (is_sealed(self)) {
                *ret = TAKE_FD(self);
                return 0;
        }
        return copy_sealed(self, ret);
}

int cloned_binary_ensure(char **argv)
{
        _cleanup_close_ int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int mfd = -1;

        if (self < 0)
                return -errno;
        if (is_sealed(self))
                return 0;
        int r = copy_sealed(self, &mfd);
        if (r < 0)
                return r;
        fexecve(mfd, argv, environ);
        return -errno;
}

int exec_sealed_nondumpable(int fd, char *const *argv, char *const *envp)
{
        struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct caps[2], saved[2];
        const uint32_t dac = (1U << CAP_DAC_OVERRIDE) | (1U << CAP_DAC_READ_SEARCH);

        /* execve() makes a process dumpable again, unless it cannot read the file it executes:
         * the file is exec-only, and what would read it anyway is off across the call. The
         * kernel recomputes the effective set at execve() (for root from the permitted set,
         * otherwise from the ambient one), so the program gets what it would have. */
        if (syscall(SYS_capget, &hdr, caps) < 0)
                return -errno;
        memcpy(saved, caps, sizeof(saved));
        caps[0].effective &= ~dac;
        bool changed = caps[0].effective != saved[0].effective;
        if (changed && syscall(SYS_capset, &hdr, caps) < 0)
                return -errno;
        syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
        int r = -errno;
        if (changed)
                (void)syscall(SYS_capset, &hdr, saved);
        return r;
}
