/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "content/digest.h"
#include "image/image-store.h"
#include "image/reference.h"

/* The image tables. Image ids are config digests, as in docker. The layers of one image are
 * ordered by idx; chain_id names the snapshot that holds that layer applied over all below it.
 * Step 1 is the schema of stores made before migrations, which it adopts as they are. */
static const StoreStep image_store_steps[] = {
        { .sql = "CREATE TABLE IF NOT EXISTS images("
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
                 /* where pulled blobs came from: a push to another repository of the same
                  * registry can mount them instead of uploading */
                 "CREATE TABLE IF NOT EXISTS blob_sources("
                 "  digest TEXT NOT NULL,"
                 "  registry TEXT NOT NULL,"
                 "  repository TEXT NOT NULL,"
                 "  PRIMARY KEY(digest, registry, repository));"
                 /* compressed forms of uncompressed layers, made for pushes: a second push
                  * reuses them while the blob is stored */
                 "CREATE TABLE IF NOT EXISTS compressed_blobs("
                 "  digest TEXT NOT NULL,"
                 "  compression TEXT NOT NULL,"
                 "  compressed TEXT NOT NULL,"
                 "  PRIMARY KEY(digest, compression));" },
};

STORE_MODULE_DEFINE(image_store_module, "image", image_store_steps);

void image_record_free(ImageRecord *r)
{
        if (!r)
                return;
        free(r->id);
        free(r->manifest_digest);
        free(r->manifest_media_type);
        free(r->index_digest);
        free(r->os);
        free(r->architecture);
        free(r->variant);
        free(r->created);
        strv_free(r->tags);
        for (size_t i = 0; i < r->n_layers; i++) {
                free(r->layers[i].digest);
                free(r->layers[i].media_type);
                free(r->layers[i].diff_id);
                free(r->layers[i].chain_id);
        }
        free(r->layers);
        free(r);
}

void image_record_list_free(ImageRecord **l)
{
        if (!l)
                return;
        for (ImageRecord **i = l; *i; i++)
                image_record_free(*i);
        free(l);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
        if (s)
                sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
        else
                sqlite3_bind_null(st, i);
}

static int tag_in_tx(Store *m, const char *name, const char *id, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(m, "INSERT OR REPLACE INTO tags(name, image_id) VALUES(?, ?)",
                                 &st, err);
        if (r < 0)
                return r;
        bind_text(st, 1, name);
        bind_text(st, 2, id);
        if (sqlite3_step(st) != SQLITE_DONE)
                return store_error(m, "tag image", err);
        return 0;
}

static int add_in_tx(Store *m, const ImageRecord *rec, char *const *tags, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL, *del = NULL, *ly = NULL;
        int r;

        r = store_prepare(m, "DELETE FROM layers WHERE image_id = ?", &del, err);
        if (r < 0)
                return r;
        bind_text(del, 1, rec->id);
        if (sqlite3_step(del) != SQLITE_DONE)
                return store_error(m, "replace image layers", err);

        r = store_prepare(m,
                             "INSERT INTO images(id, manifest_digest, manifest_media_type, "
                             "manifest_size, index_digest, os, architecture, variant, created, "
                             "size, stored_at) VALUES(?,?,?,?,?,?,?,?,?,?,?) "
                             "ON CONFLICT(id) DO UPDATE SET manifest_digest=excluded.manifest_digest,"
                             " manifest_media_type=excluded.manifest_media_type,"
                             " manifest_size=excluded.manifest_size,"
                             " index_digest=excluded.index_digest, size=excluded.size",
                             &st, err);
        if (r < 0)
                return r;
        bind_text(st, 1, rec->id);
        bind_text(st, 2, rec->manifest_digest);
        bind_text(st, 3, rec->manifest_media_type);
        sqlite3_bind_int64(st, 4, rec->manifest_size);
        bind_text(st, 5, rec->index_digest);
        bind_text(st, 6, rec->os);
        bind_text(st, 7, rec->architecture);
        bind_text(st, 8, rec->variant);
        bind_text(st, 9, rec->created);
        sqlite3_bind_int64(st, 10, rec->size);
        sqlite3_bind_int64(st, 11, rec->stored_at ? rec->stored_at : (int64_t)time(NULL));
        if (sqlite3_step(st) != SQLITE_DONE)
                return store_error(m, "store image", err);

        r = store_prepare(m,
                             "INSERT INTO layers(image_id, idx, digest, media_type, size, "
                             "diff_id, chain_id) VALUES(?,?,?,?,?,?,?)",
                             &ly, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < rec->n_layers; i++) {
                const ImageLayer *l = &rec->layers[i];
                sqlite3_reset(ly);
                bind_text(ly, 1, rec->id);
                sqlite3_bind_int64(ly, 2, (int64_t)i);
                bind_text(ly, 3, l->digest);
                bind_text(ly, 4, l->media_type);
                sqlite3_bind_int64(ly, 5, l->size);
                bind_text(ly, 6, l->diff_id);
                bind_text(ly, 7, l->chain_id);
                if (sqlite3_step(ly) != SQLITE_DONE)
                        return store_error(m, "store image layer", err);
        }
        for (char *const *t = tags; t && *t; t++) {
                r = tag_in_tx(m, *t, rec->id, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int image_store_add(Store *m, const ImageRecord *rec, char *const *tags, BerthError **err)
{
        int r = store_begin(m, err);
        if (r < 0)
                return r;
        r = add_in_tx(m, rec, tags, err);
        if (r < 0) {
                store_rollback(m);
                return r;
        }
        return store_commit(m, err);
}

int image_store_tag(Store *m, const char *name, const char *image_id, BerthError **err)
{
        return tag_in_tx(m, name, image_id, err);
}

int image_store_untag(Store *m, const char *name, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(m, "DELETE FROM tags WHERE name = ?", &st, err);
        if (r < 0)
                return r;
        bind_text(st, 1, name);
        if (sqlite3_step(st) != SQLITE_DONE)
                return store_error(m, "untag image", err);
        return sqlite3_changes(m->db) > 0;
}

int image_store_remove(Store *m, const char *image_id, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(m, "DELETE FROM images WHERE id = ?", &st, err);
        if (r < 0)
                return r;
        bind_text(st, 1, image_id);
        if (sqlite3_step(st) != SQLITE_DONE)
                return store_error(m, "remove image", err);
        return 0;
}

static int load_record(Store *m, sqlite3_stmt *row, ImageRecord **ret, BerthError **err)
{
        _cleanup_image_record_ ImageRecord *rec = NULL;
        _cleanup_stmt_ sqlite3_stmt *st = NULL, *ly = NULL;
        int r;

        rec = calloc(1, sizeof(*rec));
        if (!rec)
                return berth_error(err, ENOMEM, "image");
        rec->id = store_column_strdup(row, 0);
        rec->manifest_digest = store_column_strdup(row, 1);
        rec->manifest_media_type = store_column_strdup(row, 2);
        rec->manifest_size = sqlite3_column_int64(row, 3);
        rec->index_digest = store_column_strdup(row, 4);
        rec->os = store_column_strdup(row, 5);
        rec->architecture = store_column_strdup(row, 6);
        rec->variant = store_column_strdup(row, 7);
        rec->created = store_column_strdup(row, 8);
        rec->size = sqlite3_column_int64(row, 9);
        rec->stored_at = sqlite3_column_int64(row, 10);
        if (!rec->id || !rec->manifest_digest)
                return berth_error(err, ENOMEM, "image");

        r = store_prepare(m, "SELECT name FROM tags WHERE image_id = ? ORDER BY name", &st,
                             err);
        if (r < 0)
                return r;
        bind_text(st, 1, rec->id);
        rec->tags = calloc(1, sizeof(char *));
        if (!rec->tags)
                return berth_error(err, ENOMEM, "image");
        while (sqlite3_step(st) == SQLITE_ROW)
                if (strv_extend(&rec->tags, (const char *)sqlite3_column_text(st, 0)) < 0)
                        return berth_error(err, ENOMEM, "image");

        r = store_prepare(m,
                             "SELECT digest, media_type, size, diff_id, chain_id FROM layers "
                             "WHERE image_id = ? ORDER BY idx",
                             &ly, err);
        if (r < 0)
                return r;
        bind_text(ly, 1, rec->id);
        while (sqlite3_step(ly) == SQLITE_ROW) {
                ImageLayer *n = realloc(rec->layers, (rec->n_layers + 1) * sizeof(ImageLayer));
                if (!n)
                        return berth_error(err, ENOMEM, "image");
                rec->layers = n;
                n[rec->n_layers++] = (ImageLayer){
                        .digest = store_column_strdup(ly, 0),
                        .media_type = store_column_strdup(ly, 1),
                        .size = sqlite3_column_int64(ly, 2),
                        .diff_id = store_column_strdup(ly, 3),
                        .chain_id = store_column_strdup(ly, 4),
                };
        }
        *ret = TAKE_PTR(rec);
        return 0;
}

#define IMAGE_COLUMNS                                                                              \
        "SELECT id, manifest_digest, manifest_media_type, manifest_size, index_digest, os, "       \
        "architecture, variant, created, size, stored_at FROM images "

int image_store_get(Store *m, const char *id, ImageRecord **ret, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(m, IMAGE_COLUMNS "WHERE id = ?", &st, err);
        if (r < 0)
                return r;
        bind_text(st, 1, id);
        if (sqlite3_step(st) != SQLITE_ROW)
                return berth_error_plain(err, ENOENT, "No such image: %s", id);
        return load_record(m, st, ret, err);
}

static int lookup_one(Store *m, const char *sql, const char *arg, char **ret_id)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int n = 0;

        if (sqlite3_prepare_v2(m->db, sql, -1, &st, NULL) != SQLITE_OK)
                return -EIO;
        bind_text(st, 1, arg);
        while (sqlite3_step(st) == SQLITE_ROW) {
                if (n++ == 0) {
                        *ret_id = store_column_strdup(st, 0);
                        if (!*ret_id)
                                return -ENOMEM;
                } else {
                        free(*ret_id);
                        *ret_id = NULL;
                        return -ENOTUNIQ;
                }
        }
        return n;
}

int image_store_resolve(Store *m, const char *what, ImageRecord **ret, BerthError **err)
{
        _cleanup_free_ char *id = NULL, *name = NULL, *prefix = NULL;
        _cleanup_reference_ Reference *ref = NULL;
        const char *hex = what;
        int r = 0;

        /* A full id, or an id prefix. */
        if (startswith(what, "sha256:"))
                hex = what + 7;
        if (strlen(hex) >= 4 && strlen(hex) <= 64 && strspn(hex, "0123456789abcdef") == strlen(hex)) {
                if (asprintf(&prefix, "sha256:%s%%", hex) < 0)
                        return berth_error(err, ENOMEM, "image");
                r = lookup_one(m, "SELECT id FROM images WHERE id LIKE ?", prefix, &id);
                if (r == -ENOTUNIQ)
                        return berth_error_plain(err, ENOTUNIQ, "Image id prefix '%s' is ambiguous",
                                           what);
                if (r < 0)
                        return store_error(m, "look up image", err);
        }
        if (r == 0 && reference_parse(what, &ref, NULL) >= 0) {
                if (reference_name(ref, &name) < 0)
                        return berth_error(err, ENOMEM, "image");
                if (ref->digest && !ref->tag) {
                        /* name@digest: the image with that manifest (or index). */
                        _cleanup_stmt_ sqlite3_stmt *st = NULL;
                        r = store_prepare(m,
                                             "SELECT images.id FROM images WHERE "
                                             "(manifest_digest = ?1 OR index_digest = ?1)",
                                             &st, err);
                        if (r < 0)
                                return r;
                        bind_text(st, 1, ref->digest);
                        r = 0;
                        if (sqlite3_step(st) == SQLITE_ROW) {
                                id = store_column_strdup(st, 0);
                                r = 1;
                        }
                } else
                        r = lookup_one(m, "SELECT image_id FROM tags WHERE name = ?", name, &id);
                if (r < 0)
                        return store_error(m, "look up image", err);
        }
        if (r == 0 || !id)
                return berth_error_plain(err, ENOENT, "No such image: %s", what);
        return image_store_get(m, id, ret, err);
}

int image_store_list(Store *m, ImageRecord ***ret, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        ImageRecord **l = NULL;
        size_t n = 0;
        int r;

        r = store_prepare(m, IMAGE_COLUMNS "ORDER BY stored_at DESC, id", &st, err);
        if (r < 0)
                return r;
        l = calloc(1, sizeof(ImageRecord *));
        if (!l)
                return berth_error(err, ENOMEM, "image list");
        while (sqlite3_step(st) == SQLITE_ROW) {
                ImageRecord *rec = NULL, **nl;
                r = load_record(m, st, &rec, err);
                if (r < 0) {
                        image_record_list_free(l);
                        return r;
                }
                nl = realloc(l, (n + 2) * sizeof(ImageRecord *));
                if (!nl) {
                        image_record_free(rec);
                        image_record_list_free(l);
                        return berth_error(err, ENOMEM, "image list");
                }
                l = nl;
                l[n++] = rec;
                l[n] = NULL;
        }
        *ret = l;
        return 0;
}

int image_store_add_blob_source(Store *m, const char *digest, const char *registry,
                                const char *repository, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(m,
                                 "INSERT OR IGNORE INTO blob_sources(digest, registry, repository) "
                                 "VALUES(?,?,?)",
                                 &st, err);
        if (r < 0)
                return r;
        bind_text(st, 1, digest);
        bind_text(st, 2, registry);
        bind_text(st, 3, repository);
        if (sqlite3_step(st) != SQLITE_DONE)
                return store_error(m, "record blob source", err);
        return 0;
}

char *image_store_find_blob_source(Store *m, const char *digest, const char *registry,
                                   const char *exclude)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(m->db,
                               "SELECT repository FROM blob_sources WHERE digest = ? AND "
                               "registry = ? AND repository != ? LIMIT 1",
                               -1, &st, NULL) != SQLITE_OK)
                return NULL;
        bind_text(st, 1, digest);
        bind_text(st, 2, registry);
        bind_text(st, 3, exclude);
        if (sqlite3_step(st) != SQLITE_ROW)
                return NULL;
        return store_column_strdup(st, 0);
}
