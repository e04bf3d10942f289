/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Snapshots: what every backend shares (directories, rows, commit, remove, mount records),
 * dispatching to the backend's ops (snapshot-backend.h) for what differs; the snapshotter
 * itself (which backend, its options) is snapshotter.c's. */
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "basic/dir-fd.h"
#include "basic/dir-stack.h"
#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "snapshot/snapshot-backend.h"

/* The snapshot tables. Step 1 is the schema of stores made before migrations, adopted as it
 * is. kind is the snapshotter's name. */
static const StoreStep snapshot_store_steps[] = {
        { .sql = "CREATE TABLE IF NOT EXISTS snapshots("
                 "  chain_id TEXT NOT NULL,"
                 "  kind TEXT NOT NULL,"
                 "  parent TEXT,"
                 "  diff_id TEXT NOT NULL,"
                 "  size INTEGER NOT NULL DEFAULT 0,"
                 "  created INTEGER NOT NULL,"
                 "  PRIMARY KEY(chain_id, kind));"
                 "CREATE TABLE IF NOT EXISTS mounts("
                 "  target TEXT PRIMARY KEY,"
                 "  chain_id TEXT NOT NULL,"
                 "  kind TEXT NOT NULL,"
                 "  workdir TEXT NOT NULL,"
                 "  image_id TEXT);" },
};

STORE_MODULE_DEFINE(snapshot_store_module, "snapshot", snapshot_store_steps);

const char *snapshot_key_name(const char *key)
{
        const char *colon = key ? strchr(key, ':') : NULL;
        size_t n;

        if (!colon || colon == key)
                return NULL;
        for (const char *p = key; p < colon; p++)
                if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789", *p))
                        return NULL;
        /* a file name of its own: no '/', no dot names, no "tmp-" of unpacks in progress */
        n = strspn(colon + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
        if (n == 0 || n > 255 || colon[1 + n])
                return NULL;
        return colon + 1;
}

int snapshot_exists(Snapshotter *s, const char *key)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct stat sb;
        const char *name = snapshot_key_name(key);

        if (!name)
                return -EINVAL;
        if (sqlite3_prepare_v2(s->store->db,
                               "SELECT 1 FROM snapshots WHERE chain_id = ? AND kind = ?", -1, &st,
                               NULL) != SQLITE_OK)
                return -EIO;
        sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, s->ops->name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
                return 0;
        return fstatat(s->dir_fd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(sb.st_mode);
}

int snapshot_path(Snapshotter *s, const char *key, char **ret)
{
        const char *name = snapshot_key_name(key);
        if (!name)
                return -EINVAL;
        return asprintf(ret, "%s/%s", s->dir, name) < 0 ? -ENOMEM : 0;
}

int snapshot_open_dir(Snapshotter *s, const char *key)
{
        const char *name = snapshot_key_name(key);
        if (!name)
                return -EINVAL;
        return RET_NERRNO(openat(s->dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

int snapshot_prepare(Snapshotter *s, const char *key, const char *parent, SnapshotTx **ret,
                     BerthError **err)
{
        _cleanup_snapshot_tx_ SnapshotTx *tx = NULL;
        unsigned char rnd[8];
        int r;

        if (!snapshot_key_name(key))
                return berth_error_plain(err, EINVAL, "invalid snapshot key `%s`", key);
        if (parent && !snapshot_key_name(parent))
                return berth_error_plain(err, EINVAL, "invalid snapshot key `%s`", parent);
        tx = calloc(1, sizeof(*tx));
        if (!tx)
                return berth_error(err, ENOMEM, "prepare snapshot");
        tx->s = s;
        tx->fd = -1;
        if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
                return berth_error_plain(err, EIO, "getrandom");
        tx->key = strdup(key);
        tx->parent = parent ? strdup(parent) : NULL;
        if (!tx->key || (parent && !tx->parent) ||
            asprintf(&tx->tmp_name, "tmp-%.12s-%02x%02x%02x%02x", snapshot_key_name(key), rnd[0],
                     rnd[1], rnd[2], rnd[3]) < 0)
                return berth_error(err, ENOMEM, "prepare snapshot");
        if (mkdirat(s->dir_fd, tx->tmp_name, 0755) < 0)
                return berth_error(err, errno, "create snapshot directory in `%s`", s->dir);
        tx->fd = openat(s->dir_fd, tx->tmp_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (tx->fd < 0)
                return berth_error(err, errno, "open snapshot directory in `%s`", s->dir);
        /* Held while we fill it: snapshot_clean_tmp() only takes directories nobody holds. */
        if (flock(tx->fd, LOCK_EX) < 0)
                return berth_error(err, errno, "lock snapshot directory in `%s`", s->dir);
        if (s->ops->prepare && parent) {
                r = s->ops->prepare(s, parent, tx->fd, err);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(tx);
        return 0;
}

static void bind_key(sqlite3_stmt *st, Snapshotter *s, const char *key)
{
        sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, s->ops->name, -1, SQLITE_STATIC);
}

int snapshot_commit(SnapshotTx *tx, const char *diff_id, BerthError **err)
{
        Snapshotter *s = tx->s;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        if (syncfs(tx->fd) < 0)
                return berth_error(err, errno, "sync snapshot `%s`", tx->key);
        if (renameat(s->dir_fd, tx->tmp_name, s->dir_fd, snapshot_key_name(tx->key)) < 0) {
                if (errno != EEXIST && errno != ENOTEMPTY)
                        return berth_error(err, errno, "commit snapshot `%s`", tx->key);
                /* Someone else unpacked the same layers meanwhile: theirs is as good. */
        } else
                tx->committed = true;
        r = store_prepare(s->store,
                          "INSERT OR REPLACE INTO snapshots(chain_id, kind, parent, diff_id, "
                          "created) VALUES(?,?,?,?,?)",
                          &st, err);
        if (r < 0)
                return r;
        bind_key(st, s, tx->key);
        if (tx->parent)
                sqlite3_bind_text(st, 3, tx->parent, -1, SQLITE_TRANSIENT);
        else
                sqlite3_bind_null(st, 3);
        sqlite3_bind_text(st, 4, diff_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, (int64_t)time(NULL));
        if (sqlite3_step(st) != SQLITE_DONE)
                return store_error(s->store, "record snapshot", err);
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
        free(tx->key);
        free(tx->parent);
        free(tx->tmp_name);
        free(tx);
}

int snapshot_remove(Snapshotter *s, const char *key, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        const char *name = snapshot_key_name(key);
        int r;

        if (!name)
                return berth_error_plain(err, EINVAL, "invalid snapshot key `%s`", key);
        r = store_prepare(s->store, "DELETE FROM snapshots WHERE chain_id = ? AND kind = ?", &st,
                          err);
        if (r < 0)
                return r;
        bind_key(st, s, key);
        if (sqlite3_step(st) != SQLITE_DONE)
                return store_error(s->store, "remove snapshot", err);
        r = fs_rm_rf_at(s->dir_fd, name);
        if (r < 0)
                return berth_error(err, r, "remove snapshot `%s`", key);
        return 0;
}

int snapshot_list(Snapshotter *s, char ***ret, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_strv_free_ char **l = NULL;
        int r;

        r = store_prepare(s->store, "SELECT chain_id FROM snapshots WHERE kind = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, s->ops->name, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
                const char *k = (const char *)sqlite3_column_text(st, 0);
                if (k && strv_extend(&l, k) < 0)
                        return berth_error(err, ENOMEM, "list snapshots");
        }
        if (!l) {
                l = calloc(1, sizeof(char *));
                if (!l)
                        return berth_error(err, ENOMEM, "list snapshots");
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* Bytes below the snapshot, without recursion (basic/dir-stack.h): a layer decides how deep
 * its tree is. What cannot be read counts as nothing; a file with more than one link is
 * counted by nobody (it lives elsewhere too). */
uint64_t snapshot_usage(Snapshotter *s, const char *key)
{
        DirStack ds = {};
        uint64_t total = 0;
        int fd = snapshot_open_dir(s, key);

        if (fd < 0)
                return 0;
        if (dir_stack_push(&ds, fd, NULL, true) < 0) {
                safe_close(fd);
                return 0;
        }
        for (;;) {
                const char *n = dir_stack_next(&ds);
                struct stat st;

                if (!n) {
                        if (ds.depth == 1 || dir_stack_pop(&ds, &fd) < 0)
                                break;
                        continue;
                }
                if (fstatat(fd, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISREG(st.st_mode) && st.st_nlink == 1)
                        total += (uint64_t)st.st_blocks * 512;
                if (!S_ISDIR(st.st_mode))
                        continue;
                int sub = openat(fd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0)
                        continue;
                if (dir_stack_push(&ds, sub, n, true) < 0) {
                        safe_close(sub);
                        continue;
                }
                safe_close(fd);
                fd = sub;
        }
        safe_close(fd);
        dir_stack_done(&ds);
        return total;
}

int snapshot_clean_tmp(Snapshotter *s)
{
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int r;

        r = dir_fd_opendir(s->dir_fd, &d);
        if (r < 0)
                return r;
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

/* <root>/mounts/<16 hex digits of sha256(target)>: one per target, found again by name. */
static int mount_workdir(Snapshotter *s, const char *target, char **ret)
{
        struct sha256_ctx ctx;
        uint8_t md[SHA256_DIGEST_SIZE];

        sha256_init(&ctx);
        sha256_update(&ctx, strlen(target), (const uint8_t *)target);
        sha256_digest(&ctx, sizeof(md), md);
        return asprintf(ret, "%s/mounts/%02x%02x%02x%02x%02x%02x%02x%02x", s->root, md[0], md[1],
                        md[2], md[3], md[4], md[5], md[6], md[7]) < 0
                       ? -ENOMEM
                       : 0;
}

/* The mount target as the mounts table names it. */
static int mount_target(const char *target, char **ret, BerthError **err)
{
        *ret = realpath(target, NULL);
        return *ret ? 0 : berth_error(err, errno, "resolve mount target `%s`", target);
}

int snapshot_mount(Snapshotter *s, char *const *keys, const char *target, const char *image_id,
                   BerthError **err)
{
        return snapshot_mount_flat(s, NULL, keys, target, image_id, err);
}

int snapshot_mount_flat(Snapshotter *s, const char *base, char *const *keys, const char *target,
                        const char *image_id, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *workdir = NULL, *abs_target = NULL;
        size_t n = strv_length(keys);
        int r;

        if (base && !s->ops->stacks_layers)
                return berth_error_plain(err, EINVAL, "only stacking mounts take a base");
        if (s->ops->stacks_layers && n + !!base > s->ops->max_layers)
                return berth_error_plain(err, E2BIG,
                                         "%zu layers are more than the %zu lower directories "
                                         "%s stacks",
                                         n + !!base, s->ops->max_layers, s->ops->name);
        r = mount_target(target, &abs_target, err);
        if (r < 0)
                return r;
        /* a snapshot of whole trees: the mount takes the top one alone */
        for (size_t i = !s->ops->stacks_layers && n > 0 ? n - 1 : 0; i < n; i++) {
                r = snapshot_exists(s, keys[i]);
                if (r <= 0)
                        return berth_error_plain(err, r < 0 ? r : ENOENT,
                                                 "snapshot `%s` is missing", keys[i]);
        }
        r = mount_workdir(s, abs_target, &workdir);
        if (r < 0)
                return berth_error(err, r, "mount");
        (void)fs_rm_rf(workdir);
        r = fs_mkdir_p(workdir, 0700);
        if (r < 0)
                return berth_error(err, r, "create `%s`", workdir);

        r = s->ops->mount(s, base, keys, abs_target, workdir, err);
        if (r < 0) {
                (void)fs_rm_rf(workdir);
                return r;
        }
        r = store_prepare(s->store,
                          "INSERT OR REPLACE INTO mounts(target, chain_id, kind, workdir, "
                          "image_id) VALUES(?,?,?,?,?)",
                          &st, err);
        if (r >= 0) {
                sqlite3_bind_text(st, 1, abs_target, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 2, n ? keys[n - 1] : "", -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 3, s->ops->name, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 4, workdir, -1, SQLITE_TRANSIENT);
                if (image_id)
                        sqlite3_bind_text(st, 5, image_id, -1, SQLITE_TRANSIENT);
                if (sqlite3_step(st) != SQLITE_DONE)
                        r = store_error(s->store, "record mount", err);
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

        r = mount_target(target, &abs_target, err);
        if (r < 0)
                return r;
        r = store_prepare(s->store, "SELECT workdir FROM mounts WHERE target = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, abs_target, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_ROW)
                return berth_error_plain(err, ENOENT, "`%s` is not a berth mount", abs_target);
        workdir = store_column_strdup(st, 0);
        if (umount2(abs_target, MNT_DETACH) < 0 && errno != EINVAL)
                return berth_error(err, errno, "unmount `%s`", abs_target);
        if (workdir) {
                r = fs_rm_rf(workdir);
                if (r < 0)
                        return berth_error(err, r, "remove `%s`", workdir);
        }
        r = store_prepare(s->store, "DELETE FROM mounts WHERE target = ?", &del, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(del, 1, abs_target, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(del) != SQLITE_DONE)
                return store_error(s->store, "forget mount", err);
        return 0;
}

int snapshot_image_mounted(Store *store, const char *image_id)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;

        if (sqlite3_prepare_v2(store->db, "SELECT 1 FROM mounts WHERE image_id = ?", -1, &st,
                               NULL) != SQLITE_OK)
                return -EIO;
        sqlite3_bind_text(st, 1, image_id, -1, SQLITE_TRANSIENT);
        return sqlite3_step(st) == SQLITE_ROW;
}

/* The first text column of every row of sql. */
static int column_strv(Store *store, const char *sql, char ***ret, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        int r;

        if (!l)
                return berth_error(err, ENOMEM, "read the mounts");
        r = store_prepare(store, sql, &st, err);
        if (r < 0)
                return r;
        while (sqlite3_step(st) == SQLITE_ROW) {
                const char *t = (const char *)sqlite3_column_text(st, 0);
                if (t && strv_extend(&l, t) < 0)
                        return berth_error(err, ENOMEM, "read the mounts");
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int snapshot_mounted_keys(Store *store, char ***ret, BerthError **err)
{
        return column_strv(store, "SELECT chain_id FROM mounts", ret, err);
}

int snapshot_count(Store *store, size_t *ret_snapshots, size_t *ret_mounts, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = store_prepare(store,
                          "SELECT (SELECT count(*) FROM snapshots), (SELECT count(*) FROM mounts)",
                          &st, err);
        if (r < 0)
                return r;
        if (sqlite3_step(st) != SQLITE_ROW)
                return store_error(store, "count snapshots", err);
        *ret_snapshots = (size_t)sqlite3_column_int64(st, 0);
        *ret_mounts = (size_t)sqlite3_column_int64(st, 1);
        return 0;
}

int snapshot_clean_mounts(Store *store, BerthError **err)
{
        _cleanup_free_ char *dir = NULL;
        _cleanup_free_ char **names = NULL;
        _cleanup_strv_free_ char **live = NULL;
        _cleanup_close_ int dfd = -1;
        size_t n = 0;
        int r;

        if (asprintf(&dir, "%s/mounts", store->root) < 0)
                return berth_error(err, ENOMEM, "clean mounts");
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return errno == ENOENT ? 0 : berth_error(err, errno, "open `%s`", dir);
        /* by name: the root may have been spelt another way when the row was written */
        r = column_strv(store,
                        "SELECT substr(workdir, length(rtrim(workdir, replace(workdir, '/', ''))) "
                        "+ 1) FROM mounts",
                        &live, err);
        if (r < 0)
                return r;
        r = dir_stack_read_names(dfd, &names, &n);
        if (r < 0)
                return berth_error(err, r, "read `%s`", dir);
        for (size_t i = 0; i < n; i++) {
                if (!strv_contains(live, names[i])) {
                        int q = fs_rm_rf_at(dfd, names[i]);
                        if (q < 0 && r >= 0)
                                r = berth_error(err, q, "remove stale mount directory `%s/%s`",
                                                dir, names[i]);
                }
                free(names[i]);
        }
        return r;
}
