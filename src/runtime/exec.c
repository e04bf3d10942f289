/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "basic/fs-util.h"
#include "basic/process-util.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/clone.h"
#include "runtime/exec-stub.h"
#include "runtime/container.h"
#include "runtime/exec.h"
#include "runtime/namespaces.h"
#include "runtime/process.h"
#include "runtime/seccomp/syscall-filter.h"
#include "runtime/sync.h"
#include "runtime/sync-wire.h"
#include "runtime/terminal.h"

_noreturn_ static void fail(int fd, BerthError *err)
{
        sync_fail(fd, err, 127);
}

/* The exec'd process, from its fork in the container's namespaces to execve(). */
_noreturn_ static void exec_child(const SpecProcess *p, const ExecOptions *o, SyscallFilter *seccomp,
                                  int sync_fd)
{
        _cleanup_(process_prepared_done) PreparedProcess proc = {};
        _cleanup_error_ BerthError *err = NULL;

        sync_die_with_runtime(sync_fd);
        /* GO carries the fds to join the container's cgroup by (cgroup/cgroup-join.c). */
        int fds[SYNC_MAX_FDS];
        size_t n_fds = 0;
        SyncMsg go = {};
        if (sync_recv_fds(sync_fd, &go, fds, ELEMENTSOF(fds), &n_fds) < 0 ||
            go.type != SYNC_GO)
                _exit(127);
        int r = cgroup_join_self(fds, n_fds, go.text, &err);
        for (size_t i = 0; i < n_fds; i++)
                safe_close(fds[i]);
        sync_msg_done(&go);
        if (r < 0)
                fail(sync_fd, err);
        if (p->terminal) {
                _cleanup_free_ char *slave_path = NULL;
                _cleanup_close_ int master = -1, slave = -1;
                if (terminal_open_pty(&master, &slave, &slave_path, &err) < 0)
                        fail(sync_fd, err);
                /* Here, not in our relay: the process may write before the relay runs. */
                if (!o->console_socket)
                        terminal_clear_onlcr(master);
                if (sync_send(sync_fd, SYNC_CONSOLE, 0, NULL, master) < 0)
                        _exit(127);
                if (terminal_make_controlling(slave, p->has_console_size ? p->console_height : 0,
                                              p->has_console_size ? p->console_width : 0,
                                              &err) < 0)
                        fail(sync_fd, err);
        } else if (setsid() < 0 && errno != EPERM)
                fail(sync_fd, (berth_error(&err, errno, "setsid"), err));

        _cleanup_close_ int stub = -1;
        if (o->exec_stub && (r = exec_stub_memfd(&stub)) < 0)
                fail(sync_fd, (berth_error(&err, r, "create the exec stub (CVE-2019-5736)"), err));
        _cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                fail(sync_fd, (berth_error(&err, errno, "open the container's root"), err));
        if (process_prepare(p, rootfd, 0, seccomp, sync_fd, &proc, &err) < 0)
                fail(sync_fd, err);
        rootfd = safe_close(rootfd);
        prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
        process_exec(&proc, o->preserve_fds, stub, sync_fd, &err);
        fail(sync_fd, err);
}

static unsigned long namespace_flags(const Spec *s)
{
        unsigned long f = 0;
        for (int t = 0; s->linux_ && t < _SPEC_NS_MAX; t++)
                if (s->linux_->namespaces[t].present)
                        f |= (unsigned long)namespaces_clone_flag(t);
        return f;
}

/* Forks into the container's namespaces: an intermediate joins them all at once through the
 * init's pidfd, then forks the process itself as our child (a pid namespace is entered by
 * children only). */
static int spawn(Container *c, int pidfd, int cgroup_fd, const SpecProcess *p,
                 const ExecOptions *o, SyscallFilter *seccomp, int parent_fd, int sync_fd,
                 pid_t *ret, bool *ret_into, BerthError **err)
{
        unsigned long flags = namespace_flags(c->spec);

        pid_t mid = fork();
        if (mid < 0)
                return berth_error(err, errno, "fork");
        if (mid == 0) {
                _cleanup_error_ BerthError *e = NULL;
                /* The runtime's fds stay with it; its end of the sync socket above all, so
                 * that its death ends us and the process (sync_die_with_runtime()). */
                const int keep[] = { sync_fd, pidfd, cgroup_fd };
                process_close_fds_except(3 + (int)o->preserve_fds, keep, ELEMENTSOF(keep));
                sync_die_with_runtime(sync_fd);
                /* Nothing in the container may look into us (our fds are the host's). */
                prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
                if (flags && setns(pidfd, (int)flags) < 0) {
                        berth_error(&e, errno, "join the namespaces of container `%s`", c->id);
                        sync_fail(sync_fd, e, 1);
                }
                sync_die_with_runtime(sync_fd); /* a user namespace may have cleared it */
                /* Straight into the container's cgroup where the unified hierarchy has it. */
                bool into = false;
                pid_t pid = clone_child(CLONE_PARENT, cgroup_fd, &into);
                if (pid < 0) {
                        berth_error(&e, -pid, "fork in container `%s`", c->id);
                        sync_fail(sync_fd, e, 1);
                }
                if (pid == 0)
                        exec_child(p, o, seccomp, sync_fd);
                sync_send(sync_fd, SYNC_PID, pid, into ? "into-cgroup" : NULL, -1);
                _exit(0);
        }
        _cleanup_free_ char *text = NULL;
        SyncMsg m = {};
        int r = sync_expect(parent_fd, SYNC_PID, &m, NULL, &text);
        while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
                ;
        if (r < 0)
                return text ? berth_error_plain(err, -r, "%s", text)
                            : berth_error(err, r, "exec in container `%s`", c->id);
        *ret_into = m.text && streq(m.text, "into-cgroup");
        sync_msg_done(&m);
        *ret = m.value;
        return 0;
}

int container_exec(Container *c, const SpecProcess *p, const ExecOptions *o, int *ret_status,
                   BerthError **err)
{
        _cleanup_close_pair_ int sp[2] = { -1, -1 };
        _cleanup_close_ int pidfd = -1, console = -1;
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_syscall_filter_ SyscallFilter *seccomp = NULL;
        ContainerStatus st = container_status(c);
        pid_t pid = 0;
        int r;

        if (st == STATUS_PAUSED && !o->ignore_paused)
                return berth_error(err, 0, "cannot exec in container `%s`: it is paused (use "
                                           "--ignore-paused to exec anyway)",
                                   c->id);
        if (st != STATUS_RUNNING && st != STATUS_CREATED && st != STATUS_PAUSED)
                return berth_error(err, 0, "cannot exec in container `%s`: it is %s", c->id,
                                   container_status_name(st));
        if (p->terminal && o->detach && !o->console_socket)
                return berth_error(err, 0, "process.terminal is true: --console-socket is "
                                           "required with --detach");
        r = container_load_spec(c, err);
        if (r < 0)
                return r;
        pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
        if (pidfd < 0)
                return berth_error(err, errno, "exec: open the init of container `%s`", c->id);
        if (container_status(c) == STATUS_STOPPED)
                return berth_error(err, 0, "cannot exec in container `%s`: it is stopped", c->id);
        if (c->cgroup && (r = cgroup_open(c->cgroup, &cg, err)) < 0)
                return r;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return berth_error(err, errno, "exec: create the sync socket");

        const SpecSeccomp *sc = c->spec->linux_ ? c->spec->linux_->seccomp : NULL;
        if (sc && (r = syscall_filter_build(sc, &seccomp, err)) < 0)
                return r;
        _cleanup_close_ int cgroup_fd = cg ? cgroup_unified_dir_fd(cg) : -1;
        bool cloned_into = false;
        r = spawn(c, pidfd, cgroup_fd, p, o, seccomp, sp[0], sp[1], &pid, &cloned_into, err);
        sp[1] = safe_close(sp[1]);
        if (r < 0)
                return r;
        {
                int fds[SYNC_MAX_FDS];
                size_t n_fds = 0;
                _cleanup_free_ char *names = NULL;
                if (cg && (r = cgroup_join_fds(cg, cloned_into, fds, ELEMENTSOF(fds), &n_fds,
                                               &names, err)) < 0)
                        goto fail;
                r = sync_send_fds(sp[0], SYNC_GO, 0, names, fds, n_fds);
                for (size_t i = 0; i < n_fds; i++)
                        safe_close(fds[i]);
                if (r < 0) {
                        berth_error(err, r, "exec: start the process");
                        goto fail;
                }
        }
        for (;;) {
                SyncMsg m = {};
                _cleanup_close_ int fd = -1;
                r = sync_recv(sp[0], &m, &fd);
                if (r == -EPIPE || r == -ECONNRESET)
                        break; /* execve() closed the channel: the process runs */
                if (r < 0) {
                        berth_error(err, r, "exec: read from the process");
                        goto fail;
                }
                _cleanup_free_ char *text = m.text;
                if (m.type == SYNC_ERROR) {
                        r = berth_error_plain(err, m.value, "%s", text);
                        goto fail;
                }
                if (m.type == SYNC_EXEC_FAILED) { /* from the exec stub: errno and the path */
                        r = process_exec_error(err, m.value > 0 ? m.value : EINVAL, text);
                        goto fail;
                }
                if (m.type == SYNC_SECCOMP && fd >= 0 && sc && sc->listener_path) {
                        _cleanup_free_ char *state = container_state_string(c, STATUS_RUNNING);
                        r = syscall_filter_send_listener(sc->listener_path, sc->listener_metadata, fd,
                                                  state ? state : "{}", err);
                        if (r < 0)
                                goto fail;
                }
                if (m.type == SYNC_CONSOLE && fd >= 0) {
                        if (o->console_socket) {
                                r = terminal_send_to_socket(o->console_socket, fd, err);
                                if (r < 0)
                                        goto fail;
                        } else
                                console = TAKE_FD(fd);
                }
        }
        if (o->pid_file) {
                char buf[32];
                int n = snprintf(buf, sizeof(buf), "%d", pid);
                r = fs_write_file_replace(o->pid_file, buf, (size_t)n, 0644);
                if (r < 0) {
                        berth_error(err, r, "--pid-file `%s`", o->pid_file);
                        goto fail;
                }
        }
        if (o->detach) {
                *ret_status = 0;
                return 0;
        }
        process_forward_signals_to(pid);
        if (console >= 0)
                terminal_relay(console);
        *ret_status = process_wait_exit_status(pid);
        process_forward_signals_to(0);
        return 0;

fail:
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        return r;
}
