/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * linux.seccomp: filters are built in the test process and loaded in forked children, which
 * report what their syscalls returned through the exit status.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "runtime/seccomp/syscall-filter.h"
#include "tap.h"

#define X32_BIT 0x40000000U
#define NAMES(...) ((char *[]){ __VA_ARGS__, NULL })
#define RULE(n, a, ...) { .names = (n), .action = (char *)(a), __VA_ARGS__ }
#define ARGS(...)                                                                                  \
        .args = (SpecSeccompArg[]){ __VA_ARGS__ },                                                 \
        .n_args = sizeof((SpecSeccompArg[]){ __VA_ARGS__ }) / sizeof(SpecSeccompArg)
#define ARG(i, o, v, ...) { .index = (i), .op = (char *)(o), .value = (v), __VA_ARGS__ }

/* Status of a child that exited with code: children return an errno or 0. */
#define EXITED(st, code) (WIFEXITED(st) && WEXITSTATUS(st) == (code))

static SyscallFilter *build_or_null(const SpecSeccomp *s)
{
        _cleanup_error_ BerthError *err = NULL;
        SyscallFilter *f = NULL;

        if (syscall_filter_build(s, &f, &err) < 0) {
                printf("# build failed: %s\n", err ? err->msg : "?");
                return NULL;
        }
        return f;
}

static char *build_error(const SpecSeccomp *s)
{
        _cleanup_error_ BerthError *err = NULL;
        SyscallFilter *f = NULL;

        if (syscall_filter_build(s, &f, &err) >= 0) {
                syscall_filter_free(f);
                return NULL;
        }
        return strdup(err->msg);
}

static bool have_cap_sys_admin(void)
{
        cap_t caps = cap_get_proc();
        cap_flag_value_t v = CAP_CLEAR;

        if (caps) {
                cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v);
                cap_free(caps);
        }
        return v == CAP_SET;
}

/* Child setup: no core files from SIGSYS, a watchdog, no_new_privs only where it is needed. */
static void child_prepare(void)
{
        struct rlimit rl = { 0, 0 };

        alarm(20);
        setrlimit(RLIMIT_CORE, &rl);
        prctl(PR_SET_DUMPABLE, 0);
        if (!have_cap_sys_admin())
                prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/* Forks, loads f in the child, runs fn there and returns the child's wait status. */
static int run_filtered(SyscallFilter *f, int (*fn)(void))
{
        int status = -1;
        pid_t pid = fork();

        if (pid < 0)
                return -1;
        if (pid == 0) {
                _cleanup_error_ BerthError *err = NULL;
                int fd = -1;

                child_prepare();
                if (syscall_filter_load(f, &fd, &err) < 0) {
                        printf("# load failed: %s\n", err->msg);
                        fflush(stdout);
                        _exit(250);
                }
                _exit(fn());
        }
        if (waitpid(pid, &status, 0) < 0)
                return -1;
        return status;
}

/* errno of a raw syscall, 0 when it succeeded. */
static int sys_errno(long r)
{
        return r < 0 ? errno : 0;
}

static int child_mkdir(void)
{
        if (mkdir("/proc/berth-seccomp-test", 0700) == 0)
                return 1;
        if (errno != ENOMEDIUM)
                return 2;
        if (chdir("/") == 0 || errno != EPERM) /* ERRNO without errnoRet is EPERM */
                return 3;
        if (getpid() <= 0)
                return 4;
        return 0;
}

TEST(errno_action_with_custom_and_default_errno)
{
        SpecSeccompSyscall rules[] = {
                RULE(NAMES("mkdir", "mkdirat"), "SCMP_ACT_ERRNO", .has_errno_ret = true,
                     .errno_ret = ENOMEDIUM),
                RULE(NAMES("chdir"), "SCMP_ACT_ERRNO"),
        };
        SpecSeccomp s = { .default_action = (char *)"SCMP_ACT_ALLOW", .syscalls = rules,
                          .n_syscalls = ELEMENTSOF(rules) };
        _cleanup_syscall_filter_ SyscallFilter *f = build_or_null(&s);

        ASSERT_NOT_NULL(f);
        int st = run_filtered(f, child_mkdir);
        ASSERT_TRUE(EXITED(st, 0));
        return 0;
}

static int child_personality(void)
{
        /* Denied only for the exact query value; everything else passes. */
        if (sys_errno(syscall(SYS_personality, 0xffffffffUL)) != EL3HLT)
                return 1;
        if (sys_errno(syscall(SYS_personality, 0UL)) != 0)
                return 3;
        return 0;
}

TEST(arg_filtered_rule_personality)
{
        SpecSeccompSyscall rules[] = {
                RULE(NAMES("personality"), "SCMP_ACT_ERRNO", .has_errno_ret = true,
                     .errno_ret = EL3HLT, ARGS(ARG(0, "SCMP_CMP_EQ", 0xffffffff))),
        };
        SpecSeccomp s = { .default_action = (char *)"SCMP_ACT_ALLOW", .syscalls = rules,
                          .n_syscalls = ELEMENTSOF(rules) };
        _cleanup_syscall_filter_ SyscallFilter *f = build_or_null(&s);

        ASSERT_NOT_NULL(f);
        int st = run_filtered(f, child_personality);
        ASSERT_TRUE(EXITED(st, 0));
        return 0;
}

/* lseek(-1, off, whence) fails with EBADF unless a rule catches it first. */
static int lseek_errno(uint64_t off, uint64_t whence)
{
        return sys_errno(syscall(SYS_lseek, -1L, off, whence));
}

static int child_same_index(void)
{
        if (lseek_errno(5, 0) != EL2HLT || lseek_errno(7, 0) != EL2HLT) /* OR of index 1 */
                return 1;
        if (lseek_errno(6, 0) != EBADF)
                return 2;
        if (lseek_errno(9, SEEK_CUR) != EL3RST) /* AND of indexes 1 and 2 */
                return 3;
        if (lseek_errno(9, SEEK_SET) != EBADF || lseek_errno(8, SEEK_CUR) != EBADF)
                return 4;
        return 0;
}

TEST(args_same_index_are_ored_different_index_anded)
{
        SpecSeccompSyscall rules[] = {
                RULE(NAMES("lseek"), "SCMP_ACT_ERRNO", .has_errno_ret = true,
                     .errno_ret = EL2HLT,
                     ARGS(ARG(1, "SCMP_CMP_EQ", 5), ARG(1, "SCMP_CMP_EQ", 7))),
                RULE(NAMES("lseek"), "SCMP_ACT_ERRNO", .has_errno_ret = true,
                     .errno_ret = EL3RST,
                     ARGS(ARG(1, "SCMP_CMP_EQ", 9), ARG(2, "SCMP_CMP_EQ", SEEK_CUR))),
        };
        SpecSeccomp s = { .default_action = (char *)"SCMP_ACT_ALLOW", .syscalls = rules,
                          .n_syscalls = ELEMENTSOF(rules) };
        _cleanup_syscall_filter_ SyscallFilter *f = build_or_null(&s);

        ASSERT_NOT_NULL(f);
        int st = run_filtered(f, child_same_index);
        ASSERT_TRUE(EXITED(st, 0));
        return 0;
}

static int child_u64(void)
{
        if (lseek_errno(UINT64_MAX, 0) != EL2HLT)
                return 1;
        if (lseek_errno(UINT64_MAX - 1, 0) != EBADF)
                return 2;
        if (lseek_errno(0xab00000000000042ULL, 0) != EL3RST)
                return 3;
        if (lseek_errno(0xac00000000000042ULL, 0) != EBADF)
                return 4;
        if (lseek_errno(0, UINT64_MAX) != EL3HLT)
                return 5;
        if (lseek_errno(0, 0xfffffffffffffff0ULL) != EBADF)
                return 6;
        /* The case libseccomp 2.5.4 gets wrong: high word below the value's, low word above. */
        if (sys_errno(syscall(SYS_fcntl, -1L, (long)F_GETFD, 0x80000000UL)) != ECHRNG)
                return 7;
        if (sys_errno(syscall(SYS_fcntl, -1L, (long)F_GETFD, 0x8000000000000001UL)) != EBADF)
                return 8;
        return 0;
}

TEST(args_64bit_values_exact)
{
        SpecSeccompSyscall rules[] = {
                RULE(NAMES("lseek"), "SCMP_ACT_ERRNO", .has_errno_ret = true,
                     .errno_ret = EL2HLT, ARGS(ARG(1, "SCMP_CMP_EQ", UINT64_MAX))),
                RULE(NAMES("lseek"), "SCMP_ACT_ERRNO", .has_errno_ret = true,
                     .errno_ret = EL3RST,
                     ARGS(ARG(1, "SCMP_CMP_MASKED_EQ", 0xff00000000000000ULL,
                              .value_two = 0xab00000000000000ULL))),
                RULE(NAMES("lseek"), "SCMP_ACT_ERRNO", .has_errno_ret = true,
                     .errno_ret = EL3HLT, ARGS(ARG(2, "SCMP_CMP_GT", 0xfffffffffffffff0ULL))),
                RULE(NAMES("fcntl"), "SCMP_ACT_ERRNO", .has_errno_ret = true,
                     .errno_ret = ECHRNG, ARGS(ARG(2, "SCMP_CMP_LE", 0x8000000000000000ULL))),
        };
        SpecSeccomp s = { .default_action = (char *)"SCMP_ACT_ALLOW", .syscalls = rules,
                          .n_syscalls = ELEMENTSOF(rules) };
        _cleanup_syscall_filter_ SyscallFilter *f = build_or_null(&s);

        ASSERT_NOT_NULL(f);
        int st = run_filtered(f, child_u64);
        ASSERT_TRUE(EXITED(st, 0));
        return 0;
}

static int child_getppid(void)
{
        getppid();
        return 0;
}

TEST(kill_process_and_trap_end_with_sigsys)
{
        static const char *const actions[] = { "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL",
                                               "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP" };

        for (size_t i = 0; i < ELEMENTSOF(actions); i++) {
                SpecSeccompSyscall rules[] = { RULE(NAMES("getppid"), actions[i]) };
                SpecSeccomp s = { .default_action = (char *)"SCMP_ACT_ALLOW", .syscalls = rules,
                                  .n_syscalls = 1 };
                _cleanup_syscall_filter_ SyscallFilter *f = build_or_null(&s);

                ASSERT_NOT_NULL(f);
                int st = run_filtered(f, child_getppid);
                if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSYS)
                        TAP_FAIL("%s: status 0x%x, expected SIGSYS", actions[i], st);
        }
        return 0;
}

static int child_mkdir_only(void)
{
        if (mkdir("/proc/berth-seccomp-test", 0700) == 0 || errno != ENOMEDIUM)
                return 1;
        return 0;
}

TEST(unknown_syscall_names_are_skipped)
{
        SpecSeccompSyscall rules[] = {
                RULE(NAMES("no_such_syscall_berth", "mkdir", "mkdirat", "future_syscall2"),
                     "SCMP_ACT_ERRNO", .has_errno_ret = true, .errno_ret = ENOMEDIUM),
        };
        SpecSeccomp s = { .default_action = (char *)"SCMP_ACT_ALLOW", .syscalls = rules,
                          .n_syscalls = 1 };
        _cleanup_syscall_filter_ SyscallFilter *f = build_or_null(&s);

        ASSERT_NOT_NULL(f);
        int st = run_filtered(f, child_mkdir_only);
        ASSERT_TRUE(EXITED(st, 0));
        return 0;
}

TEST(errors_name_the_path)
{
        SpecSeccompSyscall ok[] = { RULE(NAMES("getpid"), "SCMP_ACT_ALLOW") };
        SpecSeccompSyscall bad_action[] = { RULE(NAMES("getpid"), "SCMP_ACT_ALLOW"),
                                            RULE(NAMES("getpid"), "SCMP_ACT_NOPE") };
        SpecSeccompSyscall bad_op[] = { RULE(NAMES("lseek"), "SCMP_ACT_ALLOW",
                                             ARGS(ARG(1, "SCMP_CMP_EQ", 1),
                                                  ARG(2, "SCMP_CMP_SIMILAR", 2))) };
        SpecSeccompSyscall bad_index[] = { RULE(NAMES("lseek"), "SCMP_ACT_ALLOW",
                                                ARGS(ARG(6, "SCMP_CMP_EQ", 1))) };
        SpecSeccompSyscall empty_name[] = { RULE(NAMES("getpid", ""), "SCMP_ACT_ALLOW") };
        SpecSeccompSyscall big_errno[] = { RULE(NAMES("getpid"), "SCMP_ACT_ERRNO",
                                                .has_errno_ret = true, .errno_ret = 70000) };
        SpecSeccompSyscall notify_sendmsg[] = { RULE(NAMES("write", "sendmsg"),
                                                     "SCMP_ACT_NOTIFY") };
        const char *def = "SCMP_ACT_ERRNO";
        struct {
                SpecSeccomp s;
                const char *msg;
        } cases[] = {
                { { .default_action = (char *)"SCMP_ACT_MAYBE" },
                  "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_MAYBE\"" },
                { { .default_action = (char *)"SCMP_ACT_NOTIFY" },
                  "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action" },
                { { .default_action = (char *)def, .syscalls = bad_action, .n_syscalls = 2 },
                  "linux.seccomp.syscalls[1].action: unknown seccomp action \"SCMP_ACT_NOPE\"" },
                { { .default_action = (char *)def, .syscalls = bad_op, .n_syscalls = 1 },
                  "linux.seccomp.syscalls[0].args[1].op: unknown seccomp operator \"SCMP_CMP_SIMILAR\"" },
                { { .default_action = (char *)def, .syscalls = bad_index, .n_syscalls = 1 },
                  "linux.seccomp.syscalls[0].args[0].index: must be between 0 and 5, got 6" },
                { { .default_action = (char *)def, .syscalls = empty_name, .n_syscalls = 1 },
                  "linux.seccomp.syscalls[0].names[1]: empty syscall name" },
                { { .default_action = (char *)def, .syscalls = big_errno, .n_syscalls = 1 },
                  "linux.seccomp.syscalls[0].errnoRet: 70000 is out of range (at most 65535)" },
                { { .default_action = (char *)def, .syscalls = notify_sendmsg, .n_syscalls = 1 },
                  "linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for "
                  "\"sendmsg\": the runtime receives the listener's fd with it" },
                { { .default_action = (char *)def,
                    .architectures = NAMES("SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"), .syscalls = ok,
                    .n_syscalls = 1 },
                  "linux.seccomp.architectures[1]: unknown seccomp architecture \"SCMP_ARCH_VAX\"" },
                { { .default_action = (char *)def, .flags = NAMES("SECCOMP_FILTER_FLAG_FAST") },
                  "linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_FAST\"" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *msg = build_error(&cases[i].s);
                ASSERT_STREQ(msg, cases[i].msg);
        }
        return 0;
}

static int child_default_allow(void)
{
        if (getpid() <= 0)
                return 1;
        if (mkdir("/proc/berth-seccomp-test", 0700) == 0 || errno != EPERM)
                return 2;
        if (sys_errno(syscall(SYS_getppid)) != 0)
                return 3;
        return 0;
}

TEST(default_allow_with_explicit_rules)
{
        /* The ALLOW rule repeats the default action: skipped, as libseccomp would refuse it. */
        SpecSeccompSyscall rules[] = {
                RULE(NAMES("getpid", "getppid"), "SCMP_ACT_ALLOW"),
                RULE(NAMES("mkdir", "mkdirat"), "SCMP_ACT_ERRNO"),
                RULE(NAMES("getppid"), "SCMP_ACT_LOG"),
        };
        SpecSeccomp s = { .default_action = (char *)"SCMP_ACT_ALLOW", .syscalls = rules,
                          .n_syscalls = ELEMENTSOF(rules) };
        _cleanup_syscall_filter_ SyscallFilter *f = build_or_null(&s);

        ASSERT_NOT_NULL(f);
        int st = run_filtered(f, child_default_allow);
        ASSERT_TRUE(EXITED(st, 0));
        return 0;
}

static int child_flags(void)
{
        return mkdir("/proc/berth-seccomp-test", 0700) == 0 ? 1 : errno == ENOMEDIUM ? 0 : 2;
}

TEST(flags_are_applied)
{
        SpecSeccompSyscall rules[] = {
                RULE(NAMES("mkdir", "mkdirat"), "SCMP_ACT_ERRNO", .has_errno_ret = true,
                     .errno_ret = ENOMEDIUM),
        };
        SpecSeccomp s = { .default_action = (char *)"SCMP_ACT_ALLOW",
                          .flags = NAMES("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                         "SECCOMP_FILTER_FLAG_SPEC_ALLOW"),
                          .syscalls = rules,
                          .n_syscalls = 1 };
        _cleanup_syscall_filter_ SyscallFilter *f = build_or_null(&s);

        ASSERT_NOT_NULL(f);
        int st = run_filtered(f, child_flags);
        ASSERT_TRUE(EXITED(st, 0));
        return 0;
}

static int send_fd(int sock, int fd)
{
        char c = 'x';
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = &c, .iov_len = 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                             .msg_controllen = sizeof(control.buf) };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(int));
        return sendmsg(sock, &mh, 0) == 1 ? 0 : -errno;
}

/* Receives up to size bytes and one fd (or -1). */
static ssize_t recv_with_fd(int sock, char *buf, size_t size, int *ret_fd)
{
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = buf, .iov_len = size };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                             .msg_controllen = sizeof(control.buf) };
        ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

        *ret_fd = -1;
        if (n >= 0 && cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
                memcpy(ret_fd, CMSG_DATA(cm), sizeof(int));
        return n;
}

TEST(notify_gives_a_listener_fd)
{
        SpecSeccompSyscall rules[] = {
                RULE(NAMES("mkdir", "mkdirat"), "SCMP_ACT_NOTIFY"),
        };
        SpecSeccomp s = { .default_action = (char *)"SCMP_ACT_ALLOW",
                          .flags = NAMES("SECCOMP_FILTER_FLAG_TSYNC"),
                          .syscalls = rules,
                          .n_syscalls = 1 };
        _cleanup_syscall_filter_ SyscallFilter *f = build_or_null(&s);
        _cleanup_close_pair_ int pair[2] = { -1, -1 };
        _cleanup_close_ int notify_fd = -1;
        struct seccomp_notif req = {};
        struct seccomp_notif_resp resp = {};
        char c;
        int status;

        ASSERT_NOT_NULL(f);
        ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair));
        pid_t pid = fork();
        ASSERT_OK(pid);
        if (pid == 0) {
                _cleanup_error_ BerthError *err = NULL;
                int fd = -1;

                child_prepare();
                if (syscall_filter_load(f, &fd, &err) < 0 || fd < 0)
                        _exit(250);
                if (send_fd(pair[1], fd) < 0)
                        _exit(251);
                /* Waits here until the parent answers the notification. */
                _exit(mkdir("/proc/berth-seccomp-test", 0700) == 0 ? 1 : errno);
        }
        ASSERT_EQ(recv_with_fd(pair[0], &c, 1, &notify_fd), 1);
        ASSERT_TRUE(notify_fd >= 0);
        ASSERT_OK(ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_RECV, &req));
        ASSERT_EQ(req.pid, pid);
        ASSERT_TRUE(req.data.nr == seccomp_syscall_resolve_name("mkdir") ||
                    req.data.nr == seccomp_syscall_resolve_name("mkdirat"));
        resp.id = req.id;
        resp.error = -EXDEV;
        ASSERT_OK(ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp));
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(EXITED(status, EXDEV));

        /* No NOTIFY rule: no fd. Loaded in a child, checked through the exit status. */
        SpecSeccompSyscall plain[] = { RULE(NAMES("mkdir"), "SCMP_ACT_ERRNO") };
        SpecSeccomp s2 = { .default_action = (char *)"SCMP_ACT_ALLOW", .syscalls = plain,
                           .n_syscalls = 1 };
        _cleanup_syscall_filter_ SyscallFilter *f2 = build_or_null(&s2);
        ASSERT_NOT_NULL(f2);
        pid = fork();
        ASSERT_OK(pid);
        if (pid == 0) {
                int fd = 123;
                child_prepare();
                _exit(syscall_filter_load(f2, &fd, NULL) < 0 ? 2 : fd == -1 ? 0 : 1);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(EXITED(status, 0));
        return 0;
}

TEST(send_listener_delivers_fd_and_state)
{
        char dir[] = "/tmp/berth-seccomp-XXXXXX", path[64], buf[4096];
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int srv = -1, conn = -1, got = -1;
        _cleanup_close_pair_ int pipefd[2] = { -1, -1 };
        _cleanup_error_ BerthError *err = NULL;
        struct stat a, b;
        struct json_object *msg, *v;
        ssize_t n;

        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/agent.sock", dir);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_OK(srv);
        ASSERT_OK(bind(srv, (struct sockaddr *)&sa, sizeof(sa)));
        ASSERT_OK(listen(srv, 1));
        ASSERT_OK(pipe2(pipefd, O_CLOEXEC));

        /* The connection waits in the backlog, so one process can play both sides. */
        ASSERT_OK(syscall_filter_send_listener(
                path, "agent-meta", pipefd[0],
                "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":4242,"
                "\"bundle\":\"/b\"}",
                &err));
        conn = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
        ASSERT_OK(conn);
        n = recv_with_fd(conn, buf, sizeof(buf) - 1, &got);
        ASSERT_TRUE(n > 0);
        buf[n] = 0;
        ASSERT_TRUE(got >= 0);
        ASSERT_OK(fstat(got, &a));
        ASSERT_OK(fstat(pipefd[0], &b));
        ASSERT_EQ(a.st_ino, b.st_ino);
        printf("# %s\n", buf);

        msg = json_tokener_parse(buf);
        ASSERT_NOT_NULL(msg);
        ASSERT_STREQ(json_object_get_string(json_object_object_get(msg, "ociVersion")), "1.2.0");
        v = json_object_object_get(msg, "fds");
        ASSERT_EQ(json_object_array_length(v), 1);
        ASSERT_STREQ(json_object_get_string(json_object_array_get_idx(v, 0)), "seccompFd");
        ASSERT_EQ(json_object_get_int(json_object_object_get(msg, "pid")), 4242);
        ASSERT_STREQ(json_object_get_string(json_object_object_get(msg, "metadata")),
                     "agent-meta");
        v = json_object_object_get(msg, "state");
        ASSERT_STREQ(json_object_get_string(json_object_object_get(v, "id")), "c1");
        ASSERT_STREQ(json_object_get_string(json_object_object_get(v, "status")), "creating");
        json_object_put(msg);

        /* Nobody listening: the error names the path. */
        unlink(path);
        berth_error_free(&err);
        ASSERT_FAIL(syscall_filter_send_listener(path, NULL, pipefd[0], "{}", &err));
        ASSERT_CONTAINS(err->msg, "linux.seccomp.listenerPath: connecting to");
        rmdir(dir);
        return 0;
}

TEST(feature_lists)
{
        bool kill_process = false, masked = false, x86_64 = false, tsync = false;

        for (size_t i = 0; seccomp_actions[i]; i++)
                kill_process |= streq(seccomp_actions[i], "SCMP_ACT_KILL_PROCESS");
        for (size_t i = 0; seccomp_operators[i]; i++)
                masked |= streq(seccomp_operators[i], "SCMP_CMP_MASKED_EQ");
        for (size_t i = 0; seccomp_archs[i]; i++)
                x86_64 |= streq(seccomp_archs[i], "SCMP_ARCH_X86_64");
        for (size_t i = 0; seccomp_flags[i]; i++)
                tsync |= streq(seccomp_flags[i], "SECCOMP_FILTER_FLAG_TSYNC");
        ASSERT_TRUE(kill_process && masked && x86_64 && tsync);
        return 0;
}

/* A profile the size of podman's default: every syscall libseccomp knows for this machine
 * except a few, allowed, plus names of other architectures and of future kernels, plus the
 * argument rules podman carries (personality, clone, socket). */
typedef struct BigProfile {
        char **names; /* strings point into libseccomp's tables or are literals */
        size_t n_names;
        SpecSeccompSyscall rules[4];
        SpecSeccomp s;
} BigProfile;

static const char *const denied_in_big[] = { "mkdir",  "mkdirat", "personality", "clone",
                                             "socket", "reboot",  "kexec_load",  NULL };

static bool in_list(const char *const *l, const char *s)
{
        for (size_t i = 0; l[i]; i++)
                if (streq(l[i], s))
                        return true;
        return false;
}

static int big_profile_init(BigProfile *p)
{
        static const char *const extra[] = { "arm_fadvise64_64", "s390_pci_mmio_read",
                                             "socketcall", "future_syscall_1",
                                             "future_syscall_2", "ipc", NULL };
        static SpecSeccompArg personality_args[] = { { 0, 0, 0, (char *)"SCMP_CMP_EQ" } },
                              personality_args2[] = { { 0, 0xffffffff, 0, (char *)"SCMP_CMP_EQ" } },
                              clone_args[] = { { 0, 0x7e020000, 0, (char *)"SCMP_CMP_MASKED_EQ" } };
        /* Static: compound literals would die with this function's block. */
        static char *personality[] = { (char *)"personality", NULL },
                    *clone[] = { (char *)"clone", NULL };
        uint32_t arch = seccomp_arch_native();
        size_t n = 0;

        p->names = calloc(700, sizeof(char *));
        if (!p->names)
                return -ENOMEM;
        for (int nr = 0; nr < 600 && n < 690; nr++) {
                char *name = seccomp_syscall_resolve_num_arch(arch, nr);
                if (!name)
                        continue;
                if (in_list(denied_in_big, name))
                        free(name);
                else
                        p->names[n++] = name;
        }
        for (size_t i = 0; extra[i]; i++)
                p->names[n++] = strdup(extra[i]);
        p->n_names = n;

        p->rules[0] = (SpecSeccompSyscall){ .names = p->names, .action = (char *)"SCMP_ACT_ALLOW" };
        p->rules[1] = (SpecSeccompSyscall){ .names = personality,
                                            .action = (char *)"SCMP_ACT_ALLOW",
                                            .args = personality_args,
                                            .n_args = 1 };
        p->rules[2] = (SpecSeccompSyscall){ .names = personality,
                                            .action = (char *)"SCMP_ACT_ALLOW",
                                            .args = personality_args2,
                                            .n_args = 1 };
        p->rules[3] = (SpecSeccompSyscall){ .names = clone,
                                            .action = (char *)"SCMP_ACT_ALLOW",
                                            .args = clone_args,
                                            .n_args = 1 };
        p->s = (SpecSeccomp){
                .default_action = (char *)"SCMP_ACT_ERRNO",
                .has_default_errno_ret = true,
                .default_errno_ret = EPERM,
                .syscalls = p->rules,
                .n_syscalls = ELEMENTSOF(p->rules),
        };
        return 0;
}

static void big_profile_done(BigProfile *p)
{
        for (size_t i = 0; i < p->n_names; i++)
                free(p->names[i]);
        free(p->names);
}

static int child_big(void)
{
        if (getpid() <= 0)
                return 1;
        if (mkdir("/proc/berth-seccomp-test", 0700) == 0 || errno != EPERM)
                return 2;
        if (sys_errno(syscall(SYS_personality, 0xffffffffUL)) != 0)
                return 3;
        if (sys_errno(syscall(SYS_personality, 8UL)) != EPERM)
                return 4;
        return 0;
}

static double now_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

TEST(large_profile_builds_fast_and_works)
{
        static char *archs_x86[] = { (char *)"SCMP_ARCH_X86_64", (char *)"SCMP_ARCH_X86",
                                     (char *)"SCMP_ARCH_X32", NULL };
        BigProfile p = {};
        const int rounds = 200;
        double t0, t1;
        int st;

        ASSERT_OK(big_profile_init(&p));
        printf("# profile: %zu names\n", p.n_names);

        t0 = now_us();
        for (int i = 0; i < rounds; i++) {
                SyscallFilter *f = build_or_null(&p.s);
                if (!f) {
                        big_profile_done(&p);
                        TAP_FAIL("round %d failed", i);
                }
                syscall_filter_free(f);
        }
        t1 = now_us();
        printf("# build of %zu names, native arch: %.0f us per filter\n", p.n_names,
               (t1 - t0) / rounds);

        if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
                p.s.architectures = archs_x86;
                t0 = now_us();
                for (int i = 0; i < rounds; i++)
                        syscall_filter_free(build_or_null(&p.s));
                t1 = now_us();
                printf("# build of %zu names, x86_64+x86+x32 (podman's amd64 set): %.0f us per filter\n",
                       p.n_names, (t1 - t0) / rounds);
        }

        SyscallFilter *f = build_or_null(&p.s);
        big_profile_done(&p);
        ASSERT_NOT_NULL(f);
        st = run_filtered(f, child_big);
        syscall_filter_free(f);
        ASSERT_TRUE(EXITED(st, 0));
        return 0;
}

static int child_wait_killable(void)
{
        return 0;
}

TEST(wait_killable_recv_flag)
{
        SpecSeccompSyscall rules[] = { RULE(NAMES("mkdir", "mkdirat"), "SCMP_ACT_NOTIFY") };
        SpecSeccomp s = { .default_action = (char *)"SCMP_ACT_ALLOW",
                          .flags = NAMES("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
                          .syscalls = rules,
                          .n_syscalls = 1 };
        _cleanup_syscall_filter_ SyscallFilter *f = build_or_null(&s);

        ASSERT_NOT_NULL(f);
        int st = run_filtered(f, child_wait_killable);
        if (EXITED(st, 250)) /* kernel before 5.19 */
                return TEST_SKIP;
        ASSERT_TRUE(EXITED(st, 0));
        return 0;
}

/* ---- differential test: our BPF against libseccomp's for random profiles ---- */

static const struct {
        const char *name;
        uint32_t value;
        bool errno_ret;
} action_values[] = {
        { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },  { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true },
        { "SCMP_ACT_KILL", SCMP_ACT_KILL, false },    { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
        { "SCMP_ACT_LOG", SCMP_ACT_LOG, false },      { "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true },
        { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
};

static const struct {
        const char *name;
        enum scmp_compare op;
} op_values[] = {
        { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
        { "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
        { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* A classic BPF interpreter for what seccomp filters use; 0xdeadbeef on anything else. */
static uint32_t bpf_run(const struct sock_filter *insns, size_t n, const struct seccomp_data *d)
{
        uint32_t a = 0;

        for (size_t pc = 0; pc < n; pc++) {
                const struct sock_filter *i = &insns[pc];
                switch (i->code) {
                case BPF_LD | BPF_W | BPF_ABS:
                        if (i->k > sizeof(*d) - 4 || i->k % 4)
                                return 0xdeadbeef;
                        memcpy(&a, (const char *)d + i->k, 4);
                        break;
                case BPF_ALU | BPF_AND | BPF_K: a &= i->k; break;
                case BPF_JMP | BPF_JA: pc += i->k; break;
                case BPF_JMP | BPF_JEQ | BPF_K: pc += a == i->k ? i->jt : i->jf; break;
                case BPF_JMP | BPF_JGT | BPF_K: pc += a > i->k ? i->jt : i->jf; break;
                case BPF_JMP | BPF_JGE | BPF_K: pc += a >= i->k ? i->jt : i->jf; break;
                case BPF_JMP | BPF_JSET | BPF_K: pc += (a & i->k) ? i->jt : i->jf; break;
                case BPF_RET | BPF_K: return i->k;
                default: return 0xdeadbeef;
                }
        }
        return 0xdeadbeef; /* fell off the end */
}

/* The filter as runc builds it with libseccomp, exported; NULL when libseccomp refuses it. */
static struct sock_filter *reference_bpf(const SpecSeccomp *s, uint32_t def, size_t *ret_n)
{
        scmp_filter_ctx ctx = seccomp_init(def);
        struct sock_filter *insns = NULL;
        struct stat st;
        int fd = -1;

        if (!ctx)
                return NULL;
        for (size_t i = 0; s->architectures && s->architectures[i]; i++)
                for (size_t k = 0; seccomp_archs[k]; k++)
                        if (streq(s->architectures[i], seccomp_archs[k])) {
                                char lower[32] = {};
                                const char *a = s->architectures[i] + strlen("SCMP_ARCH_");
                                for (size_t c = 0; a[c] && c < sizeof(lower) - 1; c++)
                                        lower[c] = (char)tolower((unsigned char)a[c]);
                                uint32_t t = seccomp_arch_resolve_name(lower);
                                if (t == 0)
                                        goto out;
                                int r = seccomp_arch_add(ctx, t);
                                if (r < 0 && r != -EEXIST)
                                        goto out;
                        }
        for (size_t i = 0; i < s->n_syscalls; i++) {
                const SpecSeccompSyscall *c = &s->syscalls[i];
                struct scmp_arg_cmp cmp[16];
                unsigned count[6] = {};
                bool split = false;
                uint32_t act = 0;

                for (size_t k = 0; k < ELEMENTSOF(action_values); k++)
                        if (streq(c->action, action_values[k].name))
                                act = action_values[k].value |
                                      (action_values[k].errno_ret ? c->errno_ret : 0);
                if (act == def)
                        continue;
                for (size_t k = 0; k < c->n_args; k++) {
                        enum scmp_compare op = SCMP_CMP_EQ;
                        for (size_t o = 0; o < ELEMENTSOF(op_values); o++)
                                if (streq(c->args[k].op, op_values[o].name))
                                        op = op_values[o].op;
                        cmp[k] = (struct scmp_arg_cmp){ c->args[k].index, op, c->args[k].value,
                                                        c->args[k].value_two };
                        split |= ++count[c->args[k].index] > 1;
                }
                for (size_t j = 0; c->names[j]; j++) {
                        int nr = seccomp_syscall_resolve_name(c->names[j]);
                        if (nr == __NR_SCMP_ERROR)
                                continue;
                        if (split) {
                                for (size_t k = 0; k < c->n_args; k++)
                                        if (seccomp_rule_add_array(ctx, act, nr, 1, &cmp[k]) < 0)
                                                goto out;
                        } else if (seccomp_rule_add_array(ctx, act, nr, c->n_args, cmp) < 0)
                                goto out;
                }
        }
        fd = memfd_create("ref", MFD_CLOEXEC);
        if (fd < 0 || seccomp_export_bpf(ctx, fd) < 0 || fstat(fd, &st) < 0)
                goto out;
        insns = malloc(st.st_size);
        if (insns && pread(fd, insns, st.st_size, 0) != st.st_size) {
                free(insns);
                insns = NULL;
        }
        *ret_n = st.st_size / sizeof(struct sock_filter);
out:
        if (fd >= 0)
                close(fd);
        seccomp_release(ctx);
        return insns;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        return rng_state;
}

#define PICK(a) (a)[rnd() % ELEMENTSOF(a)]

static const uint64_t interesting[] = {
        0, 1, 2, 5, 40, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL, 0x1ffffffffULL,
        0xab00000000000042ULL, 0x8000000000000000ULL, UINT64_MAX - 1, UINT64_MAX,
};

/* Names that differ between the architectures: multiplexed socket and IPC calls, calls some
 * architectures lack, and names no libseccomp knows. */
static const char *const pool[] = {
        "read", "write", "openat", "mkdir", "mkdirat", "open", "personality", "clone",
        "socket", "bind", "connect", "accept", "accept4", "send", "recv", "sendto", "recvmmsg",
        "semop", "semget", "shmctl", "msgrcv", "semtimedop", "ioctl", "mmap", "mmap2",
        "lseek", "_llseek", "fcntl", "fcntl64", "kill", "no_such_call", "future_call_9",
        "arm_fadvise64_64", "riscv_flush_icache", "getpid", "exit_group", "socketcall", "ipc",
};

typedef struct RandomProfile {
        SpecSeccompSyscall rules[12];
        SpecSeccompArg args[12][4];
        char *names[12][5];
        char *archs[5];
        SpecSeccomp s;
        uint32_t def;
} RandomProfile;

/* native_only: no architectures listed. libseccomp_safe: values of LT/LE/GT/GE without high
 * bits, where libseccomp 2.5.4 compares 64-bit values wrongly (see args_64bit_values_exact). */
static void random_profile(RandomProfile *p, bool native_only, bool libseccomp_safe)
{
                static const char *const arch_pool[] = { "SCMP_ARCH_X86",     "SCMP_ARCH_X32",
                                                 "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM",
                                                 "SCMP_ARCH_PPC64LE", "SCMP_ARCH_MIPSEL",
                                                 "SCMP_ARCH_RISCV64" };
        bool used[ELEMENTSOF(pool)] = {};
        size_t n_archs = native_only ? 0 : rnd() % 4, k = 0;

        memset(p, 0, sizeof(*p));
        for (size_t i = 0; i < n_archs; i++)
                p->archs[k++] = (char *)PICK(arch_pool);
        p->archs[k] = NULL;

        size_t d = rnd() % ELEMENTSOF(action_values);
        p->s.default_action = (char *)action_values[d].name;
        p->s.has_default_errno_ret = true;
        p->s.default_errno_ret = action_values[d].errno_ret ? 1 + rnd() % 100 : 0;
        p->def = action_values[d].value | p->s.default_errno_ret;
        p->s.architectures = p->archs;
        p->s.syscalls = p->rules;
        p->s.n_syscalls = 1 + rnd() % ELEMENTSOF(p->rules);

        for (size_t i = 0; i < p->s.n_syscalls; i++) {
                SpecSeccompSyscall *r = &p->rules[i];
                size_t a = rnd() % ELEMENTSOF(action_values), n_names = 1 + rnd() % 4, nn = 0;

                r->action = (char *)action_values[a].name;
                r->has_errno_ret = true;
                r->errno_ret = action_values[a].errno_ret ? 1 + rnd() % 100 : 0;
                r->n_args = rnd() % 4;
                r->args = p->args[i];
                for (size_t j = 0; j < r->n_args; j++) {
                        SpecSeccompArg *arg = &p->args[i][j];
                        *arg = (SpecSeccompArg){
                                .index = rnd() % 4,
                                .op = (char *)PICK(op_values).name,
                                .value = PICK(interesting),
                                .value_two = PICK(interesting),
                        };
                        if (libseccomp_safe && !streq(arg->op, "SCMP_CMP_EQ") &&
                            !streq(arg->op, "SCMP_CMP_NE") &&
                            !streq(arg->op, "SCMP_CMP_MASKED_EQ"))
                                arg->value &= 0xffffffff;
                }
                /* Each name in one rule only, and the multiplexers only without conditions:
                 * where conditional rules of one syscall overlap, libseccomp's precedence
                 * comes from its decision tree and ours from the profile order. */
                for (size_t j = 0; j < n_names; j++) {
                        size_t x = rnd() % ELEMENTSOF(pool);
                        if (used[x])
                                continue;
                        if (r->n_args > 0 && (streq(pool[x], "socketcall") || streq(pool[x], "ipc")))
                                continue;
                        used[x] = true;
                        p->names[i][nn++] = (char *)pool[x];
                }
                if (nn == 0)
                        p->names[i][nn++] = (char *)"getpid_never_used";
                p->names[i][nn] = NULL;
                r->names = p->names[i];
        }
}

static void random_data(struct seccomp_data *d, const uint32_t *nrs, size_t n_nrs)
{
        static const uint32_t arch_values[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386,
                                                AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM,
                                                AUDIT_ARCH_PPC64LE, AUDIT_ARCH_MIPSEL,
                                                AUDIT_ARCH_RISCV64, AUDIT_ARCH_S390X };

        memset(d, 0, sizeof(*d));
        d->arch = PICK(arch_values);
        switch (rnd() % 4) {
        case 0: d->nr = (int)(rnd() % 500); break;
        case 1: d->nr = (int)(X32_BIT | (rnd() % 600)); break;
        case 2: d->nr = (int)(4000 + rnd() % 500); break;
        default: d->nr = (int)nrs[rnd() % n_nrs]; break;
        }
        if (rnd() % 50 == 0)
                d->nr = -1;
        for (size_t i = 0; i < 6; i++)
                d->args[i] = rnd() % 4 ? PICK(interesting) : rnd();
}

/* ---- the oracle: the profile evaluated directly, for one seccomp_data ---- */

typedef struct OracleArch {
        uint32_t token, token_bpf;
        bool wide;
        int socketcall, ipc; /* -1: no multiplexer */
} OracleArch;

static bool oracle_arch(const char *name, OracleArch *ret)
{
        char lower[32] = {};
        const char *a = name + strlen("SCMP_ARCH_");
        uint32_t t;

        for (size_t c = 0; a[c] && c < sizeof(lower) - 1; c++)
                lower[c] = (char)tolower((unsigned char)a[c]);
        t = seccomp_arch_resolve_name(lower);
        if (t == 0)
                return false;
        *ret = (OracleArch){
                .token = t,
                .token_bpf = t == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : t,
                .wide = (t & __AUDIT_ARCH_64BIT) && t != SCMP_ARCH_MIPS64N32 &&
                        t != SCMP_ARCH_MIPSEL64N32,
                .socketcall = -1,
                .ipc = -1,
        };
        /* libseccomp multiplexes where the arch has socketcall and ipc as syscalls. */
        if (t == SCMP_ARCH_X86 || t == SCMP_ARCH_PPC64LE || t == SCMP_ARCH_MIPSEL ||
            t == SCMP_ARCH_PPC64 || t == SCMP_ARCH_PPC || t == SCMP_ARCH_S390 ||
            t == SCMP_ARCH_S390X || t == SCMP_ARCH_MIPS) {
                ret->socketcall = seccomp_syscall_resolve_name_arch(t, "socketcall");
                ret->ipc = seccomp_syscall_resolve_name_arch(t, "ipc");
        }
        return true;
}

/* The direct number of a multiplexed call, from libseccomp's own table (a slow reverse scan,
 * cached): independent of the table in seccomp.c. */
static int oracle_direct(uint32_t token, const char *name)
{
        static struct {
                uint32_t token;
                char name[24];
                int nr;
        } cache[256];
        static size_t n_cache;
        int found = -1;

        for (size_t i = 0; i < n_cache; i++)
                if (cache[i].token == token && streq(cache[i].name, name))
                        return cache[i].nr;
        for (int nr = 0; nr < 5000; nr++) {
                char *s = seccomp_syscall_resolve_num_arch(token, nr);
                if (s && streq(s, name))
                        found = nr; /* the last: mips also answers for numbers without 4000 */
                free(s);
        }
        if (n_cache < ELEMENTSOF(cache)) {
                cache[n_cache].token = token;
                snprintf(cache[n_cache].name, sizeof(cache[n_cache].name), "%s", name);
                cache[n_cache++].nr = found;
        }
        return found;
}

static bool oracle_cond(const SpecSeccompArg *c, uint64_t v, bool wide)
{
        uint64_t a = c->value, b = c->value_two;

        if (!wide) {
                v = (uint32_t)v;
                a = (uint32_t)a;
                b = (uint32_t)b;
        }
        if (streq(c->op, "SCMP_CMP_EQ"))
                return v == a;
        if (streq(c->op, "SCMP_CMP_NE"))
                return v != a;
        if (streq(c->op, "SCMP_CMP_LT"))
                return v < a;
        if (streq(c->op, "SCMP_CMP_LE"))
                return v <= a;
        if (streq(c->op, "SCMP_CMP_GE"))
                return v >= a;
        if (streq(c->op, "SCMP_CMP_GT"))
                return v > a;
        return (v & a) == (b & a);
}

static uint32_t oracle_action(const char *name, bool has_errno_ret, uint32_t errno_ret)
{
        if (!has_errno_ret)
                errno_ret = EPERM;
        for (size_t k = 0; k < ELEMENTSOF(action_values); k++)
                if (streq(name, action_values[k].name))
                        return action_values[k].value | (action_values[k].errno_ret ? errno_ret : 0);
        return 0xdeadbeef;
}

static uint32_t oracle(const SpecSeccomp *s, uint32_t def, const struct seccomp_data *d)
{
        OracleArch archs[8], *arch = NULL;
        size_t n_archs = 0;
        uint32_t nr = (uint32_t)d->nr;
        bool has_x86_64 = false, has_x32 = false;

        oracle_arch("SCMP_ARCH_X86_64", &archs[n_archs++]);
        for (size_t i = 0; s->architectures && s->architectures[i]; i++)
                oracle_arch(s->architectures[i], &archs[n_archs++]);
        for (size_t i = 0; i < n_archs; i++) {
                has_x86_64 |= archs[i].token == SCMP_ARCH_X86_64;
                has_x32 |= archs[i].token == SCMP_ARCH_X32;
        }
        if (d->arch == AUDIT_ARCH_X86_64) {
                uint32_t want = SCMP_ARCH_X86_64;
                if (nr & X32_BIT) {
                        if (has_x32)
                                want = SCMP_ARCH_X32;
                        else if (nr != UINT32_MAX)
                                return SCMP_ACT_KILL_THREAD; /* x32 call, x32 not listed */
                }
                if (!has_x86_64 && want == SCMP_ARCH_X86_64)
                        return SCMP_ACT_KILL_THREAD;
                for (size_t i = 0; i < n_archs; i++)
                        if (archs[i].token == want)
                                arch = &archs[i];
        } else
                for (size_t i = 0; i < n_archs; i++)
                        if (archs[i].token_bpf == d->arch)
                                arch = &archs[i];
        if (!arch)
                return SCMP_ACT_KILL_THREAD;

        /* Unconditional rules first (the first one wins), then conditional ones in order. */
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < s->n_syscalls; i++) {
                        const SpecSeccompSyscall *r = &s->syscalls[i];
                        uint32_t act = oracle_action(r->action, r->has_errno_ret, r->errno_ret);
                        unsigned count[6] = {};
                        bool split = false;

                        if (act == def)
                                continue;
                        for (size_t k = 0; k < r->n_args; k++)
                                split |= ++count[r->args[k].index] > 1;
                        for (size_t j = 0; r->names[j]; j++) {
                                int n = seccomp_syscall_resolve_name_arch(arch->token,
                                                                          r->names[j]);
                                int mux_sub = -1, direct = n >= 0 ? n : -1, mux_nr = -1;

                                if (n == __NR_SCMP_ERROR)
                                        continue;
                                if (n < 0 && arch->socketcall >= 0 && n <= -100 && n >= -120) {
                                        mux_sub = (-n) % 100;
                                        mux_nr = arch->socketcall;
                                        direct = oracle_direct(arch->token, r->names[j]);
                                } else if (n < 0 && arch->ipc >= 0 && n <= -200 && n >= -224) {
                                        mux_sub = (-n) % 200;
                                        mux_nr = arch->ipc;
                                        direct = oracle_direct(arch->token, r->names[j]);
                                }
                                bool is_direct = direct >= 0 && (uint32_t)direct == nr;
                                bool is_mux = mux_nr >= 0 && (uint32_t)mux_nr == nr;
                                if (!is_direct && !is_mux)
                                        continue;
                                if (is_direct && r->n_args == 0) {
                                        if (pass == 0)
                                                return act;
                                        continue;
                                }
                                if (pass == 0)
                                        continue;
                                if (is_mux &&
                                    !oracle_cond(&(SpecSeccompArg){ .op = (char *)"SCMP_CMP_EQ",
                                                                    .value = (uint64_t)mux_sub },
                                                 d->args[0], arch->wide))
                                        continue;
                                if (is_mux && r->n_args == 0)
                                        return act;
                                /* split: any one condition; else all of them. The mux form
                                 * drops conditions on arg0. */
                                bool all = true, any = false;
                                for (size_t k = 0; k < r->n_args; k++) {
                                        bool ok;
                                        if (is_mux && r->args[k].index == 0)
                                                ok = true;
                                        else
                                                ok = oracle_cond(&r->args[k],
                                                                 d->args[r->args[k].index],
                                                                 arch->wide);
                                        all &= ok;
                                        any |= ok;
                                }
                                if (split ? any : all)
                                        return act;
                        }
                }
        return def;
}

static void print_mismatch(const RandomProfile *p, const struct seccomp_data *d, int round,
                           const char *what, uint32_t want, uint32_t got)
{
        printf("# round %d: arch 0x%x nr %d args %" PRIx64 " %" PRIx64 " %" PRIx64 " %" PRIx64
               ": %s 0x%x, ours 0x%x\n",
               round, d->arch, d->nr, (uint64_t)d->args[0], (uint64_t)d->args[1],
               (uint64_t)d->args[2], (uint64_t)d->args[3], what, want, got);
        printf("# default %s/%u, archs:", p->s.default_action, p->s.default_errno_ret);
        for (size_t a = 0; p->archs[a]; a++)
                printf(" %s", p->archs[a]);
        printf("\n");
        for (size_t i = 0; i < p->s.n_syscalls; i++) {
                printf("#  rule %zu %s/%u:", i, p->rules[i].action, p->rules[i].errno_ret);
                for (size_t j = 0; p->rules[i].names[j]; j++)
                        printf(" %s", p->rules[i].names[j]);
                for (size_t j = 0; j < p->rules[i].n_args; j++)
                        printf(" [%u %s %" PRIx64 " %" PRIx64 "]", p->rules[i].args[j].index,
                               p->rules[i].args[j].op, p->rules[i].args[j].value,
                               p->rules[i].args[j].value_two);
                printf("\n");
        }
}

static size_t pool_numbers(uint32_t *nrs)
{
        static const uint32_t tokens[] = { SCMP_ARCH_X86_64, SCMP_ARCH_X86,     SCMP_ARCH_X32,
                                           SCMP_ARCH_AARCH64, SCMP_ARCH_ARM,    SCMP_ARCH_PPC64LE,
                                           SCMP_ARCH_MIPSEL,  SCMP_ARCH_RISCV64 };
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(pool); i++)
                for (size_t t = 0; t < ELEMENTSOF(tokens); t++) {
                        int nr = seccomp_syscall_resolve_name_arch(tokens[t], pool[i]);
                        if (nr >= 0)
                                nrs[n++] = (uint32_t)nr;
                }
        return n;
}

static void seed_rng(void)
{
        const char *e = getenv("SECCOMP_TEST_SEED");
        rng_state = e ? strtoull(e, NULL, 0) : 0x9e3779b97f4a7c15ULL;
        if (rng_state == 0)
                rng_state = 1;
}

/* Every profile shape and architecture mix, against the direct evaluation. */
TEST(verdicts_match_the_profile_semantics)
{
        uint32_t nrs[ELEMENTSOF(pool) * 8];
        size_t n_nrs, inputs = 0;

        if (seccomp_arch_native() != SCMP_ARCH_X86_64)
                return TEST_SKIP; /* the architecture pool assumes a little-endian x86_64 */
        n_nrs = pool_numbers(nrs);
        seed_rng();
        for (int round = 0; round < 300; round++) {
                _cleanup_error_ BerthError *err = NULL;
                _cleanup_syscall_filter_ SyscallFilter *f = NULL;
                const struct sock_filter *ours;
                RandomProfile p;
                size_t n_ours;

                random_profile(&p, false, false);
                if (syscall_filter_build(&p.s, &f, &err) < 0)
                        TAP_FAIL("round %d: %s", round, err->msg);
                ours = syscall_filter_program(f, &n_ours);
                for (int k = 0; k < 2000; k++) {
                        struct seccomp_data d;
                        random_data(&d, nrs, n_nrs);
                        uint32_t want = oracle(&p.s, p.def, &d), got = bpf_run(ours, n_ours, &d);
                        inputs++;
                        if (want != got) {
                                print_mismatch(&p, &d, round, "oracle", want, got);
                                return 1;
                        }
                }
        }
        printf("# 300 profiles, %zu inputs\n", inputs);
        return 0;
}

/* Native-only profiles against libseccomp's own program (runc's way of building the filter).
 * Not across architectures: libseccomp 2.5.4 emits wrong programs for some mixes (a section
 * compares the arch value as a syscall number after its load was merged away), nor with
 * 64-bit values for LT/LE/GT/GE, which it compares wrongly. */
TEST(native_verdicts_match_libseccomp)
{
        uint32_t nrs[ELEMENTSOF(pool) * 8];
        size_t n_nrs, compared = 0, refused = 0, inputs = 0;

        if (seccomp_arch_native() != SCMP_ARCH_X86_64)
                return TEST_SKIP;
        n_nrs = pool_numbers(nrs);
        seed_rng();
        for (int round = 0; round < 300; round++) {
                _cleanup_error_ BerthError *err = NULL;
                _cleanup_syscall_filter_ SyscallFilter *f = NULL;
                _cleanup_free_ struct sock_filter *ref = NULL;
                const struct sock_filter *ours;
                RandomProfile p;
                size_t n_ref = 0, n_ours;

                random_profile(&p, true, true);
                ref = reference_bpf(&p.s, p.def, &n_ref);
                if (!ref) {
                        refused++;
                        continue;
                }
                if (syscall_filter_build(&p.s, &f, &err) < 0)
                        TAP_FAIL("round %d: libseccomp took the profile, we did not: %s", round,
                                 err->msg);
                ours = syscall_filter_program(f, &n_ours);
                for (int k = 0; k < 2000; k++) {
                        struct seccomp_data d;
                        random_data(&d, nrs, n_nrs);
                        uint32_t want = bpf_run(ref, n_ref, &d), got = bpf_run(ours, n_ours, &d);
                        inputs++;
                        if (want != got) {
                                print_mismatch(&p, &d, round, "libseccomp", want, got);
                                return 1;
                        }
                }
                compared++;
        }
        printf("# %zu profiles compared on %zu inputs, %zu refused by libseccomp\n", compared,
               inputs, refused);
        ASSERT_TRUE(compared > 250);
        return 0;
}

/* The direct numbers of multiplexed calls in seccomp.c against libseccomp's tables, through
 * the compiled program: a rule on the name must catch the direct number. */
TEST(multiplexed_direct_numbers)
{
        static const char *const archs[] = { "SCMP_ARCH_X86", "SCMP_ARCH_PPC64LE",
                                             "SCMP_ARCH_MIPSEL" };
        static const char *const names[] = {
                "socket",  "bind",     "connect",    "listen",     "accept",  "getsockname",
                "getpeername", "socketpair", "send", "recv",       "sendto",  "recvfrom",
                "shutdown", "setsockopt", "getsockopt", "sendmsg", "recvmsg", "accept4",
                "recvmmsg", "sendmmsg", "semop",    "semget",     "semctl",  "semtimedop",
                "msgsnd",  "msgrcv",   "msgget",     "msgctl",     "shmat",   "shmdt",
                "shmget",  "shmctl",
        };
        size_t checked = 0;

        for (size_t a = 0; a < ELEMENTSOF(archs); a++) {
                OracleArch arch;
                ASSERT_TRUE(oracle_arch(archs[a], &arch));
                for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                        char *archv[] = { (char *)archs[a], NULL };
                        SpecSeccompSyscall rule = RULE(NAMES((char *)names[i]), "SCMP_ACT_TRAP");
                        SpecSeccomp s = { .default_action = (char *)"SCMP_ACT_ALLOW",
                                          .architectures = archv, .syscalls = &rule,
                                          .n_syscalls = 1 };
                        _cleanup_syscall_filter_ SyscallFilter *f = build_or_null(&s);
                        const struct sock_filter *prog;
                        size_t n;
                        int direct = oracle_direct(arch.token, names[i]);

                        ASSERT_NOT_NULL(f);
                        prog = syscall_filter_program(f, &n);
                        for (uint32_t nr = 0; nr < 5000; nr++) {
                                struct seccomp_data d = { .nr = (int)nr, .arch = arch.token_bpf };
                                uint32_t v = bpf_run(prog, n, &d);
                                bool want = (int)nr == direct;
                                /* the multiplexer itself answers by arg0, which is 0 here */
                                if ((int)nr == arch.socketcall || (int)nr == arch.ipc)
                                        continue;
                                if ((v == SCMP_ACT_TRAP) != want)
                                        TAP_FAIL("%s %s: nr %u gives 0x%x, direct is %d", archs[a],
                                                 names[i], nr, v, direct);
                        }
                        checked++;
                }
        }
        printf("# %zu names checked\n", checked);
        return 0;
}

/* Several rules for one syscall, as libseccomp resolves them (and so runc): the first
 * unconditional rule decides alone, conditional rules of the same syscall are dropped. */
TEST(rule_precedence_like_libseccomp)
{
        static const struct {
                const char *first, *second;
                bool first_cond, second_cond;
        } cases[] = {
                { "SCMP_ACT_ERRNO", "SCMP_ACT_TRAP", true, false },
                { "SCMP_ACT_ERRNO", "SCMP_ACT_TRAP", false, true },
                { "SCMP_ACT_ERRNO", "SCMP_ACT_TRAP", false, false },
                { "SCMP_ACT_ERRNO", "SCMP_ACT_LOG", true, true },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                SpecSeccompArg a0[] = { { .index = 0, .op = (char *)"SCMP_CMP_EQ", .value = 1 } };
                SpecSeccompArg a1[] = { { .index = 0, .op = (char *)"SCMP_CMP_EQ", .value = 2 } };
                SpecSeccompSyscall rules[] = {
                        { .names = NAMES("getppid"), .action = (char *)cases[i].first,
                          .has_errno_ret = true, .errno_ret = 5, .args = a0,
                          .n_args = cases[i].first_cond },
                        { .names = NAMES("getppid"), .action = (char *)cases[i].second,
                          .args = a1, .n_args = cases[i].second_cond },
                };
                SpecSeccomp s = { .default_action = (char *)"SCMP_ACT_ALLOW", .syscalls = rules,
                                  .n_syscalls = 2 };
                _cleanup_syscall_filter_ SyscallFilter *f = build_or_null(&s);
                _cleanup_free_ struct sock_filter *ref = NULL;
                const struct sock_filter *ours;
                size_t n_ref = 0, n_ours;

                ASSERT_NOT_NULL(f);
                ref = reference_bpf(&s, SCMP_ACT_ALLOW, &n_ref);
                ASSERT_NOT_NULL(ref);
                ours = syscall_filter_program(f, &n_ours);
                for (uint64_t v = 0; v < 4; v++) {
                        struct seccomp_data d = { .nr = seccomp_syscall_resolve_name("getppid"),
                                                  .arch = AUDIT_ARCH_X86_64 };
                        if (seccomp_arch_native() != SCMP_ARCH_X86_64)
                                return TEST_SKIP;
                        d.args[0] = v;
                        ASSERT_EQ(bpf_run(ours, n_ours, &d), bpf_run(ref, n_ref, &d));
                }
        }
        return 0;
}

/* ---- podman's default profile, as podman turns it into linux.seccomp on amd64 ---- */

typedef struct PodmanProfile {
        struct json_object *json; /* the strings point into it */
        SpecSeccomp s;
        uint32_t def;
} PodmanProfile;

static void podman_profile_free(PodmanProfile *p)
{
        for (size_t i = 0; i < p->s.n_syscalls; i++) {
                free(p->s.syscalls[i].names);
                free(p->s.syscalls[i].args);
        }
        free(p->s.syscalls);
        json_object_put(p->json);
}

static bool json_strv_has(struct json_object *a, const char *s)
{
        for (size_t i = 0; a && i < json_object_array_length(a); i++)
                if (streq(json_object_get_string(json_object_array_get_idx(a, i)), s))
                        return true;
        return false;
}

/* Entries apply as podman applies them for a container with its default capabilities. */
static int podman_profile_load(const char *path, PodmanProfile *p)
{
        static const char *const caps[] = { "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FOWNER",
                                            "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE",
                                            "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
                                            "CAP_SETUID", "CAP_SYS_CHROOT", NULL };
        static char *archs[] = { (char *)"SCMP_ARCH_X86_64", (char *)"SCMP_ARCH_X86",
                                 (char *)"SCMP_ARCH_X32", NULL };
        struct json_object *sys, *v;

        memset(p, 0, sizeof(*p));
        p->json = json_object_from_file(path);
        if (!p->json)
                return -ENOENT;
        p->s.default_action = (char *)json_object_get_string(
                json_object_object_get(p->json, "defaultAction"));
        if ((v = json_object_object_get(p->json, "defaultErrnoRet"))) {
                p->s.has_default_errno_ret = true;
                p->s.default_errno_ret = json_object_get_int(v);
        }
        p->def = oracle_action(p->s.default_action, p->s.has_default_errno_ret,
                               p->s.default_errno_ret);
        p->s.architectures = archs;
        sys = json_object_object_get(p->json, "syscalls");
        p->s.syscalls = calloc(json_object_array_length(sys), sizeof(SpecSeccompSyscall));
        if (!p->s.syscalls)
                return -ENOMEM;
        for (size_t i = 0; i < json_object_array_length(sys); i++) {
                struct json_object *e = json_object_array_get_idx(sys, i), *inc, *exc, *names,
                                   *args;
                SpecSeccompSyscall *r = &p->s.syscalls[p->s.n_syscalls];
                bool skip = false;

                inc = json_object_object_get(e, "includes");
                exc = json_object_object_get(e, "excludes");
                v = inc ? json_object_object_get(inc, "arches") : NULL;
                if (v && !json_strv_has(v, "amd64"))
                        skip = true;
                v = inc ? json_object_object_get(inc, "caps") : NULL;
                for (size_t k = 0; v && k < json_object_array_length(v); k++)
                        skip |= !in_list(caps, json_object_get_string(
                                                       json_object_array_get_idx(v, k)));
                v = exc ? json_object_object_get(exc, "caps") : NULL;
                for (size_t k = 0; v && k < json_object_array_length(v); k++)
                        skip |= in_list(caps, json_object_get_string(
                                                      json_object_array_get_idx(v, k)));
                if (skip)
                        continue;

                names = json_object_object_get(e, "names");
                r->names = calloc(json_object_array_length(names) + 1, sizeof(char *));
                if (!r->names)
                        return -ENOMEM;
                for (size_t k = 0; k < json_object_array_length(names); k++)
                        r->names[k] = (char *)json_object_get_string(
                                json_object_array_get_idx(names, k));
                r->action = (char *)json_object_get_string(json_object_object_get(e, "action"));
                if ((v = json_object_object_get(e, "errnoRet"))) {
                        r->has_errno_ret = true;
                        r->errno_ret = json_object_get_int(v);
                }
                args = json_object_object_get(e, "args");
                r->n_args = args ? json_object_array_length(args) : 0;
                r->args = calloc(r->n_args + 1, sizeof(SpecSeccompArg));
                if (!r->args)
                        return -ENOMEM;
                for (size_t k = 0; k < r->n_args; k++) {
                        struct json_object *a = json_object_array_get_idx(args, k);
                        r->args[k] = (SpecSeccompArg){
                                .index = json_object_get_int(json_object_object_get(a, "index")),
                                .value = (uint64_t)json_object_get_uint64(
                                        json_object_object_get(a, "value")),
                                .value_two = (uint64_t)json_object_get_uint64(
                                        json_object_object_get(a, "valueTwo")),
                                .op = (char *)json_object_get_string(
                                        json_object_object_get(a, "op")),
                        };
                }
                p->s.n_syscalls++;
        }
        return 0;
}

static int child_podman(void)
{
        if (getpid() <= 0)
                return 1;
        /* NETLINK_AUDIT sockets: errnoRet 22 without CAP_AUDIT_WRITE; others allowed */
        if (sys_errno(syscall(SYS_socket, 16L, 3L, 9L)) != EINVAL)
                return 2;
        long fd = syscall(SYS_socket, 1L, 1L, 0L);
        if (fd < 0)
                return 3;
        close((int)fd);
        /* personality: only the listed values; others get the default ENOSYS */
        if (sys_errno(syscall(SYS_personality, 0xffffffffUL)) != 0)
                return 4;
        if (sys_errno(syscall(SYS_personality, 0x20UL)) != ENOSYS)
                return 5;
        /* the explicit deny list: EPERM */
        if (sys_errno(syscall(SYS_kexec_load, 0UL, 0UL, 0UL, 0UL)) != EPERM)
                return 6;
        return 0;
}

TEST(podman_default_profile)
{
        const char *path = getenv("SECCOMP_PODMAN_PROFILE") ?: "/usr/share/containers/seccomp.json";
        __attribute__((cleanup(podman_profile_free))) PodmanProfile p = {};
        uint32_t nrs[ELEMENTSOF(pool) * 8];
        size_t names = 0, n_ours, n_nrs;
        const int rounds = 500;
        double t0, t1;

        if (access(path, R_OK) < 0 || seccomp_arch_native() != SCMP_ARCH_X86_64)
                return TEST_SKIP;
        ASSERT_OK(podman_profile_load(path, &p));
        for (size_t i = 0; i < p.s.n_syscalls; i++)
                for (size_t j = 0; p.s.syscalls[i].names[j]; j++)
                        names++;

        t0 = now_us();
        for (int i = 0; i < rounds; i++)
                syscall_filter_free(build_or_null(&p.s));
        t1 = now_us();

        _cleanup_syscall_filter_ SyscallFilter *f = build_or_null(&p.s);
        ASSERT_NOT_NULL(f);
        const struct sock_filter *ours = syscall_filter_program(f, &n_ours);
        printf("# %s: %zu rules, %zu names, x86_64+x86+x32: %zu instructions, built in %.0f us\n",
               path, p.s.n_syscalls, names, n_ours, (t1 - t0) / rounds);

        /* Every name of the profile on each architecture, and random numbers. */
        n_nrs = pool_numbers(nrs);
        for (size_t i = 0; i < p.s.n_syscalls; i++)
                for (size_t j = 0; p.s.syscalls[i].names[j]; j++) {
                        static const uint32_t tokens[] = { SCMP_ARCH_X86_64, SCMP_ARCH_X86,
                                                           SCMP_ARCH_X32 };
                        for (size_t t = 0; t < 3; t++) {
                                int nr = seccomp_syscall_resolve_name_arch(
                                        tokens[t], p.s.syscalls[i].names[j]);
                                if (nr < 0)
                                        continue;
                                for (int k = 0; k < 20; k++) {
                                        struct seccomp_data d;
                                        random_data(&d, nrs, n_nrs);
                                        d.nr = nr;
                                        d.arch = t == 1 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64;
                                        if (k < 4) /* personality and socket values */
                                                d.args[0] = (uint64_t[]){ 0, 8, 16, 0xffffffff }[k],
                                                d.args[2] = 9;
                                        uint32_t want = oracle(&p.s, p.def, &d),
                                                 got = bpf_run(ours, n_ours, &d);
                                        if (want != got)
                                                TAP_FAIL("%s on arch 0x%x: want 0x%x, got 0x%x",
                                                         p.s.syscalls[i].names[j], d.arch, want,
                                                         got);
                                }
                        }
                }

        int st = run_filtered(f, child_podman);
        ASSERT_TRUE(EXITED(st, 0));
        return 0;
}

#if defined(__x86_64__)
/* A 32-bit syscall from 64-bit code: the kernel filters it as AUDIT_ARCH_I386. */
static long int80(long nr, long a, long b, long c)
{
        long ret;
        __asm__ volatile("int $0x80"
                         : "=a"(ret)
                         : "a"(nr), "b"(a), "c"(b), "d"(c)
                         : "memory", "r8", "r9", "r10", "r11");
        return ret;
}

static int child_compat(void)
{
        if (sys_errno(syscall(SYS_getppid)) != EL2HLT)
                return 1;
        if (int80(64 /* i386 getppid */, 0, 0, 0) != -EL2HLT)
                return 2;
        if (int80(20 /* i386 getpid */, 0, 0, 0) != getpid())
                return 3;
        /* socket through socketcall(SYS_SOCKET, ...) and directly (i386 359) */
        if (int80(102, 1, 0, 0) != -EL3HLT || int80(359, 1, 1, 0) != -EL3HLT)
                return 4;
        /* socketcall(SYS_BIND) is not ruled: it reaches the kernel (EFAULT on the NULL args) */
        if (int80(102, 2, 0, 0) == -EL3HLT)
                return 5;
        /* x32 getppid: filtered before the kernel looks for x32 support */
        if (sys_errno(syscall(X32_BIT | 110)) != EL2HLT)
                return 6;
        return 0;
}

static int child_x32_not_listed(void)
{
        syscall(X32_BIT | 39);
        return 0;
}

/* The x86 and x32 sections of the program, run by the kernel. */
TEST(compat_abis_in_the_kernel)
{
        SpecSeccompSyscall rules[] = {
                RULE(NAMES("getppid"), "SCMP_ACT_ERRNO", .has_errno_ret = true,
                     .errno_ret = EL2HLT),
                RULE(NAMES("socket"), "SCMP_ACT_ERRNO", .has_errno_ret = true,
                     .errno_ret = EL3HLT),
        };
        SpecSeccomp s = { .default_action = (char *)"SCMP_ACT_ALLOW",
                          .architectures = NAMES("SCMP_ARCH_X86", "SCMP_ARCH_X32"),
                          .syscalls = rules,
                          .n_syscalls = ELEMENTSOF(rules) };
        SpecSeccomp native = { .default_action = (char *)"SCMP_ACT_ALLOW", .syscalls = rules,
                               .n_syscalls = ELEMENTSOF(rules) };
        _cleanup_syscall_filter_ SyscallFilter *f = build_or_null(&s), *g = build_or_null(&native);
        int st;

        ASSERT_NOT_NULL(f);
        ASSERT_NOT_NULL(g);
        /* int 0x80 needs IA32 emulation in the kernel: probe it in a child, it may fault */
        pid_t pid = fork();
        ASSERT_OK(pid);
        if (pid == 0)
                _exit(int80(20, 0, 0, 0) == getpid() ? 0 : 1);
        ASSERT_EQ(waitpid(pid, &st, 0), pid);
        if (!EXITED(st, 0))
                return TEST_SKIP;

        st = run_filtered(f, child_compat);
        if (!EXITED(st, 0))
                TAP_FAIL("child status 0x%x", st);
        /* x32 not listed: an x32 syscall is a bad architecture, the thread is killed */
        st = run_filtered(g, child_x32_not_listed);
        ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
        return 0;
}
#endif

TEST(spec_allows_only_unconditional_allow)
{
        SpecSeccompSyscall allow_w[] = { RULE(NAMES("write", "fcntl"), "SCMP_ACT_ALLOW") };
        SpecSeccompSyscall deny_x[] = { RULE(NAMES("execveat"), "SCMP_ACT_ERRNO") };
        SpecSeccompSyscall log_x[] = { RULE(NAMES("execveat"), "SCMP_ACT_LOG") };
        SpecSeccompSyscall args_w[] = {
                RULE(NAMES("write"), "SCMP_ACT_ALLOW", ARGS(ARG(0, "SCMP_CMP_EQ", 1))),
        };
        SpecSeccomp allowlist = { .default_action = (char *)"SCMP_ACT_ERRNO",
                                  .syscalls = allow_w, .n_syscalls = 1 };
        SpecSeccomp denylist = { .default_action = (char *)"SCMP_ACT_ALLOW",
                                 .syscalls = deny_x, .n_syscalls = 1 };
        SpecSeccomp logged = { .default_action = (char *)"SCMP_ACT_KILL",
                               .syscalls = log_x, .n_syscalls = 1 };
        SpecSeccomp with_args = { .default_action = (char *)"SCMP_ACT_ALLOW",
                                  .syscalls = args_w, .n_syscalls = 1 };

        ASSERT_TRUE(syscall_filter_spec_allows(NULL, "execveat"));
        ASSERT_TRUE(syscall_filter_spec_allows(&allowlist, "write"));
        ASSERT_FALSE(syscall_filter_spec_allows(&allowlist, "execveat")); /* default denies */
        ASSERT_FALSE(syscall_filter_spec_allows(&denylist, "execveat"));
        ASSERT_TRUE(syscall_filter_spec_allows(&denylist, "write"));      /* default allows */
        ASSERT_TRUE(syscall_filter_spec_allows(&logged, "execveat"));
        ASSERT_FALSE(syscall_filter_spec_allows(&logged, "write"));
        ASSERT_FALSE(syscall_filter_spec_allows(&with_args, "write"));    /* conditional */
        return 0;
}
