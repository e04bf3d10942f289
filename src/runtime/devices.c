/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's /dev: the default nodes, linux.devices and the standard links. */
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "basic/chase.h"
#include "basic/string-util.h"
#include "runtime/mount-util.h"
#include "runtime/rootfs.h"

typedef struct DeviceNode {
        const char *path;
        mode_t type; /* S_IFCHR, S_IFBLK or S_IFIFO */
        unsigned major, minor;
        mode_t mode;
        uid_t uid;
        gid_t gid;
} DeviceNode;

static const DeviceNode default_devices[] = {
        { "/dev/null", S_IFCHR, 1, 3, 0666, 0, 0 },    { "/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0 },
        { "/dev/full", S_IFCHR, 1, 7, 0666, 0, 0 },    { "/dev/random", S_IFCHR, 1, 8, 0666, 0, 0 },
        { "/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0 }, { "/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0 },
};

static int split_path(const char *path, char **ret_dir, char **ret_base)
{
        _cleanup_free_ char *a = strdup(path), *b = strdup(path);
        if (!a || !b)
                return -ENOMEM;
        *ret_dir = strdup(dirname(a));
        *ret_base = strdup(basename(b));
        if (!*ret_dir || !*ret_base)
                return -ENOMEM;
        return 0;
}

static int create_node(RootfsContext *ctx, const DeviceNode *d, BerthError **err)
{
        _cleanup_free_ char *dir = NULL, *base = NULL;
        struct stat st;
        int r;

        r = split_path(d->path, &dir, &base);
        if (r < 0)
                return berth_error(err, r, "device `%s`", d->path);
        if (streq(base, "/") || streq(base, ".") || streq(base, ".."))
                return berth_error(err, 0, "device path `%s` is not a file name", d->path);
        _cleanup_close_ int parent = chase_in_root(ctx->rootfd, dir, CHASE_MKDIR, 0755,
                                                   O_DIRECTORY);
        if (parent < 0)
                return berth_error(err, parent, "create the directory of device `%s`", d->path);
        /* Only a node we made is kept: whatever the image put there is replaced. */
        if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                if (S_ISDIR(st.st_mode))
                        return berth_error(err, EISDIR, "device `%s`", d->path);
                if (unlinkat(parent, base, 0) < 0)
                        return berth_error(err, errno, "replace `%s`", d->path);
        }

        if (ctx->userns && d->type != S_IFIFO) {
                /* No mknod in a user namespace: bind the host's node onto an empty file. */
                _cleanup_close_ int src = open(d->path, O_PATH | O_CLOEXEC);
                if (src < 0)
                        return berth_error(err, errno, "open host device `%s` to bind it",
                                           d->path);
                _cleanup_close_ int f = openat(parent, base,
                                               O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
                                               0000);
                if (f < 0)
                        return berth_error(err, errno, "create `%s`", d->path);
                _cleanup_close_ int dst = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (dst < 0)
                        return berth_error(err, errno, "open `%s`", d->path);
                r = mount_bind_fd(src, dst, false, 0, 0);
                if (r < 0)
                        return berth_error(err, r, "bind host device `%s`", d->path);
                return 0;
        }
        if (mknodat(parent, base, d->type | (d->mode & 07777), makedev(d->major, d->minor)) < 0)
                return berth_error(err, errno, "mknod `%s` (%u:%u)", d->path, d->major, d->minor);
        if (fchownat(parent, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
                return berth_error(err, errno, "chown `%s` to %u:%u", d->path, d->uid, d->gid);
        if (fchmodat(parent, base, d->mode & 07777, 0) < 0)
                return berth_error(err, errno, "chmod `%s`", d->path);
        return 0;
}

int devices_create_defaults(RootfsContext *ctx, BerthError **err)
{
        for (size_t i = 0; i < ELEMENTSOF(default_devices); i++) {
                int r = create_node(ctx, &default_devices[i], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int devices_create_config(RootfsContext *ctx, BerthError **err)
{
        const SpecLinux *l = ctx->spec->linux_;

        for (size_t i = 0; l && i < l->n_devices; i++) {
                const SpecDevice *sd = &l->devices[i];
                DeviceNode d = {
                        .path = sd->path,
                        .major = (unsigned)sd->major,
                        .minor = (unsigned)sd->minor,
                        .mode = sd->has_file_mode ? sd->file_mode : 0666,
                        .uid = sd->has_uid ? sd->uid : 0,
                        .gid = sd->has_gid ? sd->gid : 0,
                };
                if (streq(sd->type, "c") || streq(sd->type, "u"))
                        d.type = S_IFCHR;
                else if (streq(sd->type, "b"))
                        d.type = S_IFBLK;
                else if (streq(sd->type, "p"))
                        d.type = S_IFIFO;
                else
                        return berth_error(err, 0, "linux.devices[%zu].type: unknown type \"%s\"",
                                           i, sd->type);
                int r = create_node(ctx, &d, err);
                if (r < 0)
                        return berth_error_prefix(err, "linux.devices[%zu]", i);
        }
        return 0;
}

int devices_create_links(RootfsContext *ctx, BerthError **err)
{
        static const struct {
                const char *target, *name;
        } links[] = {
                { "/proc/self/fd", "fd" },      { "/proc/self/fd/0", "stdin" },
                { "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
                { "pts/ptmx", "ptmx" },
        };
        _cleanup_close_ int dev = chase_in_root(ctx->rootfd, "/dev", CHASE_MKDIR, 0755, O_DIRECTORY);
        if (dev < 0)
                return berth_error(err, dev, "create /dev in the rootfs");
        for (size_t i = 0; i < ELEMENTSOF(links); i++) {
                if (streq(links[i].name, "ptmx"))
                        unlinkat(dev, "ptmx", 0);
                if (symlinkat(links[i].target, dev, links[i].name) < 0 && errno != EEXIST)
                        return berth_error(err, errno, "create link /dev/%s", links[i].name);
        }
        return 0;
}
