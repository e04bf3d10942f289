/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/memfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "runtime/cloned-binary.h"
#include "runtime/exec-stub.h"
#include "runtime/seccomp/seccomp.h"

/* exec-stub/stub.c, compiled and embedded by exec-stub/meson.build. */
extern const unsigned char exec_stub_elf[];
extern const size_t exec_stub_elf_size;

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static bool caps_contain(char **set, const char *cap)
{
        return set && strv_contains(set, cap);
}

bool exec_stub_usable(const Spec *s)
{
        if (s->hooks[SPEC_HOOK_CREATE_CONTAINER].n || s->hooks[SPEC_HOOK_START_CONTAINER].n)
                return false;
        return exec_stub_usable_process(s->process, s->linux_ ? s->linux_->seccomp : NULL);
}

bool exec_stub_usable_process(const SpecProcess *p, const SpecSeccomp *sc)
{
        const SpecCapabilities *c = p ? p->capabilities : NULL;

        if (!p || (p->selinux_label && *p->selinux_label))
                return false;
        /* Without process.capabilities the host's bounding set stays, CAP_SYS_PTRACE included;
         * with it, a missing bounding list is an empty one. */
        if (!c || caps_contain(c->bounding, "CAP_SYS_PTRACE"))
                return false;
        if (p->user.uid != 0)
                STRV_FOREACH(cap, c->permitted)
                        if (!caps_contain(c->ambient, *cap))
                                return false;
        static const char *const needed[] = { "execveat", "fcntl",  "write",
                                              "exit_group", "capget", "capset" };
        for (size_t i = 0; sc && i < ELEMENTSOF(needed); i++)
                if (!seccomp_spec_allows(sc, needed[i]))
                        return false;
        return true;
}

int exec_stub_memfd(int *ret)
{
        /* MFD_EXEC: on kernels with vm.memfd_noexec a memfd is otherwise not executable. */
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
        _cleanup_close_ int fd =
                memfd_create("berth-exec-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
        if (fd < 0 && errno == EINVAL)
                fd = memfd_create("berth-exec-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return -errno;
        int r = fs_write_all_fd(fd, exec_stub_elf, exec_stub_elf_size);
        if (r < 0)
                return r;
        /* Exec-only: see exec_sealed_nondumpable(). */
        if (fchmod(fd, 0111) < 0 || fcntl(fd, F_ADD_SEALS, SEALS) < 0)
                return -errno;
        *ret = TAKE_FD(fd);
        return 0;
}

int exec_stub_exec(int stub_fd, int report_fd, const char *path, char *const *argv,
                   char *const *envp)
{
        size_t n = strv_length((char **)argv);
        /* On the stack: the container's seccomp filter is in force, nothing to allocate. */
        char *sargv[n + 3], fdbuf[16];

        snprintf(fdbuf, sizeof(fdbuf), "%d", report_fd);
        sargv[0] = fdbuf;
        sargv[1] = (char *)path;
        memcpy(sargv + 2, argv, n * sizeof(char *));
        sargv[n + 2] = NULL;
        /* The stub closes it right before the program's execve(). */
        if (fcntl(report_fd, F_SETFD, 0) < 0)
                return -errno;
        int r = exec_sealed_nondumpable(stub_fd, sargv, envp);
        fcntl(report_fd, F_SETFD, FD_CLOEXEC);
        return r;
}
