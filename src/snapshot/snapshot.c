/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "content/digest.h"
#include "snapshot/snapshot.h"

static const char *const kind_names[_SNAPSHOT_KIND_MAX] = {
        [SNAPSHOT_OVERLAY] = "overlay",
        [SNAPSHOT_COPY] = "copy",
};

const char *snapshot_kind_to_string(SnapshotKind k)
{
        return k < _SNAPSHOT_KIND_MAX ? kind_names[k] : NULL;
}

int snapshot_kind_from_string(const char *s, SnapshotKind *ret)
{
        for (SnapshotKind k = 0; k < _SNAPSHOT_KIND_MAX; k++)
                if (streq(s, kind_names[k])) {
                        *ret = k;
                        return 0;
                }
        return -EINVAL;
}

SnapshotKind snapshot_kind_default(void)
{
        _cleanup_free_ char *fs = NULL;
        SnapshotKind k;
        const char *e = getenv("BERTH_SNAPSHOTTER");

        if (e && snapshot_kind_from_string(e, &k) >= 0)
                return k;
        if (fs_read_full_file("/proc/filesystems", &fs, NULL) >= 0 && strstr(fs, "\toverlay\n"))
                return SNAPSHOT_OVERLAY;
        return SNAPSHOT_COPY;
}

int snapshotter_open(Metadata *md, const char *root, SnapshotKind kind, Snapshotter **ret,
                     BerthError **err)
{
        Snapshotter *s;
        int r;

        s = calloc(1, sizeof(*s));
        if (!s)
                return berth_error(err, ENOMEM, "snapshotter");
        s->md = md;
        s->kind = kind;
        s->dir_fd = -1;
        s->root = strdup(root);
        if (!s->root || asprintf(&s->dir, "%s/snapshots/%s", root, kind_names[kind]) < 0) {
                snapshotter_free(s);
                return berth_error(err, ENOMEM, "snapshotter");
        }
        r = fs_mkdir_p(s->dir, 0700);
        if (r >= 0) {
                s->dir_fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (s->dir_fd < 0)
                        r = negative_errno();
        }
        if (r < 0) {
                r = berth_error(err, r, "Failed to open snapshot directory '%s'", s->dir);
                snapshotter_free(s);
                return r;
        }
        *ret = s;
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

int snapshot_exists(Snapshotter *s, const char *chain_id)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct stat sb;
        const char *hex = digest_hex(chain_id);

        if (!hex)
                return -EINVAL;
        if (sqlite3_prepare_v2(s->md->db,
                               "SELECT 1 FROM snapshots WHERE chain_id = ? AND kind = ?", -1, &st,
                               NULL) != SQLITE_OK)
                return -EIO;
        sqlite3_bind_text(st, 1, chain_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, kind_names[s->kind], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
                return 0;
        return fstatat(s->dir_fd, hex, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(sb.st_mode);
}

int snapshot_path(Snapshotter *s, const char *chain_id, char **ret)
{
        const char *hex = digest_hex(chain_id);
        if (!hex)
                return -EINVAL;
        return asprintf(ret, "%s/%s", s->dir, hex) < 0 ? -ENOMEM : 0;
}

int snapshot_prepare(Snapshotter *s, const char *chain_id, const char *parent, SnapshotTx **ret,
                     BerthError **err)
{
        _cleanup_snapshot_tx_ SnapshotTx *tx = NULL;
        unsigned char rnd[8];
        int r;

        if (!digest_is_valid(chain_id) || (parent && !digest_is_valid(parent)))
                return berth_error_plain(err, EINVAL, "Invalid chain ID '%s'", chain_id);
        tx = calloc(1, sizeof(*tx));
        if (!tx)
                return berth_error(err, ENOMEM, "snapshot");
        tx->s = s;
        tx->fd = -1;
        if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
                return berth_error_plain(err, EIO, "getrandom");
        tx->chain_id = strdup(chain_id);
        tx->parent = parent ? strdup(parent) : NULL;
        if (!tx->chain_id || (parent && !tx->parent) ||
            asprintf(&tx->tmp_name, "tmp-%.12s-%02x%02x%02x%02x", digest_hex(chain_id), rnd[0],
                     rnd[1], rnd[2], rnd[3]) < 0)
                return berth_error(err, ENOMEM, "snapshot");
        if (mkdirat(s->dir_fd, tx->tmp_name, 0755) < 0)
                return berth_error(err, errno, "Failed to create snapshot directory in '%s'",
                                   s->dir);
        tx->fd = openat(s->dir_fd, tx->tmp_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (tx->fd < 0)
                return berth_error(err, errno, "Failed to open snapshot directory in '%s'",
                                   s->dir);
        /* Held while we fill it: snapshot_clean_tmp() only takes directories nobody holds. */
        if (flock(tx->fd, LOCK_EX) < 0)
                return berth_error(err, errno, "Failed to lock snapshot directory in '%s'",
                                   s->dir);
        if (s->kind == SNAPSHOT_COPY && parent) {
                r = copy_prepare(s, parent, tx->fd, err);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(tx);
        return 0;
}

int snapshot_commit(SnapshotTx *tx, const char *diff_id, BerthError **err)
{
        Snapshotter *s = tx->s;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        const char *hex = digest_hex(tx->chain_id);
        int r;

        if (syncfs(tx->fd) < 0)
                return berth_error(err, errno, "Failed to sync snapshot %s", tx->chain_id);
        if (renameat(s->dir_fd, tx->tmp_name, s->dir_fd, hex) < 0) {
                if (errno != EEXIST && errno != ENOTEMPTY)
                        return berth_error(err, errno, "Failed to commit snapshot %s",
                                           tx->chain_id);
                /* Someone else unpacked the same layers meanwhile: theirs is as good. */
        } else
                tx->committed = true;
        r = metadata_prepare(s->md,
                             "INSERT OR REPLACE INTO snapshots(chain_id, kind, parent, diff_id, "
                             "created) VALUES(?,?,?,?,?)",
                             &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, tx->chain_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, kind_names[s->kind], -1, SQLITE_STATIC);
        if (tx->parent)
                sqlite3_bind_text(st, 3, tx->parent, -1, SQLITE_TRANSIENT);
        else
                sqlite3_bind_null(st, 3);
        sqlite3_bind_text(st, 4, diff_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, (int64_t)time(NULL));
        if (sqlite3_step(st) != SQLITE_DONE)
                return metadata_error(s->md, "Failed to record snapshot", err);
        tx->committed = true;
        return 0;
}

void snapshot_tx_free(SnapshotTx *tx)
{
        if (!tx)
                return;
        safe_close(tx->fd);
        /* Not committed, or lost the race: the temporary directory goes. */
        (void)fs_rm_rf_at(tx->s->dir_fd, tx->tmp_name);
        free(tx->chain_id);
        free(tx->parent);
        free(tx->tmp_name);
        free(tx);
}

int snapshot_remove(Snapshotter *s, const char *chain_id, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        const char *hex = digest_hex(chain_id);
        int r;

        if (!hex)
                return berth_error_plain(err, EINVAL, "Invalid chain ID '%s'", chain_id);
        r = metadata_prepare(s->md, "DELETE FROM snapshots WHERE chain_id = ? AND kind = ?", &st,
                             err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, chain_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, kind_names[s->kind], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
                return metadata_error(s->md, "Failed to remove snapshot", err);
        r = fs_rm_rf_at(s->dir_fd, hex);
        if (r < 0)
                return berth_error(err, r, "Failed to remove snapshot %s", chain_id);
        return 0;
}

int snapshot_clean_tmp(Snapshotter *s)
{
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int fd = openat(s->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return negative_errno();
        }
        while ((de = readdir(d))) {
                _cleanup_close_ int t = -1;
                if (!startswith(de->d_name, "tmp-"))
                        continue;
                t = openat(s->dir_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                /* locked: a live unpack, maybe in another process */
                if (t < 0 || flock(t, LOCK_EX | LOCK_NB) < 0)
                        continue;
                (void)fs_rm_rf_at(s->dir_fd, de->d_name);
        }
        return 0;
}

static int mount_workdir(Snapshotter *s, const char *target, char **ret)
{
        char d[DIGEST_STRING_MAX];
        sha256_buffer(target, strlen(target), d);
        return asprintf(ret, "%s/mounts/%.16s", s->root, digest_hex(d)) < 0 ? -ENOMEM : 0;
}

int snapshot_mount(Snapshotter *s, char *const *chain_ids, const char *target,
                   const char *image_id, BerthError **err)
{
        return snapshot_mount_flat(s, NULL, chain_ids, target, image_id, err);
}

int snapshot_mount_flat(Snapshotter *s, const char *base, char *const *chain_ids,
                        const char *target, const char *image_id, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *workdir = NULL, *abs_target = NULL;
        size_t n = strv_length(chain_ids);
        int r;

        if (base && s->kind != SNAPSHOT_OVERLAY)
                return berth_error_plain(err, EINVAL, "Only overlay mounts stack on a base");
        if (s->kind == SNAPSHOT_OVERLAY && n + !!base > OVERLAY_MAX_LOWER)
                return berth_error_plain(err, E2BIG,
                                         "%zu layers are more than the %d lower directories "
                                         "overlayfs stacks",
                                         n + !!base, OVERLAY_MAX_LOWER);
        abs_target = realpath(target, NULL);
        if (!abs_target)
                return berth_error(err, errno, "Mount target '%s'", target);
        /* a copy mount takes the top snapshot alone, which holds the whole tree */
        for (size_t i = s->kind == SNAPSHOT_COPY && n > 0 ? n - 1 : 0; i < n; i++) {
                r = snapshot_exists(s, chain_ids[i]);
                if (r <= 0)
                        return berth_error_plain(err, r < 0 ? r : ENOENT, "Snapshot %s is missing",
                                           chain_ids[i]);
        }
        r = mount_workdir(s, abs_target, &workdir);
        if (r < 0)
                return berth_error(err, r, "mount");
        (void)fs_rm_rf(workdir);
        r = fs_mkdir_p(workdir, 0700);
        if (r < 0)
                return berth_error(err, r, "Failed to create '%s'", workdir);

        r = s->kind == SNAPSHOT_OVERLAY ? overlay_mount(s, base, chain_ids, abs_target, workdir,
                                                        err)
                                        : copy_mount(s, chain_ids, abs_target, workdir, err);
        if (r < 0) {
                (void)fs_rm_rf(workdir);
                return r;
        }
        r = metadata_prepare(s->md,
                             "INSERT OR REPLACE INTO mounts(target, chain_id, kind, workdir, "
                             "image_id) VALUES(?,?,?,?,?)",
                             &st, err);
        if (r >= 0) {
                sqlite3_bind_text(st, 1, abs_target, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 2, n ? chain_ids[n - 1] : "", -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 3, kind_names[s->kind], -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 4, workdir, -1, SQLITE_TRANSIENT);
                if (image_id)
                        sqlite3_bind_text(st, 5, image_id, -1, SQLITE_TRANSIENT);
                if (sqlite3_step(st) != SQLITE_DONE)
                        r = metadata_error(s->md, "Failed to record mount", err);
        }
        if (r < 0) {
                (void)umount2(abs_target, MNT_DETACH);
                (void)fs_rm_rf(workdir);
                return r;
        }
        return 0;
}

int snapshot_unmount(Snapshotter *s, const char *target, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL, *del = NULL;
        _cleanup_free_ char *abs_target = NULL, *workdir = NULL;
        int r;

        abs_target = realpath(target, NULL);
        if (!abs_target)
                return berth_error(err, errno, "Mount target '%s'", target);
        r = metadata_prepare(s->md, "SELECT workdir FROM mounts WHERE target = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, abs_target, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_ROW)
                return berth_error_plain(err, ENOENT, "'%s' is not a berth mount", abs_target);
        workdir = metadata_column_strdup(st, 0);
        if (umount2(abs_target, MNT_DETACH) < 0 && errno != EINVAL)
                return berth_error(err, errno, "Failed to unmount '%s'", abs_target);
        if (workdir) {
                r = fs_rm_rf(workdir);
                if (r < 0)
                        return berth_error(err, r, "Failed to remove '%s'", workdir);
        }
        r = metadata_prepare(s->md, "DELETE FROM mounts WHERE target = ?", &del, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(del, 1, abs_target, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(del) != SQLITE_DONE)
                return metadata_error(s->md, "Failed to forget mount", err);
        return 0;
}
