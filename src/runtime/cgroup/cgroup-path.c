/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgroupsPath as config.json gives it: absolute ("/a/b", below each hierarchy's root),
 * relative ("a/b", below the runtime's own cgroup on each hierarchy, as runc does), absent
 * ("/berth/<id>"), or systemd's "slice:prefix:name" when the systemd driver is asked for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/fs-util.h"
#include "basic/string-util.h"
#include "runtime/cgroup/cgroup-internal.h"

int cgroup_path_join(const char *a, const char *b, char **ret)
{
        while (*b == '/')
                b++;
        size_t la = strlen(a);
        while (la > 0 && a[la - 1] == '/')
                la--;
        if (asprintf(ret, "%.*s/%s", (int)la, a, b) < 0)
                return -ENOMEM;
        /* "/" + "" gives "/": a cgroup never ends in a slash otherwise. */
        size_t l = strlen(*ret);
        if (l > 1 && (*ret)[l - 1] == '/')
                (*ret)[l - 1] = 0;
        return 0;
}

int cgroup_path_descend(char **dir, const char **p)
{
        const char *s = *p + strspn(*p, "/");
        size_t n = strcspn(s, "/");
        char *nd;

        *p = s;
        if (n == 0)
                return 0;
        if (asprintf(&nd, "%s/%.*s", *dir, (int)n, s) < 0)
                return -ENOMEM;
        free(*dir);
        *dir = nd;
        *p = s + n;
        return 1;
}

/* No "." or ".." components, no empty name: the path stays below the hierarchy's root. */
static bool path_is_safe(const char *p)
{
        const char *s = p;

        if (isempty(p))
                return false;
        while (*s) {
                while (*s == '/')
                        s++;
                if (!*s)
                        break;
                size_t n = strcspn(s, "/");
                if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
                        return false;
                s += n;
        }
        return strlen(p) < 2048;
}

int cgroup_resolve_path(const char *id, const char *cgroups_path, bool systemd, char **ret,
                        BerthError **err)
{
        if (systemd)
                return cgroup_systemd_check(cgroups_path, err);
        if (isempty(cgroups_path)) {
                if (isempty(id) || strchr(id, '/') || streq(id, ".") || streq(id, ".."))
                        return berth_error(err, 0, "cgroup: invalid container id `%s`",
                                           id ? id : "");
                if (asprintf(ret, CGROUP_DEFAULT_PARENT "/%s", id) < 0)
                        return berth_error(err, ENOMEM, "cgroup");
                return 0;
        }
        if (!path_is_safe(cgroups_path))
                return berth_error(err, 0,
                                   "cgroup: cgroupsPath `%s` must not be empty or contain `.` or "
                                   "`..` components",
                                   cgroups_path);
        if (strchr(cgroups_path, ':') && !fs_path_is_absolute(cgroups_path))
                return berth_error(err, 0,
                                   "cgroup: cgroupsPath `%s` is in systemd's slice:prefix:name "
                                   "form, but the systemd cgroup driver is not enabled "
                                   "(--systemd-cgroup)",
                                   cgroups_path);
        /* Relative paths keep their form here; each hierarchy resolves them against the
         * runtime's own cgroup there (cgroup_self_path). */
        if (!(*ret = strdup(cgroups_path)))
                return berth_error(err, ENOMEM, "cgroup");
        return 0;
}

int cgroup_proc_path(const char *content, const CgroupHierarchy *h, char **ret)
{
        _cleanup_free_ char *data = strdup(content ? content : "");

        if (!data)
                return -ENOMEM;
        for (char *save = NULL, *l = strtok_r(data, "\n", &save); l;
             l = strtok_r(NULL, "\n", &save)) {
                char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c1 = *c2 = 0;
                bool match = false;
                if (h->unified)
                        match = streq(l, "0") && c1[1] == 0;
                else {
                        char *s2 = NULL;
                        for (char *t = strtok_r(c1 + 1, ",", &s2); t && !match;
                             t = strtok_r(NULL, ",", &s2)) {
                                const char *n = startswith(t, "name=");
                                match = n ? h->name && streq(n, h->name) :
                                            cgroup_hierarchy_has(h, t);
                        }
                }
                if (match) {
                        *ret = strdup(c2 + 1);
                        return *ret ? 0 : -ENOMEM;
                }
        }
        return -ENOENT;
}

int cgroup_self_path(const CgroupHierarchy *h, char **ret)
{
        _cleanup_free_ char *data = NULL;
        int r = fs_read_full_file("/proc/self/cgroup", &data, NULL);

        if (r < 0)
                return r;
        r = cgroup_proc_path(data, h, ret);
        if (r != -ENOENT)
                return r;
        *ret = strdup("/");
        return *ret ? 0 : -ENOMEM;
}
