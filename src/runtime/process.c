/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container process's own setup, shared by the init and exec: rlimits, credentials,
 * capabilities, cwd, environment, executable lookup, and the final execve(). */
#include <ctype.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "basic/chase.h"
#include "basic/passwd.h"
#include "basic/string-util.h"
#include "runtime/caps.h"
#include "runtime/exec-stub.h"
#include "runtime/process.h"
#include "runtime/scheduler.h"
#include "runtime/seccomp/seccomp.h"
#include "runtime/sync.h"

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
                        return process_exec_error(err, errno, name);
                /* As Go's LookPath (runc): a directory or a file without any execute bit
                 * is refused here, at create, with EACCES. */
                if (S_ISDIR(st.st_mode) || !(st.st_mode & 0111))
                        return process_exec_error(err, EACCES, name);
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

int process_exec_error(BerthError **err, int errnum, const char *path)
{
        char text[128];

        errnum = errnum < 0 ? -errnum : errnum;
        snprintf(text, sizeof(text), "%s", strerror(errnum ? errnum : EINVAL));
        text[0] = (char)tolower((unsigned char)text[0]);
        return berth_error_plain(err, errnum ? errnum : EINVAL, "exec: \"%s\": %s", path, text);
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

/* The slot of the variable that entry names in env, or NULL. */
static char **env_find(char **env, const char *entry)
{
        size_t klen = strcspn(entry, "=");
        STRV_FOREACH(e, env)
                if (strneq(*e, entry, klen) && ((*e)[klen] == '=' || (*e)[klen] == 0))
                        return e;
        return NULL;
}

/* As runc sets process.env one by one: a name given twice keeps its first place and its last
 * value; an empty or missing HOME comes from the user's passwd entry. */
static int build_env(const SpecProcess *p, unsigned n_listen_fds, char ***ret)
{
        _cleanup_strv_free_ char **env = NULL;

        STRV_FOREACH(e, p->env) {
                char **slot = env_find(env, *e);
                char *copy = strdup(*e);
                if (!copy)
                        return -ENOMEM;
                if (slot) {
                        free(*slot);
                        *slot = copy;
                } else if (strv_push(&env, copy) < 0) {
                        free(copy);
                        return -ENOMEM;
                }
        }
        char **home = env_find(env, "HOME=");
        const char *value = home ? strchr(*home, '=') : NULL;
        if (!value || !value[1]) {
                _cleanup_free_ char *dir = home_of(p->user.uid), *kv = NULL;
                if (!dir || asprintf(&kv, "HOME=%s", dir) < 0)
                        return -ENOMEM;
                if (home) {
                        free(*home);
                        *home = TAKE_PTR(kv);
                } else if (strv_push(&env, kv) < 0)
                        return -ENOMEM;
                else
                        kv = NULL;
        }
        if (n_listen_fds > 0) {
                char *a = NULL, *b = NULL;
                if (asprintf(&a, "LISTEN_FDS=%u", n_listen_fds) < 0 ||
                    asprintf(&b, "LISTEN_PID=%d", getpid()) < 0 || strv_push(&env, a) < 0 ||
                    strv_push(&env, b) < 0)
                        return -ENOMEM;
        }
        if (!env && !(env = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(env);
        return 0;
}

/* As runc does, the user gets its stdio: the container's pty (so it can control its terminal,
 * while the devpts mount keeps choosing the group) and pipes or sockets (so it can reopen
 * /dev/stdout). Unlike runc, a regular file, a device or a terminal passed as stdio keeps its
 * owner: it is the caller's. An owner or a uid the user namespace does not map, or a read-only
 * /dev, leave it as it is. */
static int give_stdio_to_user(uid_t uid, bool own_pty, BerthError **err)
{
        for (int fd = 0; fd < 3; fd++) {
                struct stat st;
                if (fstat(fd, &st) < 0)
                        continue; /* closed */
                bool tty = own_pty && S_ISCHR(st.st_mode) && isatty(fd);
                if (st.st_uid == uid || !(tty || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
                        continue;
                if (fchown(fd, uid, (gid_t)-1) < 0 && errno != EPERM && errno != EROFS &&
                    errno != EINVAL)
                        return berth_error(err, errno, "give fd %d (%s) to uid %u", fd,
                                           tty ? "the terminal" : "stdio", uid);
        }
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


int process_prepare(const SpecProcess *p, int rootfd, unsigned n_listen_fds,
                    SeccompFilter *seccomp, int report_fd, PreparedProcess *ret,
                    BerthError **err)
{
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *exe = NULL;
        CapSets caps;
        int r;

        if ((r = caps_resolve(p->capabilities, &caps, err)) < 0 || (r = set_rlimits(p, err)) < 0)
                return r;
        _cleanup_close_ int cwd = chase_in_root(rootfd, p->cwd ? p->cwd : "/", CHASE_NO_CREATE, 0,
                                                O_DIRECTORY);
        if (cwd < 0)
                return berth_error(err, cwd, "process.cwd `%s`", p->cwd ? p->cwd : "/");
        /* Entered while still privileged, as runc does: the user may not be able to search a
         * directory above it. Tried again as the user if we could not (root squashed). */
        bool entered = fchdir(cwd) == 0;
        if (!entered && errno != EACCES && errno != EPERM)
                return berth_error(err, errno, "process.cwd: enter `%s`",
                                   p->cwd ? p->cwd : "/");
        if ((r = give_stdio_to_user(p->user.uid, p->terminal, err)) < 0 ||
            (r = scheduler_apply(p, err)) < 0)
                return r;
        if (seccomp) {
                int notify = -1;
                if ((r = seccomp_filter_load(seccomp, &notify, err)) < 0)
                        return berth_error_prefix(err, "linux.seccomp");
                /* Every syscall from here may wait on the listener, which gets the fd from the
                 * runtime: handing it over is the very next one (sendmsg, which may therefore
                 * not be a notify rule), and we never wait for the runtime before it is out. */
                if (notify >= 0) {
                        r = sync_send(report_fd, SYNC_SECCOMP, 0, NULL, notify);
                        safe_close(notify);
                        if (r < 0)
                                return berth_error(err, r, "linux.seccomp: hand the listener "
                                                           "to the runtime");
                }
        }
        if ((r = set_user(p, &caps, err)) < 0)
                return r;
        if (!entered && fchdir(cwd) < 0)
                return berth_error(err, errno, "process.cwd: enter `%s` as uid %u",
                                   p->cwd ? p->cwd : "/", p->user.uid);
        if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return berth_error(err, errno, "process.noNewPrivileges");
        umask(p->user.has_umask ? p->user.umask : 022);
        if (build_env(p, n_listen_fds, &env) < 0)
                return berth_error(err, ENOMEM, "process.env");
        if ((r = find_executable(p->args[0], env, &exe, err)) < 0)
                return r;
        ret->args = p->args;
        ret->affinity_final = p->exec_cpu_affinity_final;
        ret->env = TAKE_PTR(env);
        ret->exe = TAKE_PTR(exe);
        return 0;
}

void process_prepared_done(PreparedProcess *p)
{
        strv_freep(&p->env);
        free(p->exe);
        p->exe = NULL;
}

int process_exec(PreparedProcess *p, unsigned keep_fds, int stub_fd, int report_fd,
                 BerthError **err)
{
        if (p->affinity_final && scheduler_set_affinity(p->affinity_final,
                                                    "process.execCPUAffinity.final", err) < 0)
                return berth_error_code(*err);
        /* Nothing of the runtime's crosses into the container: every fd past the preserved
         * ones is closed on exec (CVE-2024-21626), and so is the channel that tells the
         * runtime that execve() succeeded. */
        for (unsigned i = 0; i < keep_fds; i++)
                fcntl(3 + (int)i, F_SETFD, 0);
        if (syscall(SYS_close_range, 3 + keep_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                for (int fd = 3 + (int)keep_fds; fd < 65536; fd++)
                        fcntl(fd, F_SETFD, FD_CLOEXEC);
        reset_signals();
        if (stub_fd >= 0) {
                int r = exec_stub_exec(stub_fd, report_fd, p->exe, p->args, p->env);
                return berth_error(err, r, "exec `%s` through the exec stub", p->exe);
        }
        execve(p->exe, p->args, p->env);
        return process_exec_error(err, errno, p->exe);
}
