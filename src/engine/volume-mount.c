/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Volumes as containers use them: taken for a container at create (made when missing, linked
 * to it, and filled with what the image has at the mount's target while the volume is empty,
 * as Docker copies up), and the anonymous ones dropped with it.
 *
 * The image's files are hostile: the target is resolved inside the rootfs (a symlink there
 * leads to another place in the image, never out of it), and the tree is copied with
 * copy_tree(), which opens nothing through a symlink, copies symlinks as links and walks
 * without recursion.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "basic/confine.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/engine-internal.h"
#include "engine/volume.h"
#include "snapshot/copy-tree.h"

/* 1 when directory fd has no entries, 0 when it has, -errno. */
static int dir_is_empty(int fd)
{
        _cleanup_close_ int dup = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d;
        struct dirent *de;
        int r = 1;

        if (dup < 0)
                return negative_errno();
        d = fdopendir(dup);
        if (!d)
                return negative_errno();
        TAKE_FD(dup);
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..")) {
                        r = 0;
                        break;
                }
        closedir(d);
        return r;
}

/* What the image has at target, into the volume's directory when that is empty. */
static int copy_up(int rootfd, const char *target, const char *data, const char *name,
                   BerthError **err)
{
        _cleanup_close_ int src = -1, dst = -1;
        _cleanup_free_ char *clean = strdup(target);
        int r;

        if (!clean)
                return berth_error(err, ENOMEM, "volume `%s`", name);
        confine_clean_path(clean);
        dst = open(data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dst < 0)
                return berth_error(err, errno, "volume `%s`: open `%s`", name, data);
        /* Two creates taking a new volume at once: one fills it, the other finds it full.
         * The lock goes with the fd. */
        if (flock(dst, LOCK_EX) < 0)
                return berth_error(err, errno, "volume `%s`: lock `%s`", name, data);
        r = dir_is_empty(dst);
        if (r < 0)
                return berth_error(err, -r, "volume `%s`: read `%s`", name, data);
        if (r == 0)
                return 0; /* docker: only an empty volume is filled */
        src = confine_open(rootfd, clean, O_RDONLY | O_DIRECTORY, 0);
        if (src == -ENOENT || src == -ENOTDIR || src == -ELOOP)
                return 0; /* nothing there, or no directory: nothing to copy */
        if (src < 0)
                return berth_error(err, -src, "volume `%s`: open `%s` in the image", name,
                                   target);
        r = copy_tree(src, dst);
        if (r < 0)
                return berth_error(err, -r, "volume `%s`: copy `%s` of the image", name, target);
        return 0;
}

static int add_ref(Engine *e, const char *container_id, const char *name, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = store_prepare(e->store, "INSERT OR IGNORE INTO volume_refs(container, volume) "
                                    "SELECT ?1, name FROM volumes WHERE name = ?2", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, container_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
                return store_error(e->store, "use volume", err);
        return 0;
}

int engine_volume_attach(Engine *e, const char *container_id, int rootfd, const MountSpec *m,
                         char **ret_source, char **ret_created, BerthError **err)
{
        _cleanup_engine_volume_ EngineVolume *made = NULL, *v = NULL;
        const EngineVolumeCreateOptions o = { .name = m->source, .anonymous = !m->source };
        bool created = false;
        int r;

        *ret_created = NULL;
        r = engine_volume_create(e, &o, &made, &created, err);
        if (r < 0)
                return r;
        r = add_ref(e, container_id, made->name, err);
        if (r >= 0)
                r = engine_volume_lookup(e, made->name, &v, err);
        if (r >= 0 && !strv_contains(v->users, container_id))
                r = berth_error_plain(err, ENOENT, "volume `%s` was removed meanwhile",
                                      made->name);
        if (r >= 0 && !m->nocopy)
                r = copy_up(rootfd, m->target, v->mountpoint, v->name, err);
        if (r < 0) {
                if (created) {
                        (void)engine_volume_release(e, container_id, made->name);
                        (void)engine_volume_remove(e, made->name, NULL);
                }
                return r;
        }
        if (created)
                *ret_created = TAKE_PTR(made->name);
        *ret_source = TAKE_PTR(v->mountpoint);
        return 0;
}

int engine_volume_release(Engine *e, const char *container_id, const char *name)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = store_prepare(e->store, "DELETE FROM volume_refs WHERE container = ? AND volume = ?",
                          &st, NULL);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, container_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        return sqlite3_step(st) == SQLITE_DONE ? 0 : -EIO;
}

int engine_volume_anonymous_of(Engine *e, const char *container_id, char ***ret)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_strv_free_ char **names = NULL;
        int r;

        r = store_prepare(e->store, "SELECT v.name FROM volume_refs r JOIN volumes v "
                                    "ON v.name = r.volume WHERE r.container = ? AND v.anonymous",
                          &st, NULL);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, container_id, -1, SQLITE_STATIC);
        while ((r = sqlite3_step(st)) == SQLITE_ROW)
                if (strv_extend(&names, (const char *)sqlite3_column_text(st, 0)) < 0)
                        return -ENOMEM;
        if (r != SQLITE_DONE)
                return -EIO;
        *ret = TAKE_PTR(names);
        return 0;
}

void engine_volume_remove_unused(Engine *e, char *const *names)
{
        for (char *const *n = names; n && *n; n++) {
                _cleanup_error_ BerthError *err = NULL;
                /* One another container uses stays (engine_volume_remove() refuses it). */
                (void)engine_volume_remove(e, *n, &err);
        }
}
