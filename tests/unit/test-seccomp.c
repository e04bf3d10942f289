/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * linux.seccomp: filters are built in the test process and loaded in forked children, which
 * report what their syscalls returned through the exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "runtime/seccomp.h"
#include "tap.h"

#define NAMES(...) ((char *[]){ __VA_ARGS__, NULL })
#define RULE(n, a, ...) { .names = (n), .action = (char *)(a), __VA_ARGS__ }
#define ARGS(...)                                                                                  \
        .args = (SpecSeccompArg[]){ __VA_ARGS__ },                                                 \
        .n_args = sizeof((SpecSeccompArg[]){ __VA_ARGS__ }) / sizeof(SpecSeccompArg)
#define ARG(i, o, v, ...) { .index = (i), .op = (char *)(o), .value = (v), __VA_ARGS__ }

/* Status of a child that exited with code: children return an errno or 0. */
#define EXITED(st, code) (WIFEXITED(st) && WEXITSTATUS(st) == (code))

static SeccompFilter *build_or_null(const SpecSeccomp *s)
{
        _cleanup_error_ BerthError *err = NULL;
        SeccompFilter *f = NULL;

        if (seccomp_filter_build(s, &f, &err) < 0) {
                printf("# build failed: %s\n", err ? err->msg : "?");
                return NULL;
        }
        return f;
}

static char *build_error(const SpecSeccomp *s)
{
        _cleanup_error_ BerthError *err = NULL;
        SeccompFilter *f = NULL;

        if (seccomp_filter_build(s, &f, &err) >= 0) {
                seccomp_filter_free(f);
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
static int run_filtered(SeccompFilter *f, int (*fn)(void))
{
        int status = -1;
        pid_t pid = fork();

        if (pid < 0)
                return -1;
        if (pid == 0) {
                _cleanup_error_ BerthError *err = NULL;
                int fd = -1;

                child_prepare();
                if (seccomp_filter_load(f, &fd, &err) < 0) {
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
        _cleanup_seccomp_filter_ SeccompFilter *f = build_or_null(&s);

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
        _cleanup_seccomp_filter_ SeccompFilter *f = build_or_null(&s);

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
        _cleanup_seccomp_filter_ SeccompFilter *f = build_or_null(&s);

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
        };
        SpecSeccomp s = { .default_action = (char *)"SCMP_ACT_ALLOW", .syscalls = rules,
                          .n_syscalls = ELEMENTSOF(rules) };
        _cleanup_seccomp_filter_ SeccompFilter *f = build_or_null(&s);

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
                _cleanup_seccomp_filter_ SeccompFilter *f = build_or_null(&s);

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
        _cleanup_seccomp_filter_ SeccompFilter *f = build_or_null(&s);

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
        SpecSeccompSyscall notify_write[] = { RULE(NAMES("read", "write"), "SCMP_ACT_NOTIFY") };
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
                { { .default_action = (char *)def, .syscalls = notify_write, .n_syscalls = 1 },
                  "linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for \"write\"" },
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
        _cleanup_seccomp_filter_ SeccompFilter *f = build_or_null(&s);

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
        _cleanup_seccomp_filter_ SeccompFilter *f = build_or_null(&s);

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
        _cleanup_seccomp_filter_ SeccompFilter *f = build_or_null(&s);
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
                if (seccomp_filter_load(f, &fd, &err) < 0 || fd < 0)
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
        _cleanup_seccomp_filter_ SeccompFilter *f2 = build_or_null(&s2);
        ASSERT_NOT_NULL(f2);
        pid = fork();
        ASSERT_OK(pid);
        if (pid == 0) {
                int fd = 123;
                child_prepare();
                _exit(seccomp_filter_load(f2, &fd, NULL) < 0 ? 2 : fd == -1 ? 0 : 1);
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
        ASSERT_OK(seccomp_send_listener(
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
        ASSERT_FAIL(seccomp_send_listener(path, NULL, pipefd[0], "{}", &err));
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
                SeccompFilter *f = build_or_null(&p.s);
                if (!f) {
                        big_profile_done(&p);
                        TAP_FAIL("round %d failed", i);
                }
                seccomp_filter_free(f);
        }
        t1 = now_us();
        printf("# build of %zu names, native arch: %.0f us per filter\n", p.n_names,
               (t1 - t0) / rounds);

        if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
                p.s.architectures = archs_x86;
                t0 = now_us();
                for (int i = 0; i < rounds; i++)
                        seccomp_filter_free(build_or_null(&p.s));
                t1 = now_us();
                printf("# build of %zu names, x86_64+x86+x32 (podman's amd64 set): %.0f us per filter\n",
                       p.n_names, (t1 - t0) / rounds);
        }

        SeccompFilter *f = build_or_null(&p.s);
        big_profile_done(&p);
        ASSERT_NOT_NULL(f);
        st = run_filtered(f, child_big);
        seccomp_filter_free(f);
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
        _cleanup_seccomp_filter_ SeccompFilter *f = build_or_null(&s);

        ASSERT_NOT_NULL(f);
        int st = run_filtered(f, child_wait_killable);
        if (EXITED(st, 250)) /* kernel before 5.19 */
                return TEST_SKIP;
        ASSERT_TRUE(EXITED(st, 0));
        return 0;
}
