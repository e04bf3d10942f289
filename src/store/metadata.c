/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "store/metadata.h"

/* Image ids are config digests, as in docker. The layers of one image are ordered by idx;
 * chain_id names the snapshot that holds that layer applied over all below it. */
static const char schema[] =
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
        "CREATE TABLE IF NOT EXISTS images("
        "  id TEXT PRIMARY KEY,"
        "  manifest_digest TEXT NOT NULL,"
        "  manifest_media_type TEXT NOT NULL,"
        "  manifest_size INTEGER NOT NULL,"
        "  index_digest TEXT,"
        "  os TEXT, architecture TEXT, variant TEXT,"
        "  created TEXT,"
        "  size INTEGER NOT NULL DEFAULT 0,"
        "  stored_at INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS tags("
        "  name TEXT PRIMARY KEY,"
        "  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE);"
        "CREATE TABLE IF NOT EXISTS layers("
        "  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
        "  idx INTEGER NOT NULL,"
        "  digest TEXT NOT NULL,"
        "  media_type TEXT NOT NULL,"
        "  size INTEGER NOT NULL,"
        "  diff_id TEXT NOT NULL,"
        "  chain_id TEXT NOT NULL,"
        "  PRIMARY KEY(image_id, idx));"
        "CREATE TABLE IF NOT EXISTS snapshots("
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
        "  image_id TEXT);"
        /* where pulled blobs came from: a push to another repository of the same registry
         * can mount them instead of uploading */
        "CREATE TABLE IF NOT EXISTS blob_sources("
        "  digest TEXT NOT NULL,"
        "  registry TEXT NOT NULL,"
        "  repository TEXT NOT NULL,"
        "  PRIMARY KEY(digest, registry, repository));"
        /* compressed forms of uncompressed layers, made for pushes: a second push reuses
         * them while the blob is stored */
        "CREATE TABLE IF NOT EXISTS compressed_blobs("
        "  digest TEXT NOT NULL,"
        "  compression TEXT NOT NULL,"
        "  compressed TEXT NOT NULL,"
        "  PRIMARY KEY(digest, compression));";

int metadata_error(Metadata *m, const char *what, BerthError **err)
{
        return berth_error_plain(err, EIO, "%s in %s/berth.db: %s", what, m->root, sqlite3_errmsg(m->db));
}

int metadata_open(const char *root, Metadata **ret, BerthError **err)
{
        _cleanup_free_ char *path = NULL, *lock = NULL;
        Metadata *m;
        int r;

        r = fs_mkdir_p(root, 0700);
        if (r < 0)
                return berth_error(err, r, "Failed to create store root '%s'", root);
        m = calloc(1, sizeof(*m));
        if (!m)
                return berth_error(err, ENOMEM, "metadata");
        m->lock_fd = -1;
        m->root = strdup(root);
        if (!m->root || asprintf(&path, "%s/berth.db", root) < 0 ||
            asprintf(&lock, "%s/lock", root) < 0) {
                metadata_free(m);
                return berth_error(err, ENOMEM, "metadata");
        }
        m->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (m->lock_fd < 0) {
                r = berth_error(err, errno, "Failed to open '%s'", lock);
                metadata_free(m);
                return r;
        }
        if (sqlite3_open_v2(path, &m->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                                  SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
                r = berth_error_plain(err, EIO, "Failed to open database '%s': %s", path,
                                m->db ? sqlite3_errmsg(m->db) : "out of memory");
                metadata_free(m);
                return r;
        }
        sqlite3_busy_timeout(m->db, 30000);
        r = metadata_exec(m, schema, err);
        if (r < 0) {
                metadata_free(m);
                return r;
        }
        *ret = m;
        return 0;
}

void metadata_free(Metadata *m)
{
        if (!m)
                return;
        if (m->db)
                sqlite3_close(m->db);
        safe_close(m->lock_fd);
        free(m->root);
        free(m);
}

int metadata_lock(Metadata *m, bool exclusive, BerthError **err)
{
        if (flock(m->lock_fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
                return berth_error(err, errno, "Failed to lock store '%s'", m->root);
        return 0;
}

int metadata_exec(Metadata *m, const char *sql, BerthError **err)
{
        char *msg = NULL;
        int r;

        if (sqlite3_exec(m->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
                r = berth_error_plain(err, EIO, "Database error in %s/berth.db: %s", m->root,
                                msg ?: "unknown");
                sqlite3_free(msg);
                return r;
        }
        return 0;
}

int metadata_begin(Metadata *m, BerthError **err)
{
        return metadata_exec(m, "BEGIN IMMEDIATE", err);
}

int metadata_commit(Metadata *m, BerthError **err)
{
        return metadata_exec(m, "COMMIT", err);
}

void metadata_rollback(Metadata *m)
{
        sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
}

int metadata_prepare(Metadata *m, const char *sql, sqlite3_stmt **ret, BerthError **err)
{
        if (sqlite3_prepare_v2(m->db, sql, -1, ret, NULL) != SQLITE_OK)
                return metadata_error(m, "Failed to prepare query", err);
        return 0;
}

char *metadata_column_strdup(sqlite3_stmt *st, int col)
{
        const unsigned char *t = sqlite3_column_text(st, col);
        return t ? strdup((const char *)t) : NULL;
}
