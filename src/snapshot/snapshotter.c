/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The snapshotter: the backends there are, the default one, and a snapshotter opened on one of
 * them with the program's options. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "basic/dir-fd.h"
#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "snapshot/snapshot-backend.h"

static const SnapshotterOps *const backends[] = {
        &overlay_ops,
        &copy_ops,
};

static const SnapshotterOps *backend_by_name(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(backends); i++)
                if (streq(name, backends[i]->name))
                        return backends[i];
        return NULL;
}

const char *snapshotter_name_at(size_t i)
{
        return i < ELEMENTSOF(backends) ? backends[i]->name : NULL;
}

bool snapshotter_name_is_valid(const char *name)
{
        return name && backend_by_name(name);
}

const char *snapshotter_default_name(void)
{
        _cleanup_free_ char *fs = NULL;

        if (fs_read_full_file("/proc/filesystems", &fs, NULL) >= 0 && strstr(fs, "\toverlay\n"))
                return overlay_ops.name;
        return copy_ops.name;
}

int snapshotter_open(Store *store, const char *root, const SnapshotterOptions *opts,
                     Snapshotter **ret, BerthError **err)
{
        _cleanup_snapshotter_ Snapshotter *s = NULL;
        const char *name = opts && opts->name ? opts->name : snapshotter_default_name();
        const SnapshotterOps *ops = backend_by_name(name);
        int r;

        if (!ops)
                return berth_error_plain(err, EINVAL, "unknown snapshotter `%s`", name);
        s = calloc(1, sizeof(*s));
        if (!s)
                return berth_error(err, ENOMEM, "open snapshotter");
        if (opts)
                s->opts = *opts;
        s->opts.name = ops->name;
        s->ops = ops;
        s->store = store;
        s->dir_fd = -1;
        s->root = strdup(root);
        if (!s->root || asprintf(&s->dir, "%s/snapshots/%s", root, ops->name) < 0)
                return berth_error(err, ENOMEM, "open snapshotter");
        r = s->dir_fd = dir_fd_create_open(AT_FDCWD, s->dir, 0700);
        if (r < 0)
                return berth_error(err, r, "open snapshot directory `%s`", s->dir);
        *ret = TAKE_PTR(s);
        return 0;
}

void snapshotter_free(Snapshotter *s)
{
        if (!s)
                return;
        safe_close(s->dir_fd);
        free(s->root);
        free(s->dir);
        free(s);
}

const char *snapshotter_name(const Snapshotter *s)
{
        return s->ops->name;
}

bool snapshotter_stacks_layers(const Snapshotter *s)
{
        return s->ops->stacks_layers;
}

size_t snapshotter_max_layers(const Snapshotter *s)
{
        return s->ops->max_layers;
}

int snapshotter_open_flat(Snapshotter *s, Snapshotter **ret, BerthError **err)
{
        SnapshotterOptions o = s->opts;

        o.name = copy_ops.name;
        return snapshotter_open(s->store, s->root, &o, ret, err);
}
