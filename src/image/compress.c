/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "image/compress.h"

#define CHUNK (1 << 20)

static const char *const names[_COMPRESSION_MAX] = {
        [COMPRESSION_GZIP] = "gzip",
        [COMPRESSION_ZSTD] = "zstd",
};

const char *compress_to_string(Compression c)
{
        return c < _COMPRESSION_MAX ? names[c] : NULL;
}

int compress_from_string(const char *s, Compression *ret)
{
        for (Compression c = 0; c < _COMPRESSION_MAX; c++)
                if (streq(s, names[c])) {
                        *ret = c;
                        return 0;
                }
        return -EINVAL;
}

/* One compressor behind two libraries: ISA-L's igzip (level 1, what the layer reader also
 * uses for gzip) and libzstd (its default level 3). */
typedef struct Compressor {
        Compression kind;
        struct isal_zstream gz;
        uint8_t *gz_level_buf;
        ZSTD_CCtx *zstd;
        uint8_t *out;
} Compressor;

static void compressor_done(Compressor *c)
{
        free(c->gz_level_buf);
        ZSTD_freeCCtx(c->zstd);
        free(c->out);
}

static int compressor_init(Compressor *c, Compression kind)
{
        *c = (Compressor){ .kind = kind };
        c->out = malloc(CHUNK);
        if (!c->out)
                return -ENOMEM;
        if (kind == COMPRESSION_GZIP) {
                isal_deflate_init(&c->gz);
                c->gz.gzip_flag = IGZIP_GZIP;
                c->gz.level = 1;
                c->gz_level_buf = malloc(ISAL_DEF_LVL1_DEFAULT);
                if (!c->gz_level_buf)
                        return -ENOMEM;
                c->gz.level_buf = c->gz_level_buf;
                c->gz.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
                return 0;
        }
        c->zstd = ZSTD_createCCtx();
        return c->zstd ? 0 : -ENOMEM;
}

/* Feeds len bytes (end: the last of them) and writes what comes out to w. */
static int compressor_feed(Compressor *c, const void *data, size_t len, bool end,
                           ContentWriter *w, BerthError **err)
{
        if (c->kind == COMPRESSION_GZIP) {
                c->gz.next_in = (uint8_t *)data;
                c->gz.avail_in = (uint32_t)len;
                c->gz.end_of_stream = end;
                c->gz.flush = NO_FLUSH;
                do {
                        c->gz.next_out = c->out;
                        c->gz.avail_out = CHUNK;
                        if (isal_deflate(&c->gz) != COMP_OK)
                                return berth_error_plain(err, EIO, "gzip compression failed");
                        size_t n = CHUNK - c->gz.avail_out;
                        if (n > 0) {
                                int r = content_writer_write(w, c->out, n, err);
                                if (r < 0)
                                        return r;
                        }
                } while (c->gz.avail_in > 0 || c->gz.avail_out == 0 ||
                         (end && c->gz.internal_state.state != ZSTATE_END));
                return 0;
        }
        ZSTD_inBuffer in = { data, len, 0 };
        for (;;) {
                ZSTD_outBuffer out = { c->out, CHUNK, 0 };
                size_t left = ZSTD_compressStream2(c->zstd, &out, &in,
                                                   end ? ZSTD_e_end : ZSTD_e_continue);
                if (ZSTD_isError(left))
                        return berth_error_plain(err, EIO, "zstd compression failed: %s",
                                                 ZSTD_getErrorName(left));
                if (out.pos > 0) {
                        int r = content_writer_write(w, c->out, out.pos, err);
                        if (r < 0)
                                return r;
                }
                if (end ? left == 0 : in.pos == in.size)
                        return 0;
        }
}

static int make_compressed(ContentStore *cs, const char *digest, Compression kind,
                         char ret_digest[DIGEST_STRING_MAX], BerthError **err)
{
        _cleanup_content_writer_ ContentWriter *w = NULL;
        _cleanup_sha256_ Sha256 *h = NULL;
        _cleanup_free_ char *buf = NULL;
        _cleanup_close_ int fd = -1;
        char seen[DIGEST_STRING_MAX];
        Compressor c;
        int r;

        r = content_store_open_blob(cs, digest, &fd, err);
        if (r < 0)
                return r;
        r = compressor_init(&c, kind);
        buf = malloc(CHUNK);
        h = digest_sha256_new();
        if (r < 0 || !buf || !h) {
                compressor_done(&c);
                return berth_error(err, ENOMEM, "compress");
        }
        r = content_writer_open(cs, NULL, -1, false, &w, err);
        while (r >= 0) {
                ssize_t n = read(fd, buf, CHUNK);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = berth_error(err, errno, "read blob `%s`", digest);
                        break;
                }
                digest_sha256_update(h, buf, (size_t)n);
                r = compressor_feed(&c, buf, (size_t)n, n == 0, w, err);
                if (n == 0)
                        break;
        }
        compressor_done(&c);
        if (r < 0)
                return r;
        /* what was compressed is what the manifest names: a damaged store stops here */
        digest_sha256_final(h, seen);
        if (!streq(seen, digest))
                return berth_error_plain(err, EUCLEAN, "blob `%s` reads back as %s", digest, seen);
        return content_writer_commit(w, ret_digest, err);
}

int compress_blob(ContentStore *cs, Store *md, const char *digest, Compression c,
                    char ret_digest[DIGEST_STRING_MAX], int64_t *ret_size, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL, *ins = NULL;
        char made[DIGEST_STRING_MAX];
        uint64_t size = 0;
        int r;

        r = store_prepare(md, "SELECT compressed FROM compressed_blobs WHERE digest = ? AND "
                                 "compression = ?",
                             &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, digest, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, names[c], -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
                const char *known = (const char *)sqlite3_column_text(st, 0);
                if (known && digest_is_valid(known) && content_store_has(cs, known, &size) > 0) {
                        snprintf(ret_digest, DIGEST_STRING_MAX, "%s", known);
                        *ret_size = (int64_t)size;
                        return 0;
                }
        }
        r = make_compressed(cs, digest, c, made, err);
        if (r < 0)
                return berth_error_prefix(err, "compress layer `%s` with %s", digest, names[c]);
        if (content_store_has(cs, made, &size) <= 0)
                return berth_error_plain(err, EIO, "compressed blob `%s` is missing", made);
        r = store_prepare(md, "INSERT OR REPLACE INTO compressed_blobs(digest, compression, "
                                 "compressed) VALUES(?,?,?)",
                             &ins, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(ins, 1, digest, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, names[c], -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, made, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE)
                return store_error(md, "remember compressed blob", err);
        memcpy(ret_digest, made, DIGEST_STRING_MAX);
        *ret_size = (int64_t)size;
        return 0;
}
