/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "content/digest.h"
#include "image/gc.h"
#include "snapshot/snapshot.h"

static int cmp_str(const void *a, const void *b)
{
        return strcmp(a, b);
}

static int collect(Metadata *md, const char *sql, void **set, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = metadata_prepare(md, sql, &st, err);
        if (r < 0)
                return r;
        while (sqlite3_step(st) == SQLITE_ROW) {
                const char *t = (const char *)sqlite3_column_text(st, 0);
                if (!t)
                        continue;
                char *c = strdup(t);
                if (!c)
                        return berth_error(err, ENOMEM, "gc");
                char **f = tsearch(c, set, cmp_str);
                if (!f || *f != c)
                        free(c);
        }
        return 0;
}

int image_in_use(Metadata *md, const char *image_id)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(md->db, "SELECT 1 FROM mounts WHERE image_id = ?", -1, &st, NULL) !=
            SQLITE_OK)
                return -EIO;
        sqlite3_bind_text(st, 1, image_id, -1, SQLITE_TRANSIENT);
        return sqlite3_step(st) == SQLITE_ROW;
}

static uint64_t dir_size(int dfd, const char *name)
{
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        uint64_t total = 0;
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0)
                return 0;
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return 0;
        }
        while ((de = readdir(d))) {
                struct stat st;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISDIR(st.st_mode))
                        total += dir_size(dirfd(d), de->d_name);
                else if (S_ISREG(st.st_mode) && st.st_nlink == 1)
                        total += (uint64_t)st.st_blocks * 512;
        }
        return total;
}

int image_gc(Metadata *md, ContentStore *cs, GcStats *ret, BerthError **err)
{
        _cleanup_strv_free_ char **blobs = NULL;
        void *used_blobs = NULL, *used_chains = NULL;
        GcStats stats = {};
        int r;

        r = collect(md, "SELECT manifest_digest FROM images UNION SELECT index_digest FROM images "
                        "UNION SELECT id FROM images UNION SELECT digest FROM layers",
                    &used_blobs, err);
        if (r < 0)
                goto finish;
        r = collect(md, "SELECT chain_id FROM layers UNION SELECT chain_id FROM mounts",
                    &used_chains, err);
        if (r < 0)
                goto finish;

        r = content_store_list(cs, &blobs);
        if (r < 0) {
                r = berth_error(err, r, "Failed to list blobs in '%s'", content_store_root(cs));
                goto finish;
        }
        STRV_FOREACH(b, blobs)
        {
                uint64_t size = 0;
                if (tfind(*b, &used_blobs, cmp_str))
                        continue;
                (void)content_store_has(cs, *b, &size);
                if (content_store_delete(cs, *b) >= 0) {
                        stats.blobs_removed++;
                        stats.bytes_freed += size;
                }
        }
        (void)content_store_clean_ingest(cs);
        {
                /* work directories of loads and saves that died: with the lock held exclusive
                 * none is running */
                _cleanup_free_ char *tmp = NULL;
                if (asprintf(&tmp, "%s/tmp", md->root) >= 0)
                        (void)rm_rf(tmp);
        }

        for (SnapshotKind k = 0; k < _SNAPSHOT_KIND_MAX; k++) {
                _cleanup_snapshotter_ Snapshotter *sn = NULL;
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                _cleanup_strv_free_ char **gone = NULL;

                r = snapshotter_open(md, md->root, k, &sn, err);
                if (r < 0)
                        goto finish;
                (void)snapshot_clean_tmp(sn);
                r = metadata_prepare(md, "SELECT chain_id FROM snapshots WHERE kind = ?", &st, err);
                if (r < 0)
                        goto finish;
                sqlite3_bind_text(st, 1, snapshot_kind_to_string(k), -1, SQLITE_STATIC);
                while (sqlite3_step(st) == SQLITE_ROW) {
                        const char *c = (const char *)sqlite3_column_text(st, 0);
                        if (c && !tfind(c, &used_chains, cmp_str) && strv_extend(&gone, c) < 0) {
                                r = berth_error(err, ENOMEM, "gc");
                                goto finish;
                        }
                }
                STRV_FOREACH(c, gone)
                {
                        const char *hex = digest_hex(*c);
                        stats.bytes_freed += hex ? dir_size(sn->dir_fd, hex) : 0;
                        r = snapshot_remove(sn, *c, err);
                        if (r < 0)
                                goto finish;
                        stats.snapshots_removed++;
                }
        }
        r = 0;
        if (ret)
                *ret = stats;
finish:
        tdestroy(used_blobs, free);
        tdestroy(used_chains, free);
        return r;
}
