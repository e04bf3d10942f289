/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which cgroup layout the host has and where each hierarchy is mounted. The layout comes from
 * statfs() of /sys/fs/cgroup (and of /sys/fs/cgroup/unified), the v1 hierarchies and their
 * controllers from /proc/self/mountinfo, so co-mounted controllers ("cpu,cpuacct") and named
 * hierarchies ("name=systemd") are found wherever they are mounted.
 */
#include <string.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "basic/fs-util.h"
#include "basic/mountinfo.h"
#include "basic/string-util.h"
#include "runtime/cgroup/cgroup-internal.h"

static const char *const layout_names[] = {
        [CGROUP_LAYOUT_V1] = "v1",
        [CGROUP_LAYOUT_HYBRID] = "hybrid",
        [CGROUP_LAYOUT_V2] = "v2",
};

const char *cgroup_layout_name(CgroupLayout l)
{
        return (size_t)l < ELEMENTSOF(layout_names) ? layout_names[l] : "unknown";
}

static int fs_magic(const char *path, long *ret)
{
        struct statfs s;

        if (statfs(path, &s) < 0)
                return -errno;
        *ret = (long)s.f_type;
        return 0;
}

int cgroup_detect_layout(CgroupLayout *ret)
{
        long m = 0;
        int r;

        r = fs_magic(CGROUP_SYSFS, &m);
        if (r < 0)
                return r;
        if (m == CGROUP2_SUPER_MAGIC) {
                *ret = CGROUP_LAYOUT_V2;
                return 0;
        }
        if (m != TMPFS_MAGIC)
                return -ENOMEDIUM;
        r = fs_magic(CGROUP_SYSFS "/unified", &m);
        *ret = r >= 0 && m == CGROUP2_SUPER_MAGIC ? CGROUP_LAYOUT_HYBRID : CGROUP_LAYOUT_V1;
        return 0;
}

void cgroup_hierarchy_clear(CgroupHierarchy *h)
{
        free(h->mount);
        strv_free(h->controllers);
        free(h->name);
        free(h->rel);
        free(h->dir);
        *h = (CgroupHierarchy){};
}

void cgroup_hierarchies_clear(CgroupHierarchies *hs)
{
        for (size_t i = 0; i < hs->n; i++)
                cgroup_hierarchy_clear(&hs->h[i]);
        free(hs->h);
        *hs = (CgroupHierarchies){};
}

static int hierarchies_add(CgroupHierarchies *hs, CgroupHierarchy *h)
{
        for (size_t i = 0; i < hs->n; i++)
                if (streq(hs->h[i].mount, h->mount)) {
                        /* Mounted twice at one place: the last mount wins, like the kernel. */
                        cgroup_hierarchy_clear(&hs->h[i]);
                        hs->h[i] = *h;
                        *h = (CgroupHierarchy){};
                        return 0;
                }
        CgroupHierarchy *n = realloc(hs->h, sizeof(*n) * (hs->n + 1));
        if (!n)
                return -ENOMEM;
        hs->h = n;
        hs->h[hs->n++] = *h;
        *h = (CgroupHierarchy){};
        return 0;
}

/* Reads the controllers a cgroup2 directory offers. */
static int read_v2_controllers(const char *dir, char ***ret)
{
        _cleanup_free_ char *p = NULL, *data = NULL;
        _cleanup_strv_free_ char **l = NULL;
        char *save = NULL;
        int r;

        if (asprintf(&p, "%s/cgroup.controllers", dir) < 0)
                return -ENOMEM;
        r = fs_read_full_file(p, &data, NULL);
        if (r < 0)
                return r;
        for (char *t = strtok_r(data, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
                r = strv_extend(&l, t);
                if (r < 0)
                        return r;
        }
        if (!l && !(l = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

/* The hierarchy mounted by mi, when it is one of the layout's: 1, else 0. */
static int parse_mount(const MountInfo *mi, CgroupLayout layout, CgroupHierarchy *ret)
{
        int r;
        bool v2 = streq(mi->fstype, "cgroup2");
        if (!v2 && !streq(mi->fstype, "cgroup"))
                return 0;

        CgroupHierarchy h = {};
        if (!(h.mount = strdup(mi->mount_point)))
                return -ENOMEM;
        h.unified = v2;
        if (v2) {
                /* Only the cgroup2 mount the layout names counts; others (in containers, in
                 * test mounts) would be a second copy of the same tree. */
                const char *want = layout == CGROUP_LAYOUT_V2 ? CGROUP_SYSFS :
                                   layout == CGROUP_LAYOUT_HYBRID ? CGROUP_SYSFS "/unified" :
                                                                    NULL;
                if (!want || !streq(h.mount, want)) {
                        cgroup_hierarchy_clear(&h);
                        return 0;
                }
                r = read_v2_controllers(h.mount, &h.controllers);
        } else {
                if (!startswith(h.mount, CGROUP_SYSFS "/")) {
                        cgroup_hierarchy_clear(&h);
                        return 0;
                }
                _cleanup_free_ char *opts = strdup(mi->super_options);
                char *osave = NULL;
                r = opts ? 0 : -ENOMEM;
                for (char *o = opts ? strtok_r(opts, ",", &osave) : NULL; o && r >= 0;
                     o = strtok_r(NULL, ",", &osave)) {
                        const char *n;
                        if ((n = startswith(o, "name="))) {
                                free(h.name);
                                h.name = strdup(n);
                                r = h.name ? 0 : -ENOMEM;
                        } else if (!streq(o, "rw") && !streq(o, "ro") &&
                                   !strchr(o, '=') && !streq(o, "noprefix") &&
                                   !streq(o, "clone_children") && !streq(o, "xattr") &&
                                   !streq(o, "cpuset_v2_mode") && !streq(o, "favordynmods"))
                                r = strv_extend(&h.controllers, o);
                }
                if (r >= 0 && !h.controllers && !(h.controllers = calloc(1, sizeof(char *))))
                        r = -ENOMEM;
        }
        if (r < 0) {
                cgroup_hierarchy_clear(&h);
                return r;
        }
        *ret = h;
        return 1;
}

int cgroup_hierarchies_detect(CgroupHierarchies *ret)
{
        _cleanup_mountinfo_ MountInfoIter it = {};
        CgroupHierarchies hs = {};
        MountInfo mi;
        int r;

        r = cgroup_detect_layout(&hs.layout);
        if (r < 0)
                return r;
        r = mountinfo_open(&it, NULL);
        if (r < 0)
                return r;
        while ((r = mountinfo_next(&it, &mi)) > 0) {
                CgroupHierarchy h;
                r = parse_mount(&mi, hs.layout, &h);
                if (r > 0)
                        r = hierarchies_add(&hs, &h);
                if (r < 0) {
                        cgroup_hierarchies_clear(&hs);
                        return r;
                }
        }
        if (r < 0 || hs.n == 0) {
                cgroup_hierarchies_clear(&hs);
                return r < 0 ? r : -ENOMEDIUM;
        }
        *ret = hs;
        return 0;
}

bool cgroup_hierarchy_has(const CgroupHierarchy *h, const char *controller)
{
        return strv_contains(h->controllers, controller);
}

CgroupHierarchy *cgroup_unified(Cgroup *cg)
{
        for (size_t i = 0; i < cg->n; i++)
                if (cg->h[i].unified)
                        return &cg->h[i];
        return NULL;
}

CgroupHierarchy *cgroup_find(Cgroup *cg, const char *controller)
{
        for (size_t i = 0; i < cg->n; i++)
                if (!cg->h[i].unified && cgroup_hierarchy_has(&cg->h[i], controller))
                        return &cg->h[i];
        CgroupHierarchy *u = cgroup_unified(cg);
        if (u && cgroup_hierarchy_has(u, controller))
                return u;
        return NULL;
}
