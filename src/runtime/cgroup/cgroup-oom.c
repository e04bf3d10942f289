/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * OOM notifications for `events`: on v1 an eventfd registered through cgroup.event_control
 * against memory.oom_control; on v2 an inotify watch on memory.events, whose oom_kill counter
 * tells how many processes the OOM killer took. Either way: one fd to poll, one read call.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/string-util.h"
#include "runtime/cgroup/cgroup-internal.h"

struct CgroupOomWatch {
        int fd;        /* eventfd (v1) or inotify fd (v2): readable when something happened */
        int oom_fd;    /* v1: memory.oom_control, kept open while registered */
        bool unified;
        char *dir;     /* the memory cgroup directory */
        uint64_t seen; /* v2: oom_kill count already reported */
};

void cgroup_oom_watch_free(CgroupOomWatch *w)
{
        if (!w)
                return;
        safe_close(w->fd);
        safe_close(w->oom_fd);
        free(w->dir);
        free(w);
}

int cgroup_oom_watch_fd(const CgroupOomWatch *w)
{
        return w->fd;
}

int cgroup_oom_kill_count(Cgroup *cg, uint64_t *ret)
{
        CgroupHierarchy *h = cgroup_find(cg, "memory");

        if (!h)
                return -EOPNOTSUPP;
        /* memory.oom_control has had an oom_kill line since Linux 4.13. */
        return cgroup_read_keyed(h, h->unified ? "memory.events" : "memory.oom_control",
                                 "oom_kill", ret);
}

int cgroup_oom_watch_open(Cgroup *cg, CgroupOomWatch **ret, BerthError **err)
{
        CgroupHierarchy *h = cgroup_find(cg, "memory");
        _cleanup_(cgroup_oom_watch_freep) CgroupOomWatch *w = NULL;
        int q;

        if (!h)
                return berth_error(err, EOPNOTSUPP,
                                   "cgroup memory: no memory controller for OOM events of %s",
                                   cg->path);
        w = calloc(1, sizeof(*w));
        if (!w)
                return berth_error(err, ENOMEM, "cgroup memory");
        w->fd = w->oom_fd = -1;
        if (!(w->dir = strdup(h->dir)))
                return berth_error(err, ENOMEM, "cgroup memory");
        w->unified = h->unified;
        if (h->unified) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/memory.events", h->dir) < 0)
                        return berth_error(err, ENOMEM, "cgroup memory");
                w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
                if (w->fd < 0)
                        return berth_error(err, errno, "cgroup memory: inotify_init1");
                if (inotify_add_watch(w->fd, p, IN_MODIFY) < 0)
                        return berth_error(err, errno, "cgroup memory: watch memory.events of %s",
                                           cg->path);
                (void)cgroup_read_keyed(h, "memory.events", "oom_kill", &w->seen);
        } else {
                _cleanup_free_ char *p = NULL;
                char buf[64];
                if (asprintf(&p, "%s/memory.oom_control", h->dir) < 0)
                        return berth_error(err, ENOMEM, "cgroup memory");
                w->oom_fd = open(p, O_RDONLY | O_CLOEXEC);
                if (w->oom_fd < 0)
                        return berth_error(err, errno, "cgroup memory: open memory.oom_control "
                                                       "of %s", cg->path);
                w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
                if (w->fd < 0)
                        return berth_error(err, errno, "cgroup memory: eventfd");
                snprintf(buf, sizeof(buf), "%d %d", w->fd, w->oom_fd);
                q = cgroup_write(cg, h, "memory", "cgroup.event_control", buf, err);
                if (q < 0)
                        return q;
        }
        *ret = TAKE_PTR(w);
        return 0;
}

int cgroup_oom_watch_read(CgroupOomWatch *w, uint64_t *ret_new)
{
        *ret_new = 0;
        if (!w->unified) {
                uint64_t n;
                ssize_t k = read(w->fd, &n, sizeof(n));
                if (k < 0)
                        return errno == EAGAIN ? 0 : -errno;
                /* The eventfd also fires when the cgroup goes away. */
                if (access(w->dir, F_OK) < 0)
                        return -ENOENT;
                *ret_new = n;
                return 0;
        }
        char buf[4096];
        while (read(w->fd, buf, sizeof(buf)) > 0)
                ;
        CgroupHierarchy tmp = { .dir = w->dir };
        uint64_t count;
        int r = cgroup_read_keyed(&tmp, "memory.events", "oom_kill", &count);
        if (r < 0)
                return r;
        if (count > w->seen)
                *ret_new = count - w->seen;
        w->seen = count;
        return 0;
}
