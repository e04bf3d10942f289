/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading and writing one cgroup's files. Every write goes through cgroup_write(), so every
 * failure reads the same way: `cgroup memory: write "1234" to memory.limit_in_bytes of
 * /berth/c1: Device or resource busy`.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/string-util.h"
#include "runtime/cgroup/cgroup-internal.h"

static int file_path(const CgroupHierarchy *h, const char *file, char **ret)
{
        return asprintf(ret, "%s/%s", h->dir, file) < 0 ? -ENOMEM : 0;
}

bool cgroup_file_exists(const CgroupHierarchy *h, const char *file)
{
        _cleanup_free_ char *p = NULL;

        return file_path(h, file, &p) >= 0 && access(p, F_OK) == 0;
}

int cgroup_read(const CgroupHierarchy *h, const char *file, char **ret)
{
        _cleanup_free_ char *p = NULL;
        int r = file_path(h, file, &p);

        return r < 0 ? r : fs_read_full_file(p, ret, NULL);
}

int cgroup_read_u64(const CgroupHierarchy *h, const char *file, uint64_t *ret)
{
        _cleanup_free_ char *s = NULL;
        int r = cgroup_read(h, file, &s);

        if (r < 0)
                return r;
        s[strcspn(s, "\n")] = 0;
        if (streq(s, "max")) {
                *ret = UINT64_MAX;
                return 0;
        }
        return string_safe_atou64(s, ret);
}

int cgroup_read_keyed(const CgroupHierarchy *h, const char *file, const char *key, uint64_t *ret)
{
        _cleanup_free_ char *s = NULL;
        size_t kl = strlen(key);
        int r = cgroup_read(h, file, &s);

        if (r < 0)
                return r;
        for (char *l = s; l && *l;) {
                char *nl = strchr(l, '\n');
                if (nl)
                        *nl = 0;
                if (strneq(l, key, kl) && l[kl] == ' ')
                        return string_safe_atou64(l + kl + 1, ret);
                l = nl ? nl + 1 : NULL;
        }
        return -ENOENT;
}

static const char *logical_path(Cgroup *cg, const CgroupHierarchy *h)
{
        return h->rel ? h->rel : cg->path;
}

int cgroup_missing(Cgroup *cg, const char *controller, const char *file, const char *value,
                   BerthError **err)
{
        return berth_error(err, ENOENT,
                           "cgroup %s: cannot write \"%s\" to %s of %s: the %s controller or "
                           "this knob is not available on this host (cgroup %s)",
                           controller, value, file, cg->path, controller,
                           cgroup_layout_name(cg->layout));
}

int cgroup_write(Cgroup *cg, const CgroupHierarchy *h, const char *controller, const char *file,
                 const char *value, BerthError **err)
{
        _cleanup_free_ char *p = NULL;
        int r = file_path(h, file, &p);

        if (r < 0)
                return berth_error(err, r, "cgroup %s", controller);
        r = fs_write_string_file(p, value);
        if (r == -ENOENT && access(h->dir, F_OK) == 0)
                return cgroup_missing(cg, controller, file, value, err);
        if (r < 0)
                return berth_error(err, r, "cgroup %s: write \"%s\" to %s of %s", controller,
                                   value, file, logical_path(cg, h));
        return 0;
}

int cgroup_write_keep(Cgroup *cg, const CgroupHierarchy *h, const char *controller,
                      const char *file, int *fd, const char *value, BerthError **err)
{
        if (*fd < 0) {
                _cleanup_free_ char *p = NULL;
                int r = file_path(h, file, &p);
                if (r < 0)
                        return berth_error(err, r, "cgroup %s", controller);
                *fd = open(p, O_WRONLY | O_CLOEXEC | O_NOCTTY);
                if (*fd < 0) /* the one-shot write reports it the usual way */
                        return cgroup_write(cg, h, controller, file, value, err);
        }
        size_t n = strlen(value);
        ssize_t w = write(*fd, value, n);
        if (w < 0 || (size_t)w != n)
                return berth_error(err, w < 0 ? errno : EIO, "cgroup %s: write \"%s\" to %s of %s",
                                   controller, value, file, logical_path(cg, h));
        return 0;
}

int cgroup_writef(Cgroup *cg, const CgroupHierarchy *h, const char *controller, const char *file,
                  BerthError **err, const char *fmt, ...)
{
        _cleanup_free_ char *v = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&v, fmt, ap);
        va_end(ap);
        if (r < 0)
                return berth_error(err, ENOMEM, "cgroup %s", controller);
        return cgroup_write(cg, h, controller, file, v, err);
}

int cgroup_read_pids(const CgroupHierarchy *h, pid_t **ret, size_t *ret_n)
{
        _cleanup_free_ char *s = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0, alloc = 0;
        int r = cgroup_read(h, "cgroup.procs", &s);

        if (r < 0)
                return r;
        for (char *save = NULL, *t = strtok_r(s, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
                int v;
                if (string_safe_atoi(t, &v) < 0 || v <= 0)
                        continue;
                if (n == alloc) {
                        alloc = alloc ? alloc * 2 : 16;
                        pid_t *np = realloc(pids, alloc * sizeof(pid_t));
                        if (!np)
                                return -ENOMEM;
                        pids = np;
                }
                pids[n++] = v;
        }
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}
