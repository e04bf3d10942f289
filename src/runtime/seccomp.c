/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * linux.seccomp: libseccomp turns the profile into a BPF program at create time, so every error
 * (unknown action, architecture, flag, bad rule) is reported before the container exists, and
 * the container's init only makes one seccomp(2) call with the finished program. Loading it
 * ourselves, as runc does, also gives every kernel filter flag (WAIT_KILLABLE_RECV needs
 * libseccomp 2.6 otherwise) and no libseccomp work in the child at all.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "seccomp.h"

#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

#define SPEC_PATH "linux.seccomp"
#define N_SYSCALL_ARGS 6

struct SeccompFilter {
        struct sock_filter *insns;
        unsigned short n_insns;
        unsigned long flags; /* SECCOMP_FILTER_FLAG_* from linux.seccomp.flags */
        bool notify;         /* some rule is SCMP_ACT_NOTIFY: load with NEW_LISTENER */
};

typedef enum ActionKind {
        ACTION_PLAIN,
        ACTION_WITH_ERRNO, /* ERRNO and TRACE take errnoRet, EPERM by default (as runc) */
} ActionKind;

static const struct {
        const char *name;
        uint32_t action;
        ActionKind kind;
} action_table[] = {
        { "SCMP_ACT_KILL", SCMP_ACT_KILL, ACTION_PLAIN },
        { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, ACTION_PLAIN },
        { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, ACTION_PLAIN },
        { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, ACTION_PLAIN },
        { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), ACTION_WITH_ERRNO },
        { "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), ACTION_WITH_ERRNO },
        { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, ACTION_PLAIN },
        { "SCMP_ACT_LOG", SCMP_ACT_LOG, ACTION_PLAIN },
        { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, ACTION_PLAIN },
};

const char *const seccomp_actions[] = {
        "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
        "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
        "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY",
        NULL,
};

static const struct {
        const char *name;
        enum scmp_compare op;
} operator_table[] = {
        { "SCMP_CMP_NE", SCMP_CMP_NE },
        { "SCMP_CMP_LT", SCMP_CMP_LT },
        { "SCMP_CMP_LE", SCMP_CMP_LE },
        { "SCMP_CMP_EQ", SCMP_CMP_EQ },
        { "SCMP_CMP_GE", SCMP_CMP_GE },
        { "SCMP_CMP_GT", SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

const char *const seccomp_operators[] = {
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
        "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};

/* The architectures this libseccomp knows; newer ones appear when it is built against 2.6. */
#define ARCHS(X)                                                                                   \
        X(X86)                                                                                     \
        X(X86_64)                                                                                  \
        X(X32)                                                                                     \
        X(ARM)                                                                                     \
        X(AARCH64)                                                                                 \
        X(MIPS)                                                                                    \
        X(MIPS64)                                                                                  \
        X(MIPS64N32)                                                                               \
        X(MIPSEL)                                                                                  \
        X(MIPSEL64)                                                                                \
        X(MIPSEL64N32)                                                                             \
        X(PPC)                                                                                     \
        X(PPC64)                                                                                   \
        X(PPC64LE)                                                                                 \
        X(S390)                                                                                    \
        X(S390X)                                                                                   \
        X(PARISC)                                                                                  \
        X(PARISC64)                                                                                \
        X(RISCV64)                                                                                 \
        ARCHS_OPTIONAL(X)

#ifdef SCMP_ARCH_LOONGARCH64
#define ARCH_LOONGARCH64(X) X(LOONGARCH64)
#else
#define ARCH_LOONGARCH64(X)
#endif
#ifdef SCMP_ARCH_M68K
#define ARCH_M68K(X) X(M68K)
#else
#define ARCH_M68K(X)
#endif
#ifdef SCMP_ARCH_SH
#define ARCH_SH(X) X(SH) X(SHEB)
#else
#define ARCH_SH(X)
#endif
#define ARCHS_OPTIONAL(X) ARCH_LOONGARCH64(X) ARCH_M68K(X) ARCH_SH(X)

#define ARCH_ENTRY(a) { "SCMP_ARCH_" #a, SCMP_ARCH_##a },
#define ARCH_NAME(a) "SCMP_ARCH_" #a,

static const struct {
        const char *name;
        uint32_t token;
} arch_table[] = { ARCHS(ARCH_ENTRY) };

const char *const seccomp_archs[] = { ARCHS(ARCH_NAME) NULL };

static const struct {
        const char *name;
        unsigned long flag;
} flag_table[] = {
        { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
        { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
        { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
        { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

const char *const seccomp_flags[] = {
        "SECCOMP_FILTER_FLAG_TSYNC",
        "SECCOMP_FILTER_FLAG_LOG",
        "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
        NULL,
};

static void seccomp_ctxp(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}

/* The action of name with its errno: path names the action member, errno_path the errnoRet. */
static int parse_action(const char *name, bool has_errno_ret, uint32_t errno_ret,
                        const char *path, const char *errno_path, uint32_t *ret,
                        BerthError **err)
{
        if (!name)
                return berth_error(err, 0, "%s: missing seccomp action", path);
        for (size_t i = 0; i < ELEMENTSOF(action_table); i++) {
                if (!streq(name, action_table[i].name))
                        continue;
                if (action_table[i].kind == ACTION_PLAIN) {
                        /* runc ignores errnoRet on actions without one; so do we. */
                        *ret = action_table[i].action;
                        return 0;
                }
                if (!has_errno_ret)
                        errno_ret = EPERM;
                /* The kernel has 16 bits for it; masking would turn 65537 into 1 silently. */
                if (errno_ret > 0xffff)
                        return berth_error(err, 0, "%s: %" PRIu32 " is out of range (at most 65535)",
                                           errno_path, errno_ret);
                *ret = action_table[i].action | errno_ret;
                return 0;
        }
        return berth_error(err, 0, "%s: unknown seccomp action \"%s\"", path, name);
}

static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, const struct scmp_arg_cmp *cmp,
                    size_t n_cmp, bool split, const char *path, const char *name,
                    BerthError **err)
{
        int r;

        /* runc and crun: when two conditions test the same argument, AND-ing them in one rule is
         * rarely what the profile means (libseccomp refused it before 2.4), so each condition
         * becomes a rule of its own and they are OR-ed. */
        if (split) {
                for (size_t k = 0; k < n_cmp; k++) {
                        r = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[k]);
                        if (r < 0)
                                return berth_error(err, r, "%s: adding the rule for \"%s\"", path,
                                                   name);
                }
                return 0;
        }
        r = seccomp_rule_add_array(ctx, action, nr, n_cmp, cmp);
        if (r < 0)
                return berth_error(err, r, "%s: adding the rule for \"%s\"", path, name);
        return 0;
}

static int add_syscall_rule(scmp_filter_ctx ctx, const SpecSeccompSyscall *c, size_t i,
                            uint32_t default_action, bool *notify, BerthError **err)
{
        char path[96], sub[160];
        struct scmp_arg_cmp stack_cmp[N_SYSCALL_ARGS * 2];
        _cleanup_free_ struct scmp_arg_cmp *heap_cmp = NULL;
        struct scmp_arg_cmp *cmp = stack_cmp;
        unsigned count[N_SYSCALL_ARGS] = {};
        bool split = false;
        uint32_t action;
        int r;

        snprintf(path, sizeof(path), SPEC_PATH ".syscalls[%zu]", i);
        snprintf(sub, sizeof(sub), "%s.action", path);
        char errno_path[160];
        snprintf(errno_path, sizeof(errno_path), "%s.errnoRet", path);
        r = parse_action(c->action, c->has_errno_ret, c->errno_ret, sub, errno_path, &action, err);
        if (r < 0)
                return r;

        if (c->n_args > ELEMENTSOF(stack_cmp)) {
                heap_cmp = calloc(c->n_args, sizeof(*heap_cmp));
                if (!heap_cmp)
                        return berth_error(err, -ENOMEM, "%s.args", path);
                cmp = heap_cmp;
        }
        for (size_t k = 0; k < c->n_args; k++) {
                const SpecSeccompArg *a = &c->args[k];
                size_t o;

                if (a->index >= N_SYSCALL_ARGS)
                        return berth_error(err, 0,
                                           "%s.args[%zu].index: must be between 0 and 5, got %" PRIu32,
                                           path, k, a->index);
                for (o = 0; o < ELEMENTSOF(operator_table); o++)
                        if (a->op && streq(a->op, operator_table[o].name))
                                break;
                if (o == ELEMENTSOF(operator_table))
                        return berth_error(err, 0, "%s.args[%zu].op: unknown seccomp operator \"%s\"",
                                           path, k, a->op ? a->op : "");
                /* MASKED_EQ: value is the mask, valueTwo the value, as in libseccomp. Both are
                 * 64-bit all the way through. */
                cmp[k] = (struct scmp_arg_cmp){
                        .arg = a->index,
                        .op = operator_table[o].op,
                        .datum_a = a->value,
                        .datum_b = a->value_two,
                };
                if (++count[a->index] > 1)
                        split = true;
        }

        for (size_t j = 0; c->names && c->names[j]; j++) {
                const char *name = c->names[j];
                int nr;

                snprintf(sub, sizeof(sub), "%s.names[%zu]", path, j);
                if (!name[0])
                        return berth_error(err, 0, "%s: empty syscall name", sub);
                /* runc: a rule for the write syscall would deadlock the init, which writes to
                 * its parent after loading the filter and before anyone listens. */
                if (action == SCMP_ACT_NOTIFY && streq(name, "write"))
                        return berth_error(err, 0,
                                           "%s: SCMP_ACT_NOTIFY cannot be used for \"write\"", sub);
                /* libseccomp refuses a rule that repeats the default action; runc skips it. */
                if (action == default_action)
                        continue;
                nr = seccomp_syscall_resolve_name(name);
                /* Unknown to libseccomp (a newer kernel's syscall): skipped, as runc and crun
                 * do, since shared profiles list syscalls of every kernel. */
                if (nr == __NR_SCMP_ERROR)
                        continue;
                r = add_rule(ctx, action, nr, cmp, c->n_args, split, sub, name, err);
                if (r < 0)
                        return r;
                if (action == SCMP_ACT_NOTIFY)
                        *notify = true;
        }
        return 0;
}

/* libseccomp 2.5 can only write the program to an fd. A memfd has no capacity limit, unlike a
 * pipe, whose buffer may be one page for users over pipe-user-pages-soft. */
static int export_bpf(scmp_filter_ctx ctx, SeccompFilter *f, BerthError **err)
{
        _cleanup_close_ int fd = -1;
        struct stat st;
        ssize_t n;
        int r;

        fd = memfd_create("berth-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return berth_error(err, errno, SPEC_PATH ": creating a memfd for the filter");
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return berth_error(err, r, SPEC_PATH ": generating the BPF program");
        if (fstat(fd, &st) < 0)
                return berth_error(err, errno, SPEC_PATH ": fstat of the filter memfd");
        if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) != 0)
                return berth_error(err, 0, SPEC_PATH ": libseccomp wrote a program of %jd bytes",
                                   (intmax_t)st.st_size);
        if ((size_t)st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return berth_error(err, 0,
                                   SPEC_PATH ": the filter has %zu instructions, the kernel takes at most %d",
                                   (size_t)st.st_size / sizeof(struct sock_filter), BPF_MAXINSNS);
        f->insns = malloc(st.st_size);
        if (!f->insns)
                return berth_error(err, -ENOMEM, SPEC_PATH ": the BPF program");
        n = pread(fd, f->insns, st.st_size, 0);
        if (n != st.st_size)
                return berth_error(err, n < 0 ? errno : EIO, SPEC_PATH ": reading the BPF program");
        f->n_insns = st.st_size / sizeof(struct sock_filter);
        return 0;
}

int seccomp_filter_build(const SpecSeccomp *s, SeccompFilter **ret, BerthError **err)
{
        __attribute__((cleanup(seccomp_ctxp))) scmp_filter_ctx ctx = NULL;
        _cleanup_seccomp_filter_ SeccompFilter *f = NULL;
        uint32_t default_action;
        int r;

        r = parse_action(s->default_action, s->has_default_errno_ret, s->default_errno_ret,
                         SPEC_PATH ".defaultAction", SPEC_PATH ".defaultErrnoRet", &default_action,
                         err);
        if (r < 0)
                return r;
        /* runc refuses it too: the init's own syscalls until execve would wait on a listener
         * that only learns of the fd after them. */
        if (default_action == SCMP_ACT_NOTIFY)
                return berth_error(err, 0,
                                   SPEC_PATH ".defaultAction: SCMP_ACT_NOTIFY cannot be the default action");

        f = calloc(1, sizeof(*f));
        if (!f)
                return berth_error(err, -ENOMEM, SPEC_PATH);

        for (size_t i = 0; s->flags && s->flags[i]; i++) {
                size_t k;
                for (k = 0; k < ELEMENTSOF(flag_table); k++)
                        if (streq(s->flags[i], flag_table[k].name))
                                break;
                if (k == ELEMENTSOF(flag_table))
                        return berth_error(err, 0, SPEC_PATH ".flags[%zu]: unknown seccomp flag \"%s\"",
                                           i, s->flags[i]);
                f->flags |= flag_table[k].flag;
        }

        ctx = seccomp_init(default_action);
        if (!ctx)
                return berth_error(err, 0,
                                   SPEC_PATH ".defaultAction: \"%s\" is not supported by the kernel or libseccomp",
                                   s->default_action);
        /* Real errno values from libseccomp instead of a blanket -ECANCELED. */
        (void)seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);

        for (size_t i = 0; s->architectures && s->architectures[i]; i++) {
                size_t k;
                for (k = 0; k < ELEMENTSOF(arch_table); k++)
                        if (streq(s->architectures[i], arch_table[k].name))
                                break;
                if (k == ELEMENTSOF(arch_table))
                        return berth_error(err, 0,
                                           SPEC_PATH ".architectures[%zu]: unknown seccomp architecture \"%s\"",
                                           i, s->architectures[i]);
                r = seccomp_arch_add(ctx, arch_table[k].token);
                if (r < 0 && r != -EEXIST) /* the native one is there from the start */
                        return berth_error(err, r, SPEC_PATH ".architectures[%zu]: adding \"%s\"", i,
                                           s->architectures[i]);
        }

        for (size_t i = 0; i < s->n_syscalls; i++) {
                r = add_syscall_rule(ctx, &s->syscalls[i], i, default_action, &f->notify, err);
                if (r < 0)
                        return r;
        }

        /* A binary search over the syscall numbers instead of a linear chain: with a profile of
         * a few hundred syscalls this shortens every syscall's path through the filter. */
        if (s->n_syscalls > 8)
                (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

        r = export_bpf(ctx, f, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(f);
        return 0;
}

int seccomp_filter_load(SeccompFilter *f, int *ret_notify_fd, BerthError **err)
{
        struct sock_fprog prog = { .len = f->n_insns, .filter = f->insns };
        unsigned long flags = f->flags;
        long r;

        if (f->notify) {
                flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
                /* TSYNC alone would report a failed sync by thread id, in the return value
                 * that NEW_LISTENER needs for the fd (kernel 5.7+). */
                if (flags & SECCOMP_FILTER_FLAG_TSYNC)
                        flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
        }
        r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
        if (r < 0) {
                if (errno == EACCES)
                        return berth_error(err, errno,
                                           "loading the seccomp filter (needs CAP_SYS_ADMIN or no_new_privs)");
                if (errno == EINVAL && flags != 0)
                        return berth_error(err, errno,
                                           "loading the seccomp filter with flags 0x%lx (kernel too old for one of linux.seccomp.flags?)",
                                           flags);
                return berth_error(err, errno, "loading the seccomp filter");
        }
        if (!f->notify && r > 0) /* TSYNC: the thread that could not be synchronized */
                return berth_error(err, 0,
                                   "loading the seccomp filter: thread %ld could not be synchronized",
                                   r);
        if (ret_notify_fd)
                *ret_notify_fd = f->notify ? (int)r : -1;
        else if (f->notify)
                safe_close((int)r);
        return 0;
}

void seccomp_filter_free(SeccompFilter *f)
{
        if (!f)
                return;
        free(f->insns);
        free(f);
}

static void json_putp(struct json_object **o)
{
        if (*o)
                json_object_put(*o);
}

static int send_all_with_fd(int sock, const char *buf, size_t len, int fd)
{
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        bool fd_sent = false;

        while (len > 0) {
                struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
                ssize_t n;

                if (!fd_sent) {
                        mh.msg_control = control.buf;
                        mh.msg_controllen = sizeof(control.buf);
                        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                        c->cmsg_level = SOL_SOCKET;
                        c->cmsg_type = SCM_RIGHTS;
                        c->cmsg_len = CMSG_LEN(sizeof(int));
                        memcpy(CMSG_DATA(c), &fd, sizeof(int));
                }
                n = sendmsg(sock, &mh, MSG_NOSIGNAL);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                fd_sent = true;
                buf += n;
                len -= n;
        }
        return 0;
}

int seccomp_send_listener(const char *listener_path, const char *metadata, int notify_fd,
                          const char *state_json, BerthError **err)
{
        __attribute__((cleanup(json_putp))) struct json_object *state = NULL, *msg = NULL;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int sock = -1;
        struct json_object *v, *fds;
        const char *text;
        size_t len;
        int r;

        if (strlen(listener_path) >= sizeof(sa.sun_path))
                return berth_error(err, 0, SPEC_PATH ".listenerPath: \"%s\" is too long for a socket",
                                   listener_path);
        memcpy(sa.sun_path, listener_path, strlen(listener_path) + 1);

        state = json_tokener_parse(state_json);
        if (!state || !json_object_is_type(state, json_type_object))
                return berth_error(err, 0, "seccomp listener: the container state is not a JSON object");

        /* specs.ContainerProcessState, members in runc's order. */
        msg = json_object_new_object();
        fds = json_object_new_array();
        if (!msg || !fds) {
                json_object_put(fds);
                return berth_error(err, -ENOMEM, "seccomp listener message");
        }
        v = json_object_object_get(state, "ociVersion");
        json_object_object_add(msg, "ociVersion", v ? json_object_get(v)
                                                    : json_object_new_string("1.2.0"));
        json_object_array_add(fds, json_object_new_string("seccompFd"));
        json_object_object_add(msg, "fds", fds);
        v = json_object_object_get(state, "pid");
        json_object_object_add(msg, "pid", v ? json_object_get(v) : json_object_new_int(0));
        if (metadata && metadata[0])
                json_object_object_add(msg, "metadata", json_object_new_string(metadata));
        json_object_object_add(msg, "state", json_object_get(state));

        text = json_object_to_json_string_length(msg, JSON_C_TO_STRING_PLAIN, &len);
        if (!text)
                return berth_error(err, -ENOMEM, "seccomp listener message");

        sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0)
                return berth_error(err, errno, "seccomp listener: socket");
        if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return berth_error(err, errno, SPEC_PATH ".listenerPath: connecting to \"%s\"",
                                   listener_path);
        r = send_all_with_fd(sock, text, len, notify_fd);
        if (r < 0)
                return berth_error(err, r, SPEC_PATH ".listenerPath: sending to \"%s\"",
                                   listener_path);
        return 0;
}
