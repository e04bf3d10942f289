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
#include "image/gc.h"
#include "snapshot/snapshot.h"

static int cmp_str(const void *a, const void *b)
{
        return strcmp(a, b);
}

/* Adds a copy of t to the set of strings. */
static int set_add(void **set, const char *t)
{
        char *c = strdup(t);
        char **f = c ? tsearch(c, set, cmp_str) : NULL;

        if (!f) {
                free(c);
                return -ENOMEM;
        }
        if (*f != c)
                free(c);
        return 0;
}

static int collect(Store *md, const char *sql, void **set, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(md, sql, &st, err);
        if (r < 0)
                return r;
        while (sqlite3_step(st) == SQLITE_ROW) {
                const char *t = (const char *)sqlite3_column_text(st, 0);
                if (t && set_add(set, t) < 0)
                        return berth_error(err, ENOMEM, "gc");
        }
        return 0;
}

int image_in_use(Store *md, const char *image_id)
{
        return snapshot_image_mounted(md, image_id);
}

int image_gc(Store *md, ContentStore *cs, GcStats *ret, BerthError **err)
{
        _cleanup_strv_free_ char **blobs = NULL;
        void *used_blobs = NULL, *used_chains = NULL;
        GcStats stats = {};
        int r;

        /* compressed forms made for pushes stay as long as their layer does */
        r = store_exec(md, "DELETE FROM compressed_blobs WHERE digest NOT IN "
                              "(SELECT digest FROM layers)",
                          err);
        if (r < 0)
                goto finish;
        r = collect(md, "SELECT manifest_digest FROM images UNION SELECT index_digest FROM images "
                        "UNION SELECT id FROM images UNION SELECT digest FROM layers "
                        "UNION SELECT compressed FROM compressed_blobs",
                    &used_blobs, err);
        if (r < 0)
                goto finish;
        r = collect(md, "SELECT chain_id FROM layers", &used_chains, err);
        if (r < 0)
                goto finish;
        {
                _cleanup_strv_free_ char **mounted = NULL;
                r = snapshot_mounted_keys(md, &mounted, err);
                if (r < 0)
                        goto finish;
                STRV_FOREACH(k, mounted)
                        if (set_add(&used_chains, *k) < 0) {
                                r = berth_error(err, ENOMEM, "gc");
                                goto finish;
                        }
        }

        r = content_store_list(cs, &blobs);
        if (r < 0) {
                r = berth_error(err, r, "list the blobs in `%s`", content_store_root(cs));
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
                        (void)fs_rm_rf(tmp);
        }
        r = snapshot_clean_mounts(md, err);
        if (r < 0)
                goto finish;

        for (size_t k = 0; snapshotter_name_at(k); k++) {
                const SnapshotterOptions o = { .name = snapshotter_name_at(k) };
                _cleanup_snapshotter_ Snapshotter *sn = NULL;
                _cleanup_strv_free_ char **keys = NULL;

                r = snapshotter_open(md, md->root, &o, &sn, err);
                if (r < 0)
                        goto finish;
                (void)snapshot_clean_tmp(sn);
                r = snapshot_list(sn, &keys, err);
                if (r < 0)
                        goto finish;
                STRV_FOREACH(c, keys)
                {
                        if (tfind(*c, &used_chains, cmp_str))
                                continue;
                        stats.bytes_freed += snapshot_usage(sn, *c);
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
