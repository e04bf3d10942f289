/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* run, kill and delete on top of create and start. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <poll.h>

#include "basic/log.h"
#include "basic/process-util.h"
#include "basic/signal-util.h"
#include "basic/string-util.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/container.h"
#include "runtime/hooks.h"
#include "runtime/terminal.h"

static Cgroup *open_cgroup(Container *c)
{
        Cgroup *cg = NULL;
        if (c->cgroup && cgroup_open(c->cgroup, &cg, NULL) < 0)
                return NULL;
        return cg;
}

static int pidfd_send(Container *c, int sig)
{
        /* A pidfd pins the process: the pid cannot be reused between our check and the kill. */
        int pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
        if (pidfd < 0)
                return -errno;
        uint64_t start;
        bool zombie;
        int r = 0;
        if (process_start_time(c->pid, &start, &zombie) < 0 || start != c->pid_start)
                r = -ESRCH;
        else if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
                r = -errno;
        close(pidfd);
        return r;
}

int container_kill(Container *c, int sig, bool all, BerthError **err)
{
        ContainerStatus st = container_status(c);

        if (st == STATUS_STOPPED && !all)
                return berth_error(err, 0, "container `%s` is not running", c->id);
        if (all) {
                _cleanup_cgroup_ Cgroup *cg = open_cgroup(c);
                if (!cg)
                        return berth_error(err, 0, "container `%s` has no cgroup to signal",
                                           c->id);
                int r = cgroup_kill_all(cg, sig, err);
                if (r < 0)
                        return berth_error_prefix(err, "kill container `%s`", c->id);
                return 0;
        }
        int r = pidfd_send(c, sig);
        if (r < 0)
                return berth_error(err, r == -ESRCH ? 0 : r, "kill container `%s`%s", c->id,
                                   r == -ESRCH ? ": it is not running" : "");
        return 0;
}

static void wait_gone(Container *c, int timeout_ms)
{
        int pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
        if (pidfd < 0)
                return;
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        while (poll(&p, 1, timeout_ms) < 0 && errno == EINTR)
                ;
        close(pidfd);
}

int container_delete(Container *c, bool force, BerthError **err)
{
        ContainerStatus st = container_status(c);
        int r;

        if (st == STATUS_RUNNING || st == STATUS_PAUSED || st == STATUS_CREATING) {
                if (!force)
                        return berth_error(err, 0,
                                           "container `%s` is %s: stop it first or use --force",
                                           c->id, container_status_name(st));
        }
        if (st != STATUS_STOPPED) {
                _cleanup_cgroup_ Cgroup *cg = open_cgroup(c);
                if (cg)
                        (void)cgroup_kill_all(cg, SIGKILL, NULL);
                if (pidfd_send(c, SIGKILL) >= 0)
                        wait_gone(c, 5000);
        }
        if (c->cgroup) {
                _cleanup_cgroup_ Cgroup *cg = open_cgroup(c);
                if (cg && (r = cgroup_destroy(cg, err)) < 0)
                        return berth_error_prefix(err, "delete container `%s`", c->id);
        }
        if (container_load_spec(c, NULL) >= 0 && c->spec->hooks[SPEC_HOOK_POSTSTOP].n) {
                _cleanup_free_ char *state = container_state_string(c, STATUS_STOPPED);
                hooks_run_warn(c->spec, SPEC_HOOK_POSTSTOP, state ? state : "{}");
        }
        r = container_state_remove(c);
        if (r < 0)
                return berth_error(err, r, "remove the state of container `%s`", c->id);
        return 0;
}

int container_run(const CreateOptions *o, bool detach, bool keep, int *ret_status,
                  BerthError **err)
{
        _cleanup_(container_create_result_done) CreateResult cr = { .start_fd = -1,
                                                                    .console_master = -1 };
        int r;

        if (detach) {
                r = container_create(o, false, &cr, err);
                if (r < 0)
                        return r;
                r = container_start(cr.container, err);
                if (r < 0) {
                        container_delete(cr.container, true, NULL);
                        return r;
                }
                *ret_status = 0;
                return 0;
        }

        r = container_create(o, true, &cr, err);
        if (r < 0)
                return r;
        Container *c = cr.container;

        /* Signals to us are meant for the container, as with runc run. */
        process_forward_signals_to(c->pid);

        r = container_start_fd(c, cr.start_fd, err);
        if (r < 0) {
                container_delete(c, true, NULL);
                return r;
        }
        cr.start_fd = safe_close(cr.start_fd);
        if (cr.console_master >= 0)
                terminal_relay(cr.console_master);
        *ret_status = process_wait_exit_status(c->pid);
        process_forward_signals_to(0);
        if (!keep && container_delete(c, true, err) < 0)
                return berth_error_code(*err);
        return 0;
}
