/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How the container's init gets into its cgroup without paying for a migration.
 *
 * Writing a pid to cgroup.procs takes the kernel's global cgroup_threadgroup_rwsem for
 * writing, and the first writer after a quiet spell waits out a whole RCU grace period: two
 * scheduler ticks, 8 ms at HZ=250, on every container start, in runc and crun alike. Two
 * paths skip that lock:
 *
 *  - clone3(CLONE_INTO_CGROUP) starts the init inside its cgroup on the unified hierarchy;
 *  - a single-threaded process writing "0" to a v1 `tasks` file moves only itself, and the
 *    kernel does not take the global lock for a thread moving itself.
 *
 * The runtime opens the files (so the kernel checks its credentials and cgroup namespace,
 * the ones at open time, not those of an init in a user namespace) and passes the fds; the
 * init writes "0" to each. What the init cannot skip this way it still joins correctly: a
 * unified cgroup.procs written with "0" is an ordinary, slower migration of itself.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/string-util.h"
#include "runtime/cgroup/cgroup-internal.h"

int cgroup_unified_dir_fd(Cgroup *cg)
{
        CgroupHierarchy *u = cgroup_unified(cg);

        if (!u)
                return -ENOENT;
        int fd = open(u->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

int cgroup_join_fds(Cgroup *cg, bool skip_unified, int *fds, size_t max_fds, size_t *ret_n,
                    char **ret_names, BerthError **err)
{
        _cleanup_free_ char *names = NULL;
        size_t n = 0;

        for (size_t i = 0; i < cg->n; i++) {
                const CgroupHierarchy *h = &cg->h[i];
                if (h->unified && skip_unified)
                        continue;
                const char *file = h->unified ? "cgroup.procs" : "tasks";
                _cleanup_free_ char *p = NULL;
                int q = -ENOMEM;
                if (n >= max_fds)
                        q = -E2BIG;
                else if (asprintf(&p, "%s/%s", h->dir, file) >= 0) {
                        fds[n] = open(p, O_WRONLY | O_CLOEXEC);
                        q = fds[n] < 0 ? -errno : 0;
                }
                /* One line per fd: "<label> <dir>/<file>", for the init's errors. */
                char *nn = NULL;
                if (q >= 0 && asprintf(&nn, "%s%s %s\n", names ? names : "",
                                       cgroup_hierarchy_label(h), p) < 0) {
                        close(fds[n]);
                        q = -ENOMEM;
                }
                if (q < 0) {
                        for (size_t j = 0; j < n; j++)
                                close(fds[j]);
                        return berth_error(err, q, "cgroup %s: open %s/%s",
                                           cgroup_hierarchy_label(h), h->dir, file);
                }
                free(names);
                names = nn;
                n++;
        }
        *ret_n = n;
        *ret_names = names ? TAKE_PTR(names) : strdup("");
        if (!*ret_names) {
                for (size_t j = 0; j < n; j++)
                        close(fds[j]);
                return berth_error(err, ENOMEM, "cgroup");
        }
        return 0;
}

int cgroup_join_self(const int *fds, size_t n, const char *names, BerthError **err)
{
        const char *line = names ? names : "";

        for (size_t i = 0; i < n; i++) {
                size_t l = strcspn(line, "\n");
                if (write(fds[i], "0", 1) < 0) {
                        int e = errno;
                        const char *sp = memchr(line, ' ', l);
                        return berth_error(err, e, "cgroup %.*s: write \"0\" to %.*s",
                                           sp ? (int)(sp - line) : (int)l, line,
                                           sp ? (int)(l - (size_t)(sp - line) - 1) : 0,
                                           sp ? sp + 1 : "");
                }
                line += l + (line[l] ? 1 : 0);
        }
        return 0;
}
