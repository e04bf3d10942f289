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
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "basic/chase.h"
#include "basic/fs-util.h"
#include "basic/passwd.h"
#include "basic/string-util.h"
#include "caps.h"
#include "container.h"
#include "hooks.h"
#include "namespaces.h"
#include "rootfs.h"
#include "sync.h"
#include "terminal.h"

_noreturn_ static void fail(int fd, BerthError *err)
{
        sync_send(fd, SYNC_ERROR, err ? err->errnum : EINVAL, err ? err->msg : "unknown error",
                  -1);
        _exit(1);
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

static int set_sysctls(const SpecLinux *l, BerthError **err)
{
        for (size_t i = 0; l && i < l->n_sysctl; i++) {
                const char *k = l->sysctl[i].key;
                char path[512];
                if (strstr(k, "..") || k[0] == '/' || k[0] == '.')
                        return berth_error(err, 0, "linux.sysctl: invalid key \"%s\"", k);
                int n = snprintf(path, sizeof(path), "/proc/sys/%s", k);
                if (n >= (int)sizeof(path))
                        return berth_error(err, ENAMETOOLONG, "linux.sysctl.%s", k);
                for (char *p = path + strlen("/proc/sys/"); *p; p++)
                        if (*p == '.')
                                *p = '/';
                int r = write_string_file(path, l->sysctl[i].value);
                if (r < 0)
                        return berth_error(err, r, "linux.sysctl: set %s to \"%s\"", k,
                                           l->sysctl[i].value);
        }
        return 0;
}

static int set_rlimits(const SpecProcess *p, BerthError **err)
{
        for (size_t i = 0; i < p->n_rlimits; i++) {
                const SpecRlimit *rl = &p->rlimits[i];
                struct rlimit cur, want = { .rlim_cur = rl->soft, .rlim_max = rl->hard };
                if (setrlimit(rl->resource, &want) == 0)
                        continue;
                int e = errno;
                if (e == EPERM && getrlimit(rl->resource, &cur) == 0 && want.rlim_max > cur.rlim_max)
                        return berth_error(err, e,
                                           "process.rlimits: %s hard limit %llu is above the "
                                           "current %llu, and raising it needs CAP_SYS_RESOURCE",
                                           rl->type, (unsigned long long)want.rlim_max,
                                           (unsigned long long)cur.rlim_max);
                return berth_error(err, e, "process.rlimits: set %s to soft %llu, hard %llu",
                                   rl->type, (unsigned long long)want.rlim_cur,
                                   (unsigned long long)want.rlim_max);
        }
        return 0;
}

/* runc's rule: an absolute or relative path with a slash is taken as it is; a bare name is
 * looked up in the PATH of process.env. */
static int find_executable(const char *name, char *const *env, char **ret, BerthError **err)
{
        const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        struct stat st;

        if (strchr(name, '/')) {
                if (stat(name, &st) < 0)
                        return berth_error(err, errno, "exec: \"%s\"", name);
                if (S_ISDIR(st.st_mode))
                        return berth_error(err, EACCES, "exec: \"%s\" is a directory", name);
                *ret = strdup(name);
                return *ret ? 0 : -ENOMEM;
        }
        STRV_FOREACH(e, (char **)env)
                if (startswith(*e, "PATH="))
                        path = *e + 5;
        _cleanup_free_ char *copy = strdup(path);
        char *save = NULL;
        for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *full = NULL;
                if (asprintf(&full, "%s/%s", *d ? d : ".", name) < 0)
                        return -ENOMEM;
                if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0) {
                        *ret = TAKE_PTR(full);
                        return 0;
                }
        }
        return berth_error(err, 0, "exec: \"%s\": executable file not found in $PATH", name);
}

/* HOME from the container's /etc/passwd when process.env lacks it, as runc does. */
static char *home_of(uid_t uid)
{
        char *home = NULL;
        if (passwd_lookup_uid("/etc/passwd", uid, NULL, &home) >= 0 && !isempty(home))
                return home;
        free(home);
        return strdup("/");
}

static int build_env(const SpecProcess *p, unsigned n_listen_fds, char ***ret)
{
        _cleanup_strv_free_ char **env = strv_copy(p->env);
        bool has_home = false;

        if (!env)
                return -ENOMEM;
        STRV_FOREACH(e, env)
                if (startswith(*e, "HOME="))
                        has_home = true;
        if (!has_home) {
                _cleanup_free_ char *home = home_of(p->user.uid), *kv = NULL;
                if (!home || asprintf(&kv, "HOME=%s", home) < 0 || strv_push(&env, kv) < 0)
                        return -ENOMEM;
                kv = NULL;
        }
        if (n_listen_fds > 0) {
                char *a = NULL, *b = NULL;
                if (asprintf(&a, "LISTEN_FDS=%u", n_listen_fds) < 0 ||
                    asprintf(&b, "LISTEN_PID=%d", getpid()) < 0 || strv_push(&env, a) < 0 ||
                    strv_push(&env, b) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(env);
        return 0;
}

static int set_user(const SpecProcess *p, const CapSets *caps, BerthError **err)
{
        const SpecUser *u = &p->user;
        int r;

        r = caps_apply_bounding(caps, err);
        if (r < 0)
                return r;
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return berth_error(err, errno, "keep capabilities across setuid");
        if (setgroups(u->n_additional_gids, (const gid_t *)u->additional_gids) < 0 &&
            (errno != EPERM || u->n_additional_gids > 0))
                return berth_error(err, errno, "process.user.additionalGids: setgroups");
        if (setresgid(u->gid, u->gid, u->gid) < 0)
                return berth_error(err, errno == EINVAL ? 0 : errno,
                                   "process.user.gid %u: %s", u->gid,
                                   errno == EINVAL ? "not mapped in the user namespace"
                                                   : "setgid failed");
        if (setresuid(u->uid, u->uid, u->uid) < 0)
                return berth_error(err, errno == EINVAL ? 0 : errno,
                                   "process.user.uid %u: %s", u->uid,
                                   errno == EINVAL ? "not mapped in the user namespace"
                                                   : "setuid failed");
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return berth_error(err, errno, "reset keep-capabilities");
        return caps_apply_final(caps, err);
}

static void reset_signals(void)
{
        sigset_t all;
        struct sigaction dfl = { .sa_handler = SIG_DFL };

        for (int s = 1; s < _NSIG; s++)
                if (s != SIGKILL && s != SIGSTOP)
                        sigaction(s, &dfl, NULL);
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
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

_noreturn_ void container_init(const InitArgs *a)
{
        const Spec *s = a->spec;
        const SpecLinux *l = s->linux_;
        const SpecProcess *p = s->process;
        _cleanup_error_ BerthError *err = NULL;
        _cleanup_free_ char *state = NULL, *exe = NULL;
        _cleanup_strv_free_ char **env = NULL;
        RootfsContext rc = { .spec = s, .rootfs = a->rootfs, .bundle = a->bundle, .rootfd = -1,
                             .devnull = -1 };
        CapSets caps;
        SyncMsg go = {};
        int start_fd = -1, r;

        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (getppid() == 1)
                _exit(1); /* the runtime is already gone */
        r = sync_expect(a->sync_fd, SYNC_GO, &go, NULL, NULL);
        if (r < 0)
                _exit(1);
        state = TAKE_PTR(go.text);

        rc.userns = l && l->namespaces[SPEC_NS_USER].present;
        rc.new_cgroupns = l && l->namespaces[SPEC_NS_CGROUP].present &&
                          !l->namespaces[SPEC_NS_CGROUP].path;
        if (rc.userns && !l->namespaces[SPEC_NS_USER].path) {
                /* Become the namespace's root; container uid 0 may not be mapped. */
                if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
                        fail(a->sync_fd, (berth_error(&err, errno, "setgid 0 in the user "
                                                                   "namespace"), err));
                if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
                        fail(a->sync_fd, (berth_error(&err, errno, "setuid 0 in the user "
                                                                   "namespace"), err));
        }
        if (rootfs_capture_cgroups(&rc, &err) < 0)
                fail(a->sync_fd, err);
        if (rc.new_cgroupns && unshare(CLONE_NEWCGROUP) < 0)
                fail(a->sync_fd, (berth_error(&err, errno, "create cgroup namespace"), err));
        if (!a->joined_early) {
                static const SpecNamespaceType order[] = { SPEC_NS_IPC, SPEC_NS_UTS,
                                                           SPEC_NS_NETWORK, SPEC_NS_CGROUP,
                                                           SPEC_NS_TIME, SPEC_NS_MOUNT };
                if (namespaces_join(l, order, ELEMENTSOF(order), &err) < 0)
                        fail(a->sync_fd, err);
        }
        if (l && l->namespaces[SPEC_NS_TIME].present && !l->namespaces[SPEC_NS_TIME].path &&
            namespaces_enter_new_time(l, &err) < 0)
                fail(a->sync_fd, err);

        umask(0);
        if (set_hostname(s, &err) < 0 || set_sysctls(l, &err) < 0)
                fail(a->sync_fd, err);

        if (!l || !l->namespaces[SPEC_NS_MOUNT].present)
                fail(a->sync_fd, (berth_error(&err, 0, "linux.namespaces: a mount namespace is "
                                                       "required"), err));
        if (!l->namespaces[SPEC_NS_MOUNT].path && rootfs_prepare(&rc, &err) < 0)
                fail(a->sync_fd, err);

        if (s->hooks[SPEC_HOOK_PRESTART].n || s->hooks[SPEC_HOOK_CREATE_RUNTIME].n) {
                sync_send(a->sync_fd, SYNC_HOOKS, 0, NULL, -1);
                _cleanup_free_ char *herr = NULL;
                r = sync_expect(a->sync_fd, SYNC_HOOKS_DONE, NULL, NULL, &herr);
                if (r < 0)
                        _exit(1); /* the runtime reports its own hook failure */
        }
        if (hooks_run(s, SPEC_HOOK_CREATE_CONTAINER, state, &err) < 0)
                fail(a->sync_fd, err);

        if (!l->namespaces[SPEC_NS_MOUNT].path) {
                if (rootfs_pivot(&rc, a->opts->no_pivot, &err) < 0 ||
                    rootfs_finalize(&rc, &err) < 0)
                        fail(a->sync_fd, err);
        }

        if (p && p->terminal) {
                _cleanup_free_ char *slave_path = NULL;
                _cleanup_close_ int master = -1, slave = -1;
                if (terminal_open_pty(&master, &slave, &slave_path, &err) < 0 ||
                    rootfs_bind_console(slave_path, &err) < 0)
                        fail(a->sync_fd, err);
                r = sync_send(a->sync_fd, SYNC_CONSOLE, 0, NULL, master);
                if (r < 0)
                        _exit(1);
                if (terminal_make_controlling(slave, p->has_console_size ? p->console_height : 0,
                                              p->has_console_size ? p->console_width : 0,
                                              &err) < 0)
                        fail(a->sync_fd, err);
        } else if (setsid() < 0 && errno != EPERM)
                fail(a->sync_fd, (berth_error(&err, errno, "setsid"), err));

        if (!p)
                fail(a->sync_fd, (berth_error(&err, 0, "process: missing"), err));
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
                        fail(a->sync_fd, (berth_error(&err, errno, "linux.personality"), err));
        }
        if (caps_resolve(p->capabilities, &caps, &err) < 0 || set_rlimits(p, &err) < 0)
                fail(a->sync_fd, err);

        if (rc.rootfd < 0 && (rc.rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
                fail(a->sync_fd, (berth_error(&err, errno, "open /"), err));
        _cleanup_close_ int cwd = chase_in_root(rc.rootfd, p->cwd ? p->cwd : "/",
                                                CHASE_NO_CREATE, 0, O_DIRECTORY);
        if (cwd < 0)
                fail(a->sync_fd, (berth_error(&err, cwd, "process.cwd `%s`", p->cwd), err));
        if (set_user(p, &caps, &err) < 0)
                fail(a->sync_fd, err);
        if (fchdir(cwd) < 0)
                fail(a->sync_fd, (berth_error(&err, errno, "process.cwd: enter `%s` as uid %u",
                                              p->cwd, p->user.uid),
                                  err));
        if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                fail(a->sync_fd, (berth_error(&err, errno, "process.noNewPrivileges"), err));
        umask(p->user.has_umask ? p->user.umask : 022);
        if (build_env(p, a->n_listen_fds, &env) < 0)
                fail(a->sync_fd, (berth_error(&err, ENOMEM, "process.env"), err));
        if (find_executable(p->args[0], env, &exe, &err) < 0)
                fail(a->sync_fd, err);
        rootfs_context_done(&rc);

        /* Created: from here on the runtime may exit, and so may we without taking it down. */
        prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
        if (sync_send(a->sync_fd, SYNC_READY, 0, NULL, -1) < 0)
                _exit(1);
        if (wait_start(a, &start_fd, &err) < 0)
                fail(start_fd >= 0 ? start_fd : a->sync_fd, err);
        if (hooks_run(s, SPEC_HOOK_START_CONTAINER, state, &err) < 0)
                fail(start_fd, err);

        /* Nothing of the runtime's crosses into the container: every fd past the preserved
         * ones is closed on exec (CVE-2024-21626), and so is the start channel, which tells
         * the starter that execve() succeeded. */
        unsigned keep = a->n_listen_fds + a->opts->preserve_fds;
        for (unsigned i = 0; i < keep; i++)
                fcntl(3 + (int)i, F_SETFD, 0);
        if (syscall(SYS_close_range, 3 + keep, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                for (int fd = 3 + (int)keep; fd < 65536; fd++)
                        fcntl(fd, F_SETFD, FD_CLOEXEC);
        reset_signals();
        execve(exe, p->args, env);
        berth_error(&err, errno, "exec `%s`", exe);
        fail(start_fd, err);
}
