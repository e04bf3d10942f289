/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's init from clone() to execve(): namespaces, rootfs, terminal, credentials,
 * then it waits to be started. Every failure is reported to the runtime over the sync socket
 * before _exit(): the init never prints.
 */
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "basic/chase.h"
#include "basic/fs-util.h"
#include "basic/passwd.h"
#include "basic/process-util.h"
#include "basic/string-util.h"
#include "runtime/caps.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/cloned-binary.h"
#include "runtime/container.h"
#include "runtime/exec-stub.h"
#include "runtime/hooks.h"
#include "runtime/namespaces.h"
#include "runtime/process.h"
#include "runtime/rootfs.h"
#include "runtime/scheduler.h"
#include "runtime/seccomp/seccomp.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"

_noreturn_ static void fail(int fd, BerthError *err)
{
        sync_fail(fd, err, 1);
}

static int set_hostname(const Spec *s, BerthError **err)
{
        bool new_uts = s->linux_ && s->linux_->namespaces[SPEC_NS_UTS].present;

        if ((s->hostname || s->domainname) && !new_uts)
                return berth_error(err, 0, "hostname and domainname need a UTS namespace in "
                                           "linux.namespaces");
        if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
                return berth_error(err, errno, "hostname: set \"%s\"", s->hostname);
        if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
                return berth_error(err, errno, "domainname: set \"%s\"", s->domainname);
        return 0;
}

/* The namespace a sysctl belongs to, as runc's validator has it; -1: not namespaced. Only
 * these may be set, and only in a namespace of the container's own, never the host's. */
static int sysctl_namespace(const char *k)
{
        static const char *const ipc[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
                                           "kernel.sem",    "kernel.shmall", "kernel.shmmax",
                                           "kernel.shmmni", "kernel.shm_rmid_forced" };
        for (size_t i = 0; i < ELEMENTSOF(ipc); i++)
                if (streq(k, ipc[i]))
                        return SPEC_NS_IPC;
        if (startswith(k, "fs.mqueue."))
                return SPEC_NS_IPC;
        if (startswith(k, "net."))
                return SPEC_NS_NETWORK;
        if (streq(k, "kernel.domainname"))
                return SPEC_NS_UTS;
        return -1;
}

/* A new network namespace comes with lo down; runc and crun bring it up. */
static int loopback_up(BerthError **err)
{
        struct ifreq ifr = { .ifr_name = "lo" };
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return berth_error(err, errno, "bring up lo: socket");
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return berth_error(err, errno, "bring up lo: get its flags");
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                return berth_error(err, errno, "bring up lo");
        return 0;
}

static int set_sysctls(const SpecLinux *l, BerthError **err)
{
        for (size_t i = 0; l && i < l->n_sysctl; i++) {
                const char *k = l->sysctl[i].key;
                char path[512];
                if (strstr(k, "..") || k[0] == '/' || k[0] == '.')
                        return berth_error(err, 0, "linux.sysctl: invalid key \"%s\"", k);
                int ns = sysctl_namespace(k);
                if (ns < 0)
                        return berth_error(err, 0,
                                           "linux.sysctl: \"%s\" is not in a kernel namespace "
                                           "a container may own%s",
                                           k, streq(k, "kernel.hostname") ? " (use hostname)" : "");
                if (!l->namespaces[ns].present)
                        return berth_error(err, 0,
                                           "linux.sysctl: \"%s\" needs a %s namespace of the "
                                           "container's own in linux.namespaces",
                                           k, spec_namespace_name(ns));
                int n = snprintf(path, sizeof(path), "/proc/sys/%s", k);
                if (n >= (int)sizeof(path))
                        return berth_error(err, ENAMETOOLONG, "linux.sysctl.%s", k);
                for (char *p = path + strlen("/proc/sys/"); *p; p++)
                        if (*p == '.')
                                *p = '/';
                int r = fs_write_string_file(path, l->sysctl[i].value);
                if (r < 0)
                        return berth_error(err, r, "linux.sysctl: set %s to \"%s\"", k,
                                           l->sysctl[i].value);
        }
        return 0;
}

static int enter_cgroup(RootfsContext *rc, BerthError **err)
{
        const InitArgs *a = rc->userdata;

        if (rc->cgroup_entered)
                return 0;
        int fds[SYNC_MAX_FDS];
        size_t n_fds = 0;
        SyncMsg m = {};
        int r = sync_recv_fds(a->sync_fd, &m, fds, ELEMENTSOF(fds), &n_fds);
        if (r < 0 || m.type != SYNC_CGROUP)
                _exit(1); /* the runtime failed and says why itself */
        r = cgroup_join_self(fds, n_fds, m.text, err);
        for (size_t i = 0; i < n_fds; i++)
                safe_close(fds[i]);
        sync_msg_done(&m);
        if (r < 0)
                return r;
        r = rootfs_capture_cgroups(rc, err);
        if (r < 0)
                return r;
        if (rc->new_cgroupns && unshare(CLONE_NEWCGROUP) < 0)
                return berth_error(err, errno, "create cgroup namespace");
        rc->cgroup_entered = true;
        return 0;
}

static int wait_start(const InitArgs *a, int *ret_fd, BerthError **err)
{
        SyncMsg m = {};
        int fd = a->sync_fd;

        if (a->listen_fd >= 0) {
                do
                        fd = accept4(a->listen_fd, NULL, NULL, SOCK_CLOEXEC);
                while (fd < 0 && errno == EINTR);
                if (fd < 0)
                        return berth_error(err, errno, "wait for start");
                safe_close(a->listen_fd);
        }
        *ret_fd = fd;
        int r = sync_expect(fd, SYNC_START, &m, NULL, NULL);
        if (r < 0)
                return berth_error(err, r, "wait for start");
        sync_msg_done(&m);
        return 0;
}

/* Credentials and namespaces first, then what lives in them: lo, hostname, sysctls. */
static int init_namespaces(const InitArgs *a, RootfsContext *rc, BerthError **err)
{
        const Spec *s = a->spec;
        const SpecLinux *l = s->linux_;

        rc->userns = l && l->namespaces[SPEC_NS_USER].present;
        rc->new_cgroupns = l && l->namespaces[SPEC_NS_CGROUP].present &&
                           !l->namespaces[SPEC_NS_CGROUP].path;
        if (rc->userns && !l->namespaces[SPEC_NS_USER].path) {
                /* Become the namespace's root; container uid 0 may not be mapped. */
                if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
                        return berth_error(err, errno, "setgid 0 in the user namespace");
                if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
                        return berth_error(err, errno, "setuid 0 in the user namespace");
                sync_die_with_runtime(a->sync_fd); /* a new uid cleared the death signal */
        }
        if (!a->joined_early) {
                static const SpecNamespaceType order[] = { SPEC_NS_IPC, SPEC_NS_UTS,
                                                           SPEC_NS_NETWORK, SPEC_NS_CGROUP,
                                                           SPEC_NS_TIME, SPEC_NS_MOUNT };
                int r = namespaces_join(l, order, ELEMENTSOF(order), err);
                if (r < 0)
                        return r;
        }
        if (l && l->namespaces[SPEC_NS_TIME].present && !l->namespaces[SPEC_NS_TIME].path) {
                int r = namespaces_enter_new_time(l, err);
                if (r < 0)
                        return r;
        }

        umask(0);
        bool new_net = l && l->namespaces[SPEC_NS_NETWORK].present &&
                       !l->namespaces[SPEC_NS_NETWORK].path;
        int r = new_net ? loopback_up(err) : 0;
        if (r >= 0)
                r = set_hostname(s, err);
        if (r >= 0)
                r = set_sysctls(l, err);
        if (r < 0)
                return r;
        if (!l || !l->namespaces[SPEC_NS_MOUNT].present)
                return berth_error(err, 0, "linux.namespaces: a mount namespace is required");
        return 0;
}

/* The rootfs up to the pivot, with the cgroup joined and the hooks of that stage run. */
static int init_rootfs(const InitArgs *a, RootfsContext *rc, const char *state, BerthError **err)
{
        const Spec *s = a->spec;
        const SpecProcess *p = s->process;
        int r;

        rc->enter_cgroup = enter_cgroup;
        rc->userdata = (void *)a;
        /* A joined mount namespace gets the rootfs set up inside it, as runc does. */
        r = rootfs_prepare(rc, err);
        if (r < 0)
                return r;
        /* Hooks and everything after run inside the container's cgroup. */
        r = enter_cgroup(rc, err);
        if (r < 0)
                return r;

        if (s->hooks[SPEC_HOOK_PRESTART].n || s->hooks[SPEC_HOOK_CREATE_RUNTIME].n) {
                sync_send(a->sync_fd, SYNC_HOOKS, 0, NULL, -1);
                _cleanup_free_ char *herr = NULL;
                if (sync_expect(a->sync_fd, SYNC_HOOKS_DONE, NULL, NULL, &herr) < 0)
                        _exit(1); /* the runtime reports its own hook failure */
        }
        /* Hooks run in the container get the container's environment, not ours, as with
         * runc: process.env here, the process's own (HOME and all) at startContainer. */
        static char *const no_env[] = { NULL };
        r = hooks_run_env(s, SPEC_HOOK_CREATE_CONTAINER, state, p && p->env ? p->env : no_env,
                          err);
        if (r < 0)
                return r;
        r = rootfs_pivot(rc, a->opts->no_pivot, err);
        if (r < 0)
                return r;
        return rootfs_finalize(rc, err);
}

/* The console (its master goes to the runtime) or a new session, then a read-only rootfs. */
static int init_terminal(const InitArgs *a, RootfsContext *rc, BerthError **err)
{
        const SpecProcess *p = a->spec->process;

        if (p && p->terminal) {
                _cleanup_free_ char *slave_path = NULL;
                _cleanup_close_ int master = -1, slave = -1;
                int r = terminal_open_pty(&master, &slave, &slave_path, err);
                if (r >= 0)
                        r = rootfs_bind_console(slave_path, err);
                if (r < 0)
                        return r;
                if (sync_send(a->sync_fd, SYNC_CONSOLE, 0, NULL, master) < 0)
                        _exit(1);
                r = terminal_make_controlling(slave, p->has_console_size ? p->console_height : 0,
                                              p->has_console_size ? p->console_width : 0, err);
                if (r < 0)
                        return r;
        } else if (setsid() < 0 && errno != EPERM)
                return berth_error(err, errno, "setsid");
        return rootfs_remount_readonly(rc, err);
}

/* Keyring, personality, and the process made ready to execute from the new root. */
static int init_process(const InitArgs *a, RootfsContext *rc, PreparedProcess *proc,
                        BerthError **err)
{
        const SpecLinux *l = a->spec->linux_;
        const SpecProcess *p = a->spec->process;

        if (!p)
                return berth_error(err, 0, "process: missing");
        if (!a->opts->no_new_keyring) {
                char name[128];
                snprintf(name, sizeof(name), "_ses.%s", a->opts->id);
                /* Keyrings may be disabled or unavailable in a user namespace: not fatal. */
                (void)syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0);
        }
        if (l->personality.present && l->personality.domain) {
                unsigned long pers = streq(l->personality.domain, "LINUX32") ? PER_LINUX32
                                                                              : PER_LINUX;
                if (personality(pers) < 0)
                        return berth_error(err, errno, "linux.personality");
        }
        if (rc->rootfd < 0 && (rc->rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
                return berth_error(err, errno, "open /");
        return process_prepare(p, rc->rootfd, a->n_listen_fds, a->seccomp, a->sync_fd, proc, err);
}

_noreturn_ static void container_init(const InitArgs *a)
{
        const Spec *s = a->spec;
        const SpecProcess *p = s->process;
        _cleanup_error_ BerthError *err = NULL;
        _cleanup_free_ char *state = NULL;
        _cleanup_(process_prepared_done) PreparedProcess proc = {};
        RootfsContext rc = { .spec = s, .rootfs = a->rootfs, .bundle = a->bundle, .rootfd = -1,
                             .devnull = -1 };
        SyncMsg go = {};
        int start_fd = -1, r;

        sync_die_with_runtime(a->sync_fd);
        if (p && p->exec_cpu_affinity_initial &&
            scheduler_set_affinity(p->exec_cpu_affinity_initial,
                                   "process.execCPUAffinity.initial", &err) < 0)
                fail(a->sync_fd, err);
        r = sync_recv(a->sync_fd, &go, NULL);
        if (r < 0 || go.type != SYNC_GO)
                _exit(1);
        state = TAKE_PTR(go.text);
        rc.source_fd = a->sync_fd;

        if (init_namespaces(a, &rc, &err) < 0 || init_rootfs(a, &rc, state, &err) < 0 ||
            init_terminal(a, &rc, &err) < 0 || init_process(a, &rc, &proc, &err) < 0)
                fail(a->sync_fd, err);
        rootfs_context_done(&rc);

        /* Created: from here on the runtime may exit, and so may we without taking it down. */
        prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
        if (sync_send(a->sync_fd, SYNC_READY, 0, NULL, -1) < 0)
                _exit(1);
        /* create: its runtime exits on READY, and `start` comes by exec.sock; nothing of the
         * runtime's stays open here. */
        int sync_fd = a->listen_fd >= 0 ? safe_close(a->sync_fd) : a->sync_fd;
        if (wait_start(a, &start_fd, &err) < 0)
                fail(start_fd >= 0 ? start_fd : sync_fd, err);
        if (hooks_run_env(s, SPEC_HOOK_START_CONTAINER, state, proc.env, &err) < 0)
                fail(start_fd, err);

        process_exec(&proc, a->n_listen_fds + a->opts->preserve_fds, a->exec_stub_fd, start_fd,
                     &err);
        fail(start_fd, err);
}

/* fds the copy of the runtime inherits: they must survive its execve(). */
static void keep_across_exec(int fd)
{
        if (fd >= 0)
                fcntl(fd, F_SETFD, 0);
}

_noreturn_ static void container_init_reexec(const InitArgs *a)
{
        char sync_fd[16];

        /* Non-dumpable from the start, as on the stub path; the copy is executed so that it
         * stays so (exec_sealed_nondumpable()). */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                _exit(1);
        const SpecLinux *l = a->spec->linux_;
        if (l && l->namespaces[SPEC_NS_USER].present && !l->namespaces[SPEC_NS_USER].path) {
                /* An execve() by an unmapped user would drop every capability in the new
                 * namespace: become its root first. Container uid 0 may not be mapped. */
                if (sync_expect(a->sync_fd, SYNC_MAPPED, NULL, NULL, NULL) < 0)
                        _exit(1);
                if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
                        _exit(1);
                if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
                        _exit(1);
                sync_die_with_runtime(a->sync_fd); /* a new uid cleared the death signal */
        }
        keep_across_exec(a->sync_fd);
        keep_across_exec(a->listen_fd);
        keep_across_exec(a->config_fd);
        /* Only what tells the init mode and where the rest comes from (SyncInitSettings). */
        snprintf(sync_fd, sizeof(sync_fd), "%d", a->sync_fd);
        char *argv[] = { (char *)"berth-runtime", (char *)"init", sync_fd, NULL };
        extern char **environ;
        _cleanup_error_ BerthError *err = NULL;
        /* The copy is made here, off the runtime's path: it is busy with the cgroup meanwhile. */
        _cleanup_close_ int exe = -1;
        int r = cloned_binary_memfd(&exe);
        if (r < 0) {
                berth_error(&err, r, "copy the runtime binary (CVE-2019-5736)");
                fail(a->sync_fd, err);
        }
        if (fchmod(exe, 0111) < 0) {
                berth_error(&err, errno, "make the runtime's copy exec-only");
                fail(a->sync_fd, err);
        }
        r = exec_sealed_nondumpable(exe, argv, environ);
        berth_error(&err, r, "execute the sealed copy of the runtime");
        fail(a->sync_fd, err);
}

static int settings_put(SyncInitSettings *w, size_t *used, const char *str, uint16_t *ret_len)
{
        size_t n = strlen(str) + 1;

        if (n > sizeof(w->strings) - *used)
                return -ENAMETOOLONG;
        memcpy(w->strings + *used, str, n);
        *used += n;
        *ret_len = (uint16_t)n;
        return 0;
}

int container_init_send_settings(int fd, const InitArgs *a)
{
        SyncInitSettings w = {
                .head = { .type = SYNC_INIT_SETTINGS },
                .listen_fd = a->listen_fd,
                .config_fd = a->config_fd,
                .preserve_fds = a->opts->preserve_fds,
                .n_listen_fds = a->n_listen_fds,
                .no_pivot = a->opts->no_pivot,
                .no_new_keyring = a->opts->no_new_keyring,
                .joined_early = a->joined_early,
        };
        size_t used = 0;

        if (settings_put(&w, &used, a->opts->id, &w.id_len) < 0 ||
            settings_put(&w, &used, a->bundle, &w.bundle_len) < 0 ||
            settings_put(&w, &used, a->rootfs, &w.rootfs_len) < 0)
                return -ENAMETOOLONG;
        size_t len = offsetof(SyncInitSettings, strings) + used;
        ssize_t n;
        do
                n = send(fd, &w, len, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -errno : 0;
}

/* The settings datagram, checked whole: every string where its length says, NUL-terminated. */
static int settings_recv(int fd, SyncInitSettings *w)
{
        ssize_t n;

        do
                n = recv(fd, w, sizeof(*w), 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        size_t head = offsetof(SyncInitSettings, strings);
        if ((size_t)n < head || w->head.type != SYNC_INIT_SETTINGS)
                return -EBADMSG;
        size_t total = (size_t)w->id_len + w->bundle_len + w->rootfs_len;
        if (w->id_len == 0 || w->bundle_len == 0 || w->rootfs_len == 0 ||
            total != (size_t)n - head || w->strings[w->id_len - 1] ||
            w->strings[w->id_len + w->bundle_len - 1] || w->strings[total - 1])
                return -EBADMSG;
        return 0;
}

_noreturn_ void container_init_start(const InitArgs *a)
{
        _cleanup_error_ BerthError *err = NULL;
        _cleanup_seccomp_filter_ SeccompFilter *seccomp = NULL;
        _cleanup_close_ int stub = -1;

        /* The runtime's fds (the state directory, a cgroup, its end of the sync socket, whose
         * last copy must go with the runtime) are no business of the container's. */
        const int keep[] = { a->sync_fd, a->listen_fd, a->config_fd };
        process_close_fds_except(3 + (int)(a->n_listen_fds + a->opts->preserve_fds), keep,
                         ELEMENTSOF(keep));
        sync_die_with_runtime(a->sync_fd);
        if (a->reexec)
                container_init_reexec(a);
        /* No process in the container may open our /proc/<pid>/exe, the runtime's binary. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                fail(a->sync_fd, (berth_error(&err, errno, "make the init non-dumpable"), err));
        const SpecLinux *l = a->spec->linux_;
        if (l && l->namespaces[SPEC_NS_USER].present && !l->namespaces[SPEC_NS_USER].path &&
            sync_expect(a->sync_fd, SYNC_MAPPED, NULL, NULL, NULL) < 0)
                _exit(1);
        if (l && l->seccomp && seccomp_filter_build(l->seccomp, &seccomp, &err) < 0)
                fail(a->sync_fd, err);
        int r = exec_stub_memfd(&stub);
        if (r < 0)
                fail(a->sync_fd, (berth_error(&err, r, "create the exec stub (CVE-2019-5736)"), err));
        InitArgs b = *a;
        safe_close(b.config_fd);
        b.config_fd = -1;
        b.seccomp = seccomp;
        b.exec_stub_fd = stub;
        container_init(&b);
}

int container_init_main(int argc, char **argv)
{
        _cleanup_error_ BerthError *err = NULL;
        _cleanup_spec_ Spec *spec = NULL;
        _cleanup_free_ char *config = NULL;
        _cleanup_seccomp_filter_ SeccompFilter *seccomp = NULL;
        static SyncInitSettings w; /* 9 KiB, off the stack */
        int sync_fd;
        size_t len;

        /* Again, should the host's fs.suid_dumpable have made us dumpable at execve(). */
        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        if (argc != 3 || string_safe_atoi(argv[2], &sync_fd) < 0 || sync_fd < 0)
                return -EINVAL; /* not a runtime-made command line */
        /* Nothing of ours may cross the exec that follows. */
        fcntl(sync_fd, F_SETFD, FD_CLOEXEC);
        int r = settings_recv(sync_fd, &w);
        if (r == -EBADF || r == -ENOTSOCK)
                return -EINVAL; /* not a runtime-made command line */
        if (r < 0)
                _exit(1); /* the runtime died, or sent something else: nobody to tell */
        fcntl(w.listen_fd, F_SETFD, FD_CLOEXEC);
        fcntl(w.config_fd, F_SETFD, FD_CLOEXEC);
        r = fs_read_full_fd_limited(w.config_fd, READ_LIMIT_JSON, &config, &len);
        if (r < 0)
                fail(sync_fd, (berth_error(&err, r, "read the container's config"), err));
        r = spec_parse(config, len, &spec, &err);
        if (r < 0)
                fail(sync_fd, err);
        safe_close(w.config_fd);
        if (spec->linux_ && spec->linux_->seccomp &&
            seccomp_filter_build(spec->linux_->seccomp, &seccomp, &err) < 0)
                fail(sync_fd, err);
        const CreateOptions o = {
                .id = w.strings,
                .preserve_fds = w.preserve_fds,
                .no_pivot = w.no_pivot,
                .no_new_keyring = w.no_new_keyring,
        };
        const InitArgs a = {
                .opts = &o,
                .spec = spec,
                .bundle = w.strings + w.id_len,
                .rootfs = w.strings + w.id_len + w.bundle_len,
                .sync_fd = sync_fd,
                .listen_fd = w.listen_fd,
                .joined_early = w.joined_early,
                .n_listen_fds = w.n_listen_fds,
                .seccomp = seccomp,
                .config_fd = -1,
                .exec_stub_fd = -1,
        };
        container_init(&a);
}
