/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The public cgroup interface (runtime/cgroup.h): create with rollback, open from the state,
 * freeze, pids, kill and destroy, each over every hierarchy the cgroup lives on. Resource
 * values go through cgroup-apply.c to the v1 and v2 drivers.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "basic/fs-util.h"
#include "basic/string-util.h"
#include "runtime/cgroup/cgroup-internal.h"

static void msleep(long ms)
{
        nanosleep(&(struct timespec){ .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L },
                  NULL);
}

void cgroup_free(Cgroup *cg)
{
        if (!cg)
                return;
        for (size_t i = 0; i < cg->n; i++)
                cgroup_hierarchy_clear(&cg->h[i]);
        free(cg->h);
        free(cg->path);
        free(cg);
}

const char *cgroup_path(const Cgroup *cg)
{
        return cg->path;
}

CgroupLayout cgroup_layout(const Cgroup *cg)
{
        return cg->layout;
}

const char *cgroup_layout_to_string(CgroupLayout l)
{
        return cgroup_layout_name(l);
}

const char *cgroup_controller_dir(Cgroup *cg, const char *controller)
{
        CgroupHierarchy *h = controller ? cgroup_find(cg, controller) : cgroup_unified(cg);

        if (!h && !controller && cg->n > 0)
                h = &cg->h[0];
        return h ? h->dir : NULL;
}

static int count_components(const char *p)
{
        int n = 0;

        while (*p) {
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                n++;
                p += strcspn(p, "/");
        }
        return n;
}

/* Removes the cgroup's directory, the cgroups nested below it first (a nested container's),
 * retrying a bounded time while the kernel still counts exiting tasks. */
/* Calls fn on every subdirectory of dir (gone: none); stops at fn's first error. */
static int for_each_subdir(const char *dir, int (*fn)(const char *sub, void *userdata),
                           void *userdata)
{
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return errno == ENOENT ? 0 : -errno;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
                        return -ENOMEM;
                int r = fn(sub, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int rmdir_tree(const char *dir);

/* Every subtree is tried; the last failure is kept in *userdata. */
static int rmdir_subtree(const char *sub, void *userdata)
{
        int q = rmdir_tree(sub);
        if (q < 0)
                *(int *)userdata = q;
        return 0;
}

static int rmdir_tree(const char *dir)
{
        int r = 0;

        /* Usually a leaf: removing it is the whole job. */
        if (rmdir(dir) >= 0 || errno == ENOENT)
                return 0;
        int q = for_each_subdir(dir, rmdir_subtree, &r);
        if (q < 0)
                return q;
        for (int i = 0; i < 200; i++) {
                if (rmdir(dir) >= 0 || errno == ENOENT)
                        return r;
                if (errno != EBUSY)
                        return -errno;
                msleep(10);
        }
        return -EBUSY;
}

/* Removes the leaf and the parents this cgroup created, deepest first; a parent that is no
 * longer empty (another container's) stays. */
static int remove_created(CgroupHierarchy *h, bool with_leaf)
{
        _cleanup_free_ char *dir = strdup(h->dir);
        int r = 0;

        if (!dir)
                return -ENOMEM;
        for (unsigned i = 0; i < h->created || (i == 0 && with_leaf); i++) {
                int q = i == 0 ? rmdir_tree(dir) : (rmdir(dir) < 0 ? -errno : 0);
                if (q == -ENOTEMPTY || q == -EBUSY || q == -EEXIST) {
                        if (i == 0)
                                r = q;
                        break;
                }
                if (q < 0 && q != -ENOENT) {
                        r = q;
                        break;
                }
                char *slash = strrchr(dir, '/');
                if (!slash || (size_t)(slash - dir) <= strlen(h->mount))
                        break;
                *slash = 0;
        }
        return r;
}

/* mkdir of every missing level of h->rel; h->created counts the levels made. */
static int make_dirs(CgroupHierarchy *h)
{
        int total = count_components(h->rel);

        for (int attempt = 0; attempt < 3; attempt++) {
                _cleanup_free_ char *dir = strdup(h->mount);
                const char *p = h->rel;
                int level = 0, r = 0;

                if (!dir)
                        return -ENOMEM;
                while ((r = cgroup_path_descend(&dir, &p)) > 0) {
                        level++;
                        if (mkdir(dir, 0755) >= 0) {
                                if (h->created == 0)
                                        h->created = (unsigned)(total - level + 1);
                        } else if (errno != EEXIST) {
                                r = -errno;
                                break;
                        }
                }
                /* ENOENT: a parent vanished under us (another container's destroy removed
                 * an empty /berth between our mkdirs). Start over. */
                if (r != -ENOENT)
                        return r;
        }
        return -ENOENT;
}

static CgroupHierarchy *procs_hierarchy(Cgroup *cg);

static void rollback(Cgroup *cg, pid_t pid, char **orig)
{
        CgroupHierarchy *cpu = cgroup_find(cg, "cpu");
        if (cpu && !cpu->unified && cpu->dir)
                cgroup_v1_rt_release(cpu);
        for (size_t i = 0; i < cg->n; i++) {
                CgroupHierarchy *h = &cg->h[i];
                if (pid > 0 && orig && orig[i]) {
                        _cleanup_free_ char *procs = NULL;
                        if (asprintf(&procs, "%s%s/cgroup.procs",
                                     h->mount, streq(orig[i], "/") ? "" : orig[i]) >= 0) {
                                char buf[24];
                                snprintf(buf, sizeof(buf), "%d", (int)pid);
                                (void)fs_write_string_file(procs, buf);
                        }
                }
                if (h->created > 0)
                        (void)remove_created(h, true);
        }
}

/* The cgroup's directory on every hierarchy it will live on, nothing made yet. */
static int resolve(const char *id, const char *cgroups_path, bool systemd, Cgroup **ret,
                   BerthError **err)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_free_ char *path = NULL;
        CgroupHierarchies hs = {};
        int q;

        q = cgroup_resolve_path(id, cgroups_path, systemd, &path, err);
        if (q < 0)
                return q;
        q = cgroup_hierarchies_detect(&hs);
        if (q < 0)
                return berth_error(err, q, "cgroup: find the cgroup hierarchies under "
                                           CGROUP_SYSFS);
        cg = calloc(1, sizeof(*cg));
        if (!cg) {
                cgroup_hierarchies_clear(&hs);
                return berth_error(err, ENOMEM, "cgroup");
        }
        cg->layout = hs.layout;
        cg->h = hs.h;
        cg->n = hs.n;
        cg->path = TAKE_PTR(path);
        for (size_t i = 0; i < cg->n; i++) {
                CgroupHierarchy *h = &cg->h[i];
                if (h->unified && cg->layout == CGROUP_LAYOUT_HYBRID &&
                    access(h->mount, W_OK) < 0) {
                        /* A hybrid host's unified mirror is a courtesy (runc makes it too):
                         * read-only, as in a container, it is left out rather than fatal. */
                        cgroup_hierarchy_clear(h);
                        memmove(h, h + 1, (cg->n - i - 1) * sizeof(*h));
                        cg->n--;
                        i--;
                        continue;
                }
                if (fs_path_is_absolute(cg->path))
                        q = (h->rel = strdup(cg->path)) ? 0 : -ENOMEM;
                else {
                        _cleanup_free_ char *self = NULL;
                        q = cgroup_self_path(h, &self);
                        if (q >= 0)
                                q = cgroup_path_join(self, cg->path, &h->rel);
                }
                if (q >= 0 && asprintf(&h->dir, "%s%s", h->mount, h->rel) < 0)
                        q = -ENOMEM;
                if (q < 0)
                        return berth_error(err, q, "cgroup: resolve %s", cg->path);
        }
        *ret = TAKE_PTR(cg);
        return 0;
}

char *cgroup_plan(const char *id, const char *cgroups_path, bool systemd)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;

        if (resolve(id, cgroups_path, systemd, &cg, NULL) < 0)
                return NULL;
        /* Levels missing now count as made by us, as make_dirs() counts them: a parent that
         * another container fills meanwhile is not empty, and stays. */
        for (size_t i = 0; i < cg->n; i++) {
                CgroupHierarchy *h = &cg->h[i];
                _cleanup_free_ char *dir = strdup(h->dir);
                unsigned missing = 0;
                while (dir && strlen(dir) > strlen(h->mount) && access(dir, F_OK) < 0) {
                        missing++;
                        *strrchr(dir, '/') = 0;
                }
                h->created = missing;
        }
        return cgroup_serialize(cg);
}

int cgroup_create(const char *id, const char *cgroups_path, bool systemd, const SpecResources *res,
                  pid_t pid, Cgroup **ret, BerthError **err)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_strv_free_ char **orig = NULL;
        int q;

        q = resolve(id, cgroups_path, systemd, &cg, err);
        if (q < 0)
                return q;
        orig = calloc(cg->n + 1, sizeof(char *));
        if (!orig)
                return berth_error(err, ENOMEM, "cgroup");

        for (size_t i = 0; i < cg->n; i++) {
                CgroupHierarchy *h = &cg->h[i];
                q = make_dirs(h);
                if (q < 0) {
                        rollback(cg, 0, NULL);
                        return berth_error(err, q, "cgroup: create %s", h->dir);
                }
                if (!h->unified && cgroup_hierarchy_has(h, "cpuset"))
                        q = cgroup_v1_cpuset_init(h);
                else if (h->unified)
                        q = cgroup_v2_enable_controllers(h);
                if (q < 0) {
                        rollback(cg, 0, NULL);
                        return berth_error(err, q, "cgroup cpuset: initialize %s", h->dir);
                }
        }
        /* A frozen cgroup (its own freezer, or a parent's) would stop the init in its first
         * step, and `run` with it, for good: refuse it up front. */
        for (size_t i = 0; i < cg->n; i++) {
                CgroupHierarchy *h = &cg->h[i];
                _cleanup_free_ char *st = NULL;
                uint64_t v = 0;
                const char *why = NULL;
                if (!h->unified && cgroup_hierarchy_has(h, "freezer") &&
                    cgroup_read(h, "freezer.state", &st) >= 0 &&
                    (startswith(st, "FROZEN") || startswith(st, "FREEZING")))
                        why = "freezer.state is FROZEN";
                else if (h->unified && cgroup_read_keyed(h, "cgroup.events", "frozen", &v) >= 0 &&
                         v == 1)
                        why = "cgroup.events says frozen 1";
                else if (h->unified && cgroup_read(h, "cgroup.freeze", &st) >= 0 &&
                         startswith(st, "1"))
                        why = "cgroup.freeze is 1";
                if (why) {
                        rollback(cg, 0, NULL);
                        return berth_error(err, 0, "cgroup: %s is frozen (%s): thaw it first",
                                           h->dir, why);
                }
        }
        /* An existing cgroup may be joined (a pod's, say), but not one that runs processes:
         * those would be limited, frozen and killed with this container. */
        CgroupHierarchy *ph = procs_hierarchy(cg);
        if (ph && ph->created == 0) {
                _cleanup_free_ pid_t *pids = NULL;
                size_t n = 0;
                if (cgroup_read_pids(ph, &pids, &n) >= 0 && n > 0) {
                        rollback(cg, 0, NULL);
                        return berth_error(err, EEXIST,
                                           "cgroup: %s already exists and has %zu process%s "
                                           "(pid %d)",
                                           cg->path, n, n == 1 ? "" : "es", (int)pids[0]);
                }
        }
        q = cgroup_apply(cg, res, false, err);
        if (q < 0) {
                rollback(cg, 0, NULL);
                return q;
        }
        if (pid > 0) {
                _cleanup_free_ char *procfile = NULL, *before = NULL;
                char buf[24];
                snprintf(buf, sizeof(buf), "%d", (int)pid);
                /* Where pid is now, to move it back should a later hierarchy refuse it. */
                if (asprintf(&procfile, "/proc/%d/cgroup", (int)pid) < 0 ||
                    fs_read_full_file(procfile, &before, NULL) < 0)
                        before = NULL;
                for (size_t i = 0; i < cg->n; i++) {
                        CgroupHierarchy *h = &cg->h[i];
                        (void)cgroup_proc_path(before, h, &orig[i]);
                        q = cgroup_write(cg, h, cgroup_hierarchy_label(h), "cgroup.procs", buf,
                                         err);
                        if (q < 0) {
                                /* orig holds NULLs past i: strv_free stops at the first. */
                                rollback(cg, pid, orig);
                                for (size_t j = 0; j <= i; j++)
                                        free(orig[j]), orig[j] = NULL;
                                return q;
                        }
                }
                for (size_t j = 0; j < cg->n; j++)
                        free(orig[j]), orig[j] = NULL;
        }
        *ret = TAKE_PTR(cg);
        return 0;
}

char *cgroup_serialize(const Cgroup *cg)
{
        struct json_object *o = json_object_new_object(), *hs = json_object_new_object();
        char *s = NULL;

        if (!o || !hs)
                goto out;
        json_object_object_add(o, "layout", json_object_new_string(cgroup_layout_name(cg->layout)));
        json_object_object_add(o, "path", json_object_new_string(cg->path));
        for (size_t i = 0; i < cg->n; i++) {
                struct json_object *e = json_object_new_object();
                if (!e)
                        goto out;
                json_object_object_add(e, "rel", json_object_new_string(cg->h[i].rel));
                json_object_object_add(e, "created", json_object_new_int((int)cg->h[i].created));
                json_object_object_add(hs, cg->h[i].mount, e);
        }
        json_object_object_add(o, "hierarchies", hs);
        hs = NULL;
        s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
out:
        json_object_put(hs);
        json_object_put(o);
        return s;
}

int cgroup_open(const char *serialized, Cgroup **ret, BerthError **err)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        struct json_object *o = NULL, *v, *hmap;
        CgroupHierarchies hs = {};
        size_t kept = 0;
        int q;

        o = serialized ? json_tokener_parse(serialized) : NULL;
        if (!o || !json_object_object_get_ex(o, "path", &v) ||
            !json_object_is_type(v, json_type_string) ||
            !json_object_object_get_ex(o, "hierarchies", &hmap) ||
            !json_object_is_type(hmap, json_type_object)) {
                json_object_put(o);
                return berth_error(err, 0, "cgroup: the recorded cgroup state is invalid");
        }
        q = cgroup_hierarchies_detect(&hs);
        if (q < 0) {
                json_object_put(o);
                return berth_error(err, q, "cgroup: find the cgroup hierarchies under "
                                           CGROUP_SYSFS);
        }
        cg = calloc(1, sizeof(*cg));
        if (!cg || !(cg->path = strdup(json_object_get_string(v)))) {
                json_object_put(o);
                cgroup_hierarchies_clear(&hs);
                return berth_error(err, ENOMEM, "cgroup");
        }
        cg->layout = hs.layout;
        cg->h = hs.h;
        cg->n = hs.n;
        /* Keep the hierarchies the cgroup was created on, as recorded. */
        for (size_t i = 0; i < cg->n; i++) {
                CgroupHierarchy *h = &cg->h[i];
                struct json_object *e, *rel, *created;
                if (!json_object_object_get_ex(hmap, h->mount, &e) ||
                    !json_object_object_get_ex(e, "rel", &rel) ||
                    !json_object_is_type(rel, json_type_string)) {
                        cgroup_hierarchy_clear(h);
                        continue;
                }
                if (!(h->rel = strdup(json_object_get_string(rel))) ||
                    asprintf(&h->dir, "%s%s", h->mount, h->rel) < 0) {
                        json_object_put(o);
                        return berth_error(err, ENOMEM, "cgroup");
                }
                if (json_object_object_get_ex(e, "created", &created))
                        h->created = (unsigned)MAX(0, json_object_get_int(created));
                cg->h[kept++] = *h;
                if (&cg->h[kept - 1] != h)
                        *h = (CgroupHierarchy){};
        }
        cg->n = kept;
        json_object_put(o);
        if (kept == 0)
                return berth_error(err, ENOENT,
                                   "cgroup: none of the hierarchies %s was created on is mounted",
                                   cg->path);
        *ret = TAKE_PTR(cg);
        return 0;
}

const char *cgroup_hierarchy_label(const CgroupHierarchy *h)
{
        if (h->unified)
                return "unified";
        if (h->name)
                return h->name;
        return h->controllers && h->controllers[0] ? h->controllers[0] : "v1";
}

int cgroup_enter(Cgroup *cg, pid_t pid, BerthError **err)
{
        char buf[24];

        if (pid <= 0)
                return berth_error(err, 0, "cgroup: invalid pid %d", (int)pid);
        snprintf(buf, sizeof(buf), "%d", (int)pid);
        /* A hybrid host's unified mirror counts like any hierarchy: `ps` and cgroup.kill
         * find the process there too. */
        for (size_t i = 0; i < cg->n; i++) {
                int q = cgroup_write(cg, &cg->h[i], cgroup_hierarchy_label(&cg->h[i]),
                                     "cgroup.procs", buf, err);
                if (q < 0)
                        return q;
        }
        return 0;
}

int cgroup_update(Cgroup *cg, const SpecResources *res, BerthError **err)
{
        return cgroup_apply(cg, res, true, err);
}

static CgroupHierarchy *freezer_hierarchy(Cgroup *cg)
{
        CgroupHierarchy *h = cgroup_find(cg, "freezer");

        if (h)
                return h;
        h = cgroup_unified(cg);
        return h && cgroup_file_exists(h, "cgroup.freeze") ? h : NULL;
}

int cgroup_freeze(Cgroup *cg, bool frozen, BerthError **err)
{
        CgroupHierarchy *h = freezer_hierarchy(cg);

        if (!h)
                return berth_error(err, EOPNOTSUPP,
                                   "cgroup freezer: %s: no freezer on this host (no v1 freezer "
                                   "hierarchy, no cgroup.freeze)",
                                   cg->path);
        return h->unified ? cgroup_v2_freeze(cg, h, frozen, err) :
                            cgroup_v1_freeze(cg, h, frozen, err);
}

int cgroup_is_frozen(Cgroup *cg, bool *ret)
{
        CgroupHierarchy *h = freezer_hierarchy(cg);

        if (!h)
                return -EOPNOTSUPP;
        return h->unified ? cgroup_v2_is_frozen(h, ret) : cgroup_v1_is_frozen(h, ret);
}

/* The hierarchy whose cgroup.procs tells the container's processes. */
static CgroupHierarchy *procs_hierarchy(Cgroup *cg)
{
        static const char *const prefer[] = { "pids", "freezer", "memory", "cpu" };
        CgroupHierarchy *h;

        if (cg->layout == CGROUP_LAYOUT_V2)
                return cgroup_unified(cg);
        for (size_t i = 0; i < ELEMENTSOF(prefer); i++)
                if ((h = cgroup_find(cg, prefer[i])) && !h->unified)
                        return h;
        return cg->n > 0 ? &cg->h[0] : NULL;
}

typedef struct PidList {
        pid_t **pids;
        size_t *n, *alloc;
} PidList;

static int collect_pids(const char *dir, pid_t **pids, size_t *n, size_t *alloc);

/* A subtree gone meanwhile has no processes left. */
static int collect_subtree_pids(const char *sub, void *userdata)
{
        PidList *l = userdata;
        int r = collect_pids(sub, l->pids, l->n, l->alloc);
        return r == -ENOENT ? 0 : r;
}

static int collect_pids(const char *dir, pid_t **pids, size_t *n, size_t *alloc)
{
        _cleanup_free_ pid_t *mine = NULL;
        CgroupHierarchy tmp = { .dir = (char *)dir };
        size_t k = 0;
        int r;

        r = cgroup_read_pids(&tmp, &mine, &k);
        if (r < 0)
                return r;
        for (size_t i = 0; i < k; i++) {
                if (*n == *alloc) {
                        *alloc = *alloc ? *alloc * 2 : 32;
                        pid_t *np = realloc(*pids, *alloc * sizeof(pid_t));
                        if (!np)
                                return -ENOMEM;
                        *pids = np;
                }
                (*pids)[(*n)++] = mine[i];
        }
        return for_each_subdir(dir, collect_subtree_pids, &(PidList){ pids, n, alloc });
}

int cgroup_get_pids(Cgroup *cg, pid_t **ret, size_t *ret_n, BerthError **err)
{
        _cleanup_free_ pid_t *pids = NULL;
        CgroupHierarchy *h = procs_hierarchy(cg);
        size_t n = 0, alloc = 0;
        int q;

        if (!h)
                return berth_error(err, ENOENT, "cgroup: %s has no hierarchy", cg->path);
        q = collect_pids(h->dir, &pids, &n, &alloc);
        if (q < 0)
                return berth_error(err, q, "cgroup: read cgroup.procs of %s", cg->path);
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

static int signal_all(Cgroup *cg, int sig, size_t *ret_n, BerthError **err)
{
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int q = cgroup_get_pids(cg, &pids, &n, err);

        if (q < 0)
                return q;
        for (size_t i = 0; i < n; i++)
                if (kill(pids[i], sig) < 0 && errno != ESRCH)
                        return berth_error(err, errno, "cgroup: kill(%d, %d) in %s",
                                           (int)pids[i], sig, cg->path);
        *ret_n = n;
        return 0;
}

int cgroup_kill_all(Cgroup *cg, int sig, BerthError **err)
{
        CgroupHierarchy *u = cgroup_unified(cg);
        bool was_frozen = false, froze = false;
        size_t n = 0;
        int q;

        /* cgroup.kill (Linux 5.14) kills the whole subtree at once, forks included. On a
         * hybrid host the container is in the unified mirror too, so it works there. */
        if (sig == SIGKILL && u && cgroup_file_exists(u, "cgroup.kill")) {
                q = cgroup_write(cg, u, "unified", "cgroup.kill", "1", err);
                if (q >= 0) {
                        /* A task frozen by the v1 freezer (hybrid) dies only once thawed. */
                        CgroupHierarchy *f = cgroup_find(cg, "freezer");
                        if (f && !f->unified && cgroup_v1_is_frozen(f, &was_frozen) >= 0 &&
                            was_frozen)
                                q = cgroup_v1_freeze(cg, f, false, err);
                        return q;
                }
                if (q != -ENOENT)
                        return q;
        }
        /* Otherwise freeze so nothing forks between reading the list and signalling. */
        if (cgroup_is_frozen(cg, &was_frozen) >= 0 && !was_frozen) {
                _cleanup_error_ BerthError *ferr = NULL;
                froze = cgroup_freeze(cg, true, &ferr) >= 0;
        }
        q = signal_all(cg, sig, &n, err);
        if (froze || (was_frozen && sig == SIGKILL)) {
                _cleanup_error_ BerthError *terr = NULL;
                (void)cgroup_freeze(cg, false, &terr);
        }
        if (q < 0 || sig != SIGKILL || froze)
                return q;
        /* No freezer: repeat until nothing is left, a bounded number of times. */
        for (int i = 0; i < 50 && n > 0; i++) {
                msleep(10);
                q = signal_all(cg, sig, &n, err);
                if (q < 0)
                        return q;
        }
        return 0;
}

int cgroup_destroy(Cgroup *cg, BerthError **err)
{
        _cleanup_error_ BerthError *kerr = NULL;
        int r = 0;

        /* An empty cgroup (run reaped its init) goes at the first rmdir; one with processes
         * or nested cgroups refuses it, and those are killed first. */
        CgroupHierarchy *ph = procs_hierarchy(cg);
        CgroupHierarchy *cpu = cgroup_find(cg, "cpu");
        if (cpu && !cpu->unified)
                cgroup_v1_rt_release(cpu);
        bool empty = ph && (rmdir(ph->dir) >= 0 || errno == ENOENT);
        /* Bounded: SIGKILL, then up to ~5 s for the processes to leave. */
        for (int i = 0; !empty && i < 500; i++) {
                _cleanup_free_ pid_t *pids = NULL;
                size_t n = 0;
                berth_error_free(&kerr);
                if (cgroup_get_pids(cg, &pids, &n, &kerr) < 0 || n == 0)
                        break;
                if (i % 50 == 0) {
                        berth_error_free(&kerr);
                        (void)cgroup_kill_all(cg, SIGKILL, &kerr);
                }
                msleep(10);
        }
        for (size_t i = 0; i < cg->n; i++) {
                int q = remove_created(&cg->h[i], true);
                if (q < 0 && r >= 0)
                        r = berth_error(err, q, "cgroup: remove %s", cg->h[i].dir);
        }
        return r;
}
