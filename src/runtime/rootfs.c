/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "basic/chase.h"
#include "basic/fs-util.h"
#include "basic/log.h"
#include "basic/mountinfo.h"
#include "basic/string-util.h"
#include "runtime/mount-options.h"
#include "runtime/mount-source.h"
#include "runtime/mount-util.h"
#include "runtime/rootfs.h"
#include "runtime/tmpcopyup.h"

static int mount_error(BerthError **err, int r, size_t i, const SpecMount *m, const char *what)
{
        return berth_error(err, r, "mounts[%zu] (%s on `%s`): %s", i,
                           m->type ? m->type : (m->source ? m->source : "none"), m->destination,
                           what);
}

static unsigned long propagation_flags(const char *s)
{
        static const struct {
                const char *name;
                unsigned long flags;
        } t[] = {
                { "shared", MS_SHARED },
                { "rshared", MS_SHARED | MS_REC },
                { "slave", MS_SLAVE },
                { "rslave", MS_SLAVE | MS_REC },
                { "private", MS_PRIVATE },
                { "rprivate", MS_PRIVATE | MS_REC },
                { "unbindable", MS_UNBINDABLE },
                { "runbindable", MS_UNBINDABLE | MS_REC },
        };
        for (size_t i = 0; s && i < ELEMENTSOF(t); i++)
                if (streq(s, t[i].name))
                        return t[i].flags;
        return 0;
}

static int reopen_dest(RootfsContext *ctx, const char *dest)
{
        return chase_in_root(ctx->rootfd, dest, CHASE_NO_CREATE, 0, 0);
}

static int mount_bind(RootfsContext *ctx, size_t i, const SpecMount *m, const MountOptions *o,
                      BerthError **err)
{
        struct stat st;
        uint64_t set = o->attr_set, clr = o->attr_clr;

        if (!m->source)
                return mount_error(err, 0, i, m, "a bind mount needs a source");
        _cleanup_free_ char *abs = NULL;
        if (m->source[0] != '/' && asprintf(&abs, "%s/%s", ctx->bundle, m->source) < 0)
                return mount_error(err, ENOMEM, i, m, "source");
        /* An idmapped one, or one our user namespace cannot reach, the runtime opens for us
         * (mount-source.h), now, so that it sees the mounts made before; its tree stands for
         * the source. It serves such requests once the cgroup is set up. */
        bool idmapped = mount_options_is_idmapped(m, o);
        _cleanup_close_ int tree = -1;
        _cleanup_close_ int src = idmapped ? -1 : open(abs ? abs : m->source, O_PATH | O_CLOEXEC);
        if (idmapped || (src < 0 && (errno == EACCES || errno == EPERM) && ctx->source_fd >= 0)) {
                int r = 0;
                if (ctx->source_fd < 0)
                        return mount_error(err, 0, i, m, "no runtime to open the source");
                if (ctx->enter_cgroup && (r = ctx->enter_cgroup(ctx, err)) < 0)
                        return r;
                r = mount_source_request(ctx->source_fd, i, &tree, err);
                if (r < 0)
                        return r;
                src = fcntl(tree, F_DUPFD_CLOEXEC, 3);
        }
        if (src < 0)
                return mount_error(err, errno, i, m, "open source");
        if (fstat(src, &st) < 0)
                return mount_error(err, errno, i, m, "stat source");
        _cleanup_close_ int dst =
                chase_in_root(ctx->rootfd, m->destination,
                              S_ISDIR(st.st_mode) ? CHASE_MKDIR : CHASE_MKDIR_FILE, 0755, 0);
        if (dst < 0)
                return mount_error(err, dst, i, m, "create destination in the rootfs");

        /* Non-recursive attributes apply to the top mount only; recursive ones ("rro") to the
         * whole tree afterwards. */
        uint64_t top_set = 0, top_clr = 0;
        mount_options_flags_to_attrs(o->flags, &top_set, &top_clr);
        int r;
        if (tree >= 0) {
                r = mount_attach_fd(tree, dst);
                if (r < 0)
                        return mount_error(err, r, i, m, "attach the source the runtime opened");
        } else {
                r = mount_bind_fd(src, dst, o->recursive_bind, 0, 0);
                if (r < 0)
                        return mount_error(err, r, i, m, "bind mount");
        }
        _cleanup_close_ int mnt = reopen_dest(ctx, m->destination);
        if (mnt < 0)
                return mount_error(err, mnt, i, m, "reopen destination");
        r = mount_setattr_fd(mnt, false, top_set, top_clr, 0);
        if (r < 0)
                return mount_error(err, r, i, m, "set mount options");
        r = mount_setattr_fd(mnt, true, set, clr, 0);
        if (r < 0)
                return mount_error(err, r, i, m, "set recursive mount options");
        if (o->propagation) {
                char p[32];
                fd_proc_path(mnt, p);
                if (mount(NULL, p, NULL, o->propagation, NULL) < 0)
                        return mount_error(err, errno, i, m, "set propagation");
        }
        return 0;
}

static int mount_cgroup(RootfsContext *ctx, size_t i, const SpecMount *m, const MountOptions *o,
                        BerthError **err)
{
        unsigned long ro = o->flags & MS_RDONLY;
        uint64_t set = 0, clr = 0;
        char p[32];
        int r;

        mount_options_flags_to_attrs(o->flags & ~MS_RDONLY, &set, &clr);
        _cleanup_close_ int dst = chase_in_root(ctx->rootfd, m->destination, CHASE_MKDIR, 0755, 0);
        if (dst < 0)
                return mount_error(err, dst, i, m, "create destination in the rootfs");

        /* A single cgroup2 hierarchy: in a new cgroup namespace the kernel shows the
         * container's own cgroup as the root, so mount it; otherwise bind that subtree. */
        bool pure_v2 = strv_length(ctx->cgroup_paths) == 1 &&
                       startswith(ctx->cgroup_paths[0], "/sys/fs/cgroup\t");
        if (pure_v2 && ctx->new_cgroupns) {
                r = mount_new_fs_fd("cgroup2", "cgroup2", NULL, set | (ro ? MOUNT_ATTR_RDONLY : 0),
                                    dst);
                if (r < 0)
                        return mount_error(err, r, i, m, "mount cgroup2");
                return 0;
        }
        /* v1: one directory per hierarchy in a tmpfs of our own, made right here (nothing of
         * the rootfs's is in it to resolve through). */
        _cleanup_close_ int tmp = -1;
        if (!pure_v2) {
                fd_proc_path(dst, p);
                if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
                        return mount_error(err, errno, i, m, "mount tmpfs for the hierarchies");
                tmp = reopen_dest(ctx, m->destination);
                if (tmp < 0)
                        return mount_error(err, tmp, i, m, "reopen the hierarchies' tmpfs");
        }
        STRV_FOREACH(e, ctx->cgroup_paths) {
                _cleanup_free_ char *mp = strdup(*e), *src = NULL;
                if (!mp)
                        return mount_error(err, ENOMEM, i, m, "cgroup");
                char *tab = strchr(mp, '\t');
                *tab = 0;
                const char *name = pure_v2 ? "" : strrchr(mp, '/') + 1;
                if (asprintf(&src, "%s%s", mp, tab + 1) < 0)
                        return mount_error(err, ENOMEM, i, m, "cgroup");
                _cleanup_close_ int sfd = open(src, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (sfd < 0)
                        return mount_error(err, errno, i, m, src);
                _cleanup_close_ int d = -1;
                if (pure_v2)
                        d = TAKE_FD(dst);
                else if (mkdirat(tmp, name, 0755) < 0 && errno != EEXIST)
                        d = -errno;
                else if ((d = openat(tmp, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
                        d = -errno;
                if (d < 0)
                        return mount_error(err, d, i, m, name);
                r = mount_bind_fd(sfd, d, false, set | (ro ? MOUNT_ATTR_RDONLY : 0), clr);
                if (r < 0)
                        return mount_error(err, r, i, m, src);
        }
        if (!pure_v2 && ro && (r = mount_setattr_fd(tmp, false, MOUNT_ATTR_RDONLY, 0, 0)) < 0)
                return mount_error(err, r, i, m, "make the cgroup tmpfs read-only");
        return 0;
}

/* dest equals want ("/proc") but for repeated and trailing slashes. */
static bool destination_is(const char *dest, const char *want)
{
        for (;;) {
                while (dest[0] == '/' && dest[1] == '/')
                        dest++;
                if (*want == 0)
                        return *dest == 0 || (dest[0] == '/' && dest[1] == 0);
                if (*dest != *want)
                        return false;
                dest++;
                want++;
        }
}

/* proc and sysfs, and whatever goes on /proc, /sys or /dev, must land on a directory of the
 * rootfs's own: through a symlink the real filesystem would be mounted elsewhere and the
 * container's /proc be whatever the link names. runc refuses the same ("must be mounted on
 * ordinary directory"); a missing one is created as a directory. */
static int check_special_destination(RootfsContext *ctx, size_t i, const SpecMount *m,
                                     BerthError **err)
{
        static const char *const special[] = { "/proc", "/sys", "/dev" };
        bool is = m->type && (streq(m->type, "proc") || streq(m->type, "sysfs"));
        struct stat st;
        char what[PATH_MAX + 96];

        for (size_t k = 0; !is && k < ELEMENTSOF(special); k++)
                is = destination_is(m->destination, special[k]);
        if (!is)
                return 0;
        /* Without trailing slashes, which would make the last component followed. */
        _cleanup_free_ char *dest = strdup(m->destination);
        if (!dest)
                return mount_error(err, ENOMEM, i, m, "destination");
        for (size_t n = strlen(dest); n > 1 && dest[n - 1] == '/'; n--)
                dest[n - 1] = 0;
        _cleanup_close_ int fd = chase_in_root(ctx->rootfd, dest, CHASE_NO_CREATE, 0, O_NOFOLLOW);
        if (fd == -ENOENT)
                return 0;
        if (fd < 0)
                return mount_error(err, fd, i, m, "open destination in the rootfs");
        if (fstat(fd, &st) < 0)
                return mount_error(err, errno, i, m, "stat destination in the rootfs");
        if (S_ISDIR(st.st_mode))
                return 0;
        snprintf(what, sizeof(what), "`%s` in the rootfs is %s: it must be an ordinary directory",
                 m->destination, S_ISLNK(st.st_mode) ? "a symlink" : "not a directory");
        return mount_error(err, 0, i, m, what);
}

static bool path_is_dev(const char *p)
{
        p += strspn(p, "/");
        return startswith(p, "dev") && !p[3 + strspn(p + 3, "/")];
}

/* As runc does, a read-only tmpfs or /dev is mounted writable and made read-only only once
 * what goes below it is there (devpts, the devices, the console): rootfs_remount_readonly(). */
static bool readonly_later(const SpecMount *m, const MountOptions *o)
{
        return (o->flags & MS_RDONLY) &&
               ((m->type && streq(m->type, "tmpfs")) || path_is_dev(m->destination));
}

int rootfs_remount_readonly(RootfsContext *ctx, BerthError **err)
{
        for (size_t i = 0; i < ctx->spec->n_mounts; i++) {
                const SpecMount *m = &ctx->spec->mounts[i];
                _cleanup_(mount_options_done) MountOptions o = {};
                int r = mount_options_parse(m->options, &o);
                if (r < 0)
                        return mount_error(err, r, i, m, "parse options");
                if (!readonly_later(m, &o))
                        continue;
                _cleanup_close_ int fd = reopen_dest(ctx, m->destination);
                if (fd < 0)
                        return mount_error(err, fd, i, m, "reopen to make it read-only");
                r = mount_setattr_fd(fd, false, MOUNT_ATTR_RDONLY, 0, 0);
                if (r < 0)
                        return mount_error(err, r, i, m, "make it read-only");
        }
        return 0;
}

static int mount_one(RootfsContext *ctx, size_t i, const SpecMount *m, BerthError **err)
{
        _cleanup_(mount_options_done) MountOptions o = {};
        char p[32];
        int r;

        r = check_special_destination(ctx, i, m, err);
        if (r < 0)
                return r;
        r = mount_options_parse(m->options, &o);
        if (r < 0)
                return mount_error(err, r, i, m, "parse options");
        if (readonly_later(m, &o))
                o.flags &= ~MS_RDONLY;
        bool bind = o.bind || (m->type && streq(m->type, "bind"));
        if (mount_options_is_idmapped(m, &o) && !bind)
                return mount_error(err, 0, i, m, "idmapped mounts are supported for bind mounts "
                                                 "only");
        if (o.tmpcopyup && (bind || !m->type || !streq(m->type, "tmpfs")))
                return mount_error(err, 0, i, m, "the tmpcopyup option is for tmpfs mounts only");
        if (o.bind || (m->type && streq(m->type, "bind")))
                return mount_bind(ctx, i, m, &o, err);
        if (!m->type)
                return mount_error(err, 0, i, m, "a mount needs a type unless it is a bind mount");
        if (streq(m->type, "cgroup") || streq(m->type, "cgroup2")) {
                if (ctx->enter_cgroup && (r = ctx->enter_cgroup(ctx, err)) < 0)
                        return r;
                return mount_cgroup(ctx, i, m, &o, err);
        }

        _cleanup_close_ int dst = chase_in_root(ctx->rootfd, m->destination, CHASE_MKDIR, 0755, 0);
        if (dst < 0)
                return mount_error(err, dst, i, m, "create destination in the rootfs");
        fd_proc_path(dst, p);
        if (o.tmpcopyup) {
                r = tmpcopyup_mount(dst, m->destination, o.flags, o.data, err);
                if (r < 0)
                        return berth_error_prefix(err, "mounts[%zu] (tmpcopyup on `%s`)", i,
                                                  m->destination);
        } else if (mount(m->source ? m->source : m->type, p, m->type, o.flags, o.data) < 0) {
                int e = errno;
                /* sysfs cannot be mounted from a user namespace that does not own the network
                 * namespace: bind the host's, as runc does. */
                if (streq(m->type, "sysfs") && (e == EPERM || e == EACCES) && ctx->userns) {
                        _cleanup_close_ int sys = open("/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
                        if (sys >= 0 && mount_bind_fd(sys, dst, true, MOUNT_ATTR_RDONLY |
                                                              MOUNT_ATTR_NOSUID |
                                                              MOUNT_ATTR_NODEV |
                                                              MOUNT_ATTR_NOEXEC, 0) >= 0)
                                return 0;
                }
                return mount_error(err, e, i, m, "mount");
        }
        if (o.propagation || o.attr_set || o.attr_clr) {
                _cleanup_close_ int mnt = reopen_dest(ctx, m->destination);
                if (mnt < 0)
                        return mount_error(err, mnt, i, m, "reopen destination");
                r = mount_setattr_fd(mnt, true, o.attr_set, o.attr_clr, 0);
                if (r < 0)
                        return mount_error(err, r, i, m, "set recursive mount options");
                if (o.propagation) {
                        fd_proc_path(mnt, p);
                        if (mount(NULL, p, NULL, o.propagation, NULL) < 0)
                                return mount_error(err, errno, i, m, "set propagation");
                }
        }
        return 0;
}

int rootfs_capture_cgroups(RootfsContext *ctx, BerthError **err)
{
        _cleanup_mountinfo_ MountInfoIter it = {};
        _cleanup_free_ char *self = NULL;
        MountInfo mi;
        int r;

        r = fs_read_full_file("/proc/self/cgroup", &self, NULL);
        if (r < 0)
                return berth_error(err, r, "read /proc/self/cgroup");
        r = mountinfo_open(&it, NULL);
        if (r < 0)
                return berth_error(err, r, "open /proc/self/mountinfo");
        while (mountinfo_next(&it, &mi) > 0) {
                const char *root = mi.root, *mp = mi.mount_point, *super = mi.super_options;
                if (!startswith(mp, "/sys/fs/cgroup"))
                        continue;
                bool v2 = streq(mi.fstype, "cgroup2");
                if (!v2 && !streq(mi.fstype, "cgroup"))
                        continue;
                /* Find this hierarchy's line in /proc/self/cgroup: "0::path" for cgroup2, for v1
                 * the line whose controllers are all in the mount's super options. */
                _cleanup_free_ char *copy = strdup(self);
                char *save = NULL;
                for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                        char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                        if (!c2)
                                continue;
                        *c2 = 0;
                        const char *ctrls = c1 + 1, *path = c2 + 1;
                        bool match;
                        if (v2)
                                match = !*ctrls;
                        else {
                                match = *ctrls != 0;
                                _cleanup_free_ char *cs = strdup(ctrls);
                                char *s2 = NULL;
                                for (char *c = strtok_r(cs, ",", &s2); c && match;
                                     c = strtok_r(NULL, ",", &s2)) {
                                        char pat[128];
                                        snprintf(pat, sizeof(pat), ",%s,", c);
                                        _cleanup_free_ char *sup = NULL;
                                        if (asprintf(&sup, ",%s,", super) < 0)
                                                return berth_error(err, ENOMEM, "cgroups");
                                        match = strstr(sup, pat) != NULL;
                                }
                        }
                        if (!match)
                                continue;
                        const char *rel = path;
                        if (!streq(root, "/") && startswith(path, root))
                                rel = path + strlen(root);
                        if (streq(rel, "/"))
                                rel = "";
                        _cleanup_free_ char *entry = NULL;
                        if (asprintf(&entry, "%s\t%s", mp, rel) < 0 ||
                            strv_push(&ctx->cgroup_paths, entry) < 0)
                                return berth_error(err, ENOMEM, "cgroups");
                        entry = NULL;
                        break;
                }
        }
        return 0;
}

static int make_parent_mount_private(const char *path)
{
        _cleanup_mountinfo_ MountInfoIter it = {};
        _cleanup_free_ char *best = NULL;
        size_t best_len = 0;
        MountInfo mi;

        int r = mountinfo_open(&it, NULL);
        if (r < 0)
                return r;
        while (mountinfo_next(&it, &mi) > 0) {
                const char *mp = mi.mount_point;
                size_t l = strlen(mp);
                bool prefix = streq(mp, "/") ||
                              (strneq(path, mp, l) && (path[l] == '/' || path[l] == 0));
                if (prefix && (l > best_len || !best)) {
                        free(best);
                        best = strdup(mp);
                        best_len = l;
                }
        }
        if (!best)
                return -ENOENT;
        return mount(NULL, best, NULL, MS_PRIVATE, NULL) < 0 ? -errno : 0;
}

int rootfs_prepare(RootfsContext *ctx, BerthError **err)
{
        const SpecLinux *l = ctx->spec->linux_;
        unsigned long prop = MS_SLAVE | MS_REC;
        int r;

        if (l && l->rootfs_propagation) {
                prop = propagation_flags(l->rootfs_propagation);
                if (!prop)
                        return berth_error(err, 0, "linux.rootfsPropagation: unknown value \"%s\"",
                                           l->rootfs_propagation);
        }
        /* Nothing done below may propagate back to the host. An unbindable root would refuse
         * the rootfs bind below: it stays private until rootfs_finalize() sets it. */
        if (prop & MS_UNBINDABLE)
                prop = MS_PRIVATE | (prop & MS_REC);
        if (mount(NULL, "/", NULL, prop, NULL) < 0)
                return berth_error(err, errno, "set propagation of / to %s",
                                   l && l->rootfs_propagation ? l->rootfs_propagation : "rslave");
        /* pivot_root refuses a new root whose parent mount is shared: with a shared root
         * propagation, make just that parent private, as runc does. */
        if (prop & MS_SHARED) {
                r = make_parent_mount_private(ctx->rootfs);
                if (r < 0)
                        return berth_error(err, r, "make the mount holding the rootfs `%s` "
                                                   "private", ctx->rootfs);
        }
        /* The rootfs becomes a mount of its own, as pivot_root needs. */
        if (mount(ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                return berth_error(err, errno, "bind mount the rootfs `%s`", ctx->rootfs);
        ctx->rootfd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (ctx->rootfd < 0)
                return berth_error(err, errno, "open rootfs `%s`", ctx->rootfs);

        bool dev_bound = false;
        for (size_t i = 0; i < ctx->spec->n_mounts; i++) {
                const SpecMount *m = &ctx->spec->mounts[i];
                r = mount_one(ctx, i, m, err);
                if (r < 0)
                        return r;
                if (streq(m->destination, "/dev") && m->type && !streq(m->type, "tmpfs"))
                        dev_bound = true;
        }
        if (!dev_bound) {
                r = devices_create_defaults(ctx, err);
                if (r < 0)
                        return r;
                r = devices_create_links(ctx, err);
                if (r < 0)
                        return r;
        }
        return devices_create_config(ctx, err);
}

int rootfs_pivot(RootfsContext *ctx, bool no_pivot, BerthError **err)
{
        _cleanup_close_ int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (oldroot < 0)
                return berth_error(err, errno, "open the old root");
        if (fchdir(ctx->rootfd) < 0)
                return berth_error(err, errno, "enter rootfs `%s`", ctx->rootfs);
        if (no_pivot) {
                if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
                        return berth_error(err, errno, "move the rootfs to /");
                if (chroot(".") < 0)
                        return berth_error(err, errno, "chroot into the rootfs");
        } else {
                if (syscall(SYS_pivot_root, ".", ".") < 0)
                        return berth_error(err, errno, "pivot_root into `%s`", ctx->rootfs);
                /* The old root is stacked on "."; detach it without telling the host. "." may
                 * still be the new root for mount(2) (it does not cross the mount on top): go
                 * to the old root by its fd, or the rslave would reach the container's own
                 * mounts and undo their propagation options, as runc knows. */
                if (fchdir(oldroot) < 0)
                        return berth_error(err, errno, "enter the old root");
                if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                        return berth_error(err, errno, "make the old root a slave");
                if (umount2(".", MNT_DETACH) < 0)
                        return berth_error(err, errno, "detach the old root");
        }
        if (chdir("/") < 0)
                return berth_error(err, errno, "chdir to the new root");
        safe_close(ctx->rootfd);
        ctx->rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (ctx->rootfd < 0)
                return berth_error(err, errno, "open the new root");
        return 0;
}

static int mask_path(RootfsContext *ctx, const char *path, BerthError **err)
{
        struct stat st;
        int r;

        _cleanup_close_ int fd = chase_in_root(ctx->rootfd, path, CHASE_NO_CREATE, 0, 0);
        if (fd == -ENOENT || fd == -ENOTDIR)
                return 0;
        if (fd < 0)
                return berth_error(err, fd, "linux.maskedPaths: open `%s`", path);
        if (fstat(fd, &st) < 0)
                return berth_error(err, errno, "linux.maskedPaths: stat `%s`", path);
        if (S_ISDIR(st.st_mode))
                r = mount_new_fs_fd("tmpfs", "tmpfs", "size=0,mode=755", MOUNT_ATTR_RDONLY, fd);
        else
                r = mount_bind_fd(ctx->devnull, fd, false, 0, 0);
        if (r < 0)
                return berth_error(err, r, "linux.maskedPaths: mask `%s`", path);
        return 0;
}

static int readonly_path(RootfsContext *ctx, const char *path, BerthError **err)
{
        _cleanup_close_ int fd = chase_in_root(ctx->rootfd, path, CHASE_NO_CREATE, 0, 0);
        if (fd == -ENOENT || fd == -ENOTDIR)
                return 0;
        if (fd < 0)
                return berth_error(err, fd, "linux.readonlyPaths: open `%s`", path);
        int r = mount_bind_fd(fd, fd, true, MOUNT_ATTR_RDONLY, 0);
        if (r < 0)
                return berth_error(err, r, "linux.readonlyPaths: make `%s` read-only", path);
        return 0;
}

/* What masked files get: the container's /dev/null, opened without following links and
 * checked to be the null device, so a container cannot swap it for a link to something it
 * wants writable (CVE-2025-31133). The fd pins what was checked. */
static int open_devnull(RootfsContext *ctx, BerthError **err)
{
        struct stat st;

        ctx->devnull = chase_in_root(ctx->rootfd, "/dev/null", CHASE_NO_CREATE, 0, O_NOFOLLOW);
        if (ctx->devnull < 0)
                return berth_error(err, ctx->devnull, "linux.maskedPaths: open /dev/null");
        if (fstat(ctx->devnull, &st) < 0)
                return berth_error(err, errno, "linux.maskedPaths: stat /dev/null");
        if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
                return berth_error(err, 0, "linux.maskedPaths: /dev/null in the container is not "
                                           "the null device");
        return 0;
}

int rootfs_finalize(RootfsContext *ctx, BerthError **err)
{
        const SpecLinux *l = ctx->spec->linux_;
        int r;

        if (l && l->masked_paths && (r = open_devnull(ctx, err)) < 0)
                return r;

        if (l) {
                STRV_FOREACH(p, l->readonly_paths)
                        if ((r = readonly_path(ctx, *p, err)) < 0)
                                return r;
                STRV_FOREACH(p, l->masked_paths)
                        if ((r = mask_path(ctx, *p, err)) < 0)
                                return r;
        }
        /* process.cwd is made while the root may still be written, as runc does. */
        if (ctx->spec->process && ctx->spec->process->cwd) {
                int fd = chase_in_root(ctx->rootfd, ctx->spec->process->cwd, CHASE_MKDIR, 0755,
                                       O_DIRECTORY);
                if (fd < 0)
                        return berth_error(err, fd, "process.cwd `%s`",
                                           ctx->spec->process->cwd);
                safe_close(fd);
        }
        if (ctx->spec->root_readonly) {
                r = mount_setattr_fd(ctx->rootfd, false, MOUNT_ATTR_RDONLY, 0, 0);
                if (r < 0)
                        return berth_error(err, r, "root.readonly: make / read-only");
        }
        if (l && l->rootfs_propagation &&
            mount(NULL, "/", NULL, propagation_flags(l->rootfs_propagation), NULL) < 0)
                return berth_error(err, errno, "linux.rootfsPropagation: set %s on /",
                                   l->rootfs_propagation);
        return 0;
}

int rootfs_bind_console(const char *slave_path, BerthError **err)
{
        _cleanup_close_ int src = open(slave_path, O_PATH | O_CLOEXEC);
        if (src < 0)
                return berth_error(err, errno, "open `%s`", slave_path);
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int dev = chase_in_root(root, "/dev", CHASE_MKDIR, 0755, O_DIRECTORY);
        if (dev < 0)
                return berth_error(err, dev, "open /dev for /dev/console");
        /* Onto the file itself, never through a link (to e.g. /proc/sys/kernel/core_pattern)
         * or onto a FIFO or directory a rootfs of its own /dev may hold there. A device node
         * is fine: a host /dev bound in has one, and the pty only covers it in here. */
        _cleanup_close_ int made = openat(dev, "console",
                                          O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                                          0600);
        if (made < 0 && errno != EEXIST)
                return berth_error(err, errno, "create /dev/console");
        _cleanup_close_ int dst = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (dst < 0 || fstat(dst, &st) < 0)
                return berth_error(err, errno, "open /dev/console");
        if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
                return berth_error(err, 0, "/dev/console in the rootfs is %s, not a regular file: "
                                           "refusing to bind the pty onto it",
                                   S_ISLNK(st.st_mode)   ? "a symlink"
                                   : S_ISDIR(st.st_mode) ? "a directory"
                                   : S_ISFIFO(st.st_mode) ? "a FIFO"
                                                          : "a special file");
        int r = mount_bind_fd(src, dst, false, 0, 0);
        if (r < 0)
                return berth_error(err, r, "bind the pty onto /dev/console");
        return 0;
}

void rootfs_context_done(RootfsContext *ctx)
{
        ctx->rootfd = safe_close(ctx->rootfd);
        ctx->devnull = safe_close(ctx->devnull);
        strv_freep(&ctx->cgroup_paths);
}
