/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The exec stub: the last image the container's init executes before the container's own
 * program. It is a few hundred bytes of freestanding code, run from a sealed memfd, so that a
 * container whose program is "#!/proc/self/exe" (CVE-2019-5736) reaches only this stub, never
 * the runtime's binary, without the runtime copying its own megabyte for every container.
 *
 *   argv: <report fd> <path> <argv[0]> <argv[1]> ...     envp: the container's environment
 *
 * It marks the report fd close-on-exec and executes path; if that fails it sends the runtime
 * a SYNC_EXEC_FAILED record (errno, path) on the report fd and exits 127. Anything else on its
 * command line (someone executing it by hand, or through /proc/self/exe) gets exit 127.
 *
 * No libc: built with -nostdlib -ffreestanding (see meson.build), entry point in assembly.
 */
#include <asm/unistd.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/sync-wire.h"

#if defined(__x86_64__)
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "        xor %rbp, %rbp\n"
        "        mov %rsp, %rdi\n"
        "        and $-16, %rsp\n"
        "        call stub_main\n"
        "        hlt\n");

static long sys3(long n, long a, long b, long c)
{
        long r;
        __asm__ volatile("syscall"
                         : "=a"(r)
                         : "a"(n), "D"(a), "S"(b), "d"(c)
                         : "rcx", "r11", "memory");
        return r;
}
#elif defined(__aarch64__)
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "        mov x0, sp\n"
        "        bl stub_main\n"
        "        brk #0\n");

static long sys3(long n, long a, long b, long c)
{
        register long x8 __asm__("x8") = n;
        register long x0 __asm__("x0") = a;
        register long x1 __asm__("x1") = b;
        register long x2 __asm__("x2") = c;
        __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
        return x0;
}
#else
#error "the exec stub knows x86_64 and aarch64 only"
#endif

#define F_SETFD 2
#define FD_CLOEXEC 1

_Noreturn void stub_main(long *sp);

static _Noreturn void die(void)
{
        for (;;)
                sys3(__NR_exit_group, 127, 0, 0);
}

static void say(const char *s)
{
        size_t n = 0;
        while (s[n])
                n++;
        sys3(__NR_write, 2, (long)s, (long)n);
}

_Noreturn void stub_main(long *sp)
{
        long argc = sp[0];
        char **argv = (char **)(sp + 1);
        char **envp = argv + argc + 1;
        long fd = 0;

        if (argc < 3 || !argv[0][0]) {
                say("berth exec stub: internal to berth-runtime, not a command\n");
                die();
        }
        for (const char *p = argv[0]; *p; p++) {
                if (*p < '0' || *p > '9' || fd > 65535) {
                        say("berth exec stub: internal to berth-runtime, not a command\n");
                        die();
                }
                fd = fd * 10 + (*p - '0');
        }
        if (sys3(__NR_fcntl, fd, F_SETFD, FD_CLOEXEC) < 0)
                die();
        long r = sys3(__NR_execve, (long)argv[1], (long)(argv + 2), (long)envp);

        /* The runtime formats the message: `exec `<path>`: <strerror(errno)>`. */
        struct {
                SyncWire w;
                char text[4096];
        } m; /* no initializer: a compiler may make one a memset() call, and there is no libc */
        m.w.type = SYNC_EXEC_FAILED;
        m.w.value = (int32_t)-r;
        size_t n = 0;
        for (const char *p = argv[1]; *p && n < sizeof(m.text); p++)
                m.text[n++] = *p;
        sys3(__NR_write, fd, (long)&m, (long)(sizeof(m.w) + n));
        die();
}
