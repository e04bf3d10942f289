/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "basic/macro.h"
#include "image/layer-stream.h"

#define IN_SIZE (1 << 20)

struct LayerStream {
        int fd;
        char *name;
        LayerCompression comp;
        uint8_t *in;
        size_t in_pos, in_len;
        bool in_eof;
        struct inflate_state *gz;
        bool gz_member_done;
        ZSTD_DCtx *zstd;
        bool zstd_frame_open; /* inside a frame: input ending here means truncation */
        Sha256 *hash;
        bool done;
};

static int fill(LayerStream *s, BerthError **err)
{
        ssize_t n;

        if (s->in_pos < s->in_len || s->in_eof)
                return 0;
        for (;;) {
                n = read(s->fd, s->in, IN_SIZE);
                if (n >= 0)
                        break;
                if (errno != EINTR)
                        return berth_error(err, errno, "read layer `%s`", s->name);
        }
        s->in_pos = 0;
        s->in_len = (size_t)n;
        if (n == 0)
                s->in_eof = true;
        return 0;
}

int layer_stream_open(int fd, const char *name, LayerStream **ret, BerthError **err)
{
        LayerStream *s;
        int r;

        s = calloc(1, sizeof(*s));
        if (!s)
                return berth_error(err, ENOMEM, "layer stream");
        s->fd = fd;
        s->name = strdup(name);
        s->in = malloc(IN_SIZE);
        s->hash = digest_sha256_new();
        if (!s->name || !s->in || !s->hash) {
                layer_stream_free(s);
                return berth_error(err, ENOMEM, "layer stream");
        }
        /* Magic bytes: may need more than one read on a pipe. */
        while (!s->in_eof && s->in_len < 4) {
                ssize_t n = read(fd, s->in + s->in_len, IN_SIZE - s->in_len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = berth_error(err, errno, "read layer `%s`", name);
                        layer_stream_free(s);
                        return r;
                }
                if (n == 0)
                        s->in_eof = true;
                s->in_len += (size_t)n;
        }
        if (s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b) {
                s->comp = LAYER_GZIP;
                s->gz = calloc(1, sizeof(*s->gz));
                if (!s->gz) {
                        layer_stream_free(s);
                        return berth_error(err, ENOMEM, "layer stream");
                }
                isal_inflate_init(s->gz);
                s->gz->crc_flag = ISAL_GZIP;
        } else if (s->in_len >= 4 && s->in[0] == 0x28 && s->in[1] == 0xb5 && s->in[2] == 0x2f &&
                   s->in[3] == 0xfd) {
                s->comp = LAYER_ZSTD;
                s->zstd = ZSTD_createDCtx();
                if (!s->zstd) {
                        layer_stream_free(s);
                        return berth_error(err, ENOMEM, "layer stream");
                }
        } else
                s->comp = LAYER_PLAIN;
        *ret = s;
        return 0;
}

static ssize_t read_gzip(LayerStream *s, void *buf, size_t n, BerthError **err)
{
        for (;;) {
                int r = fill(s, err);
                if (r < 0)
                        return r;
                if (s->gz_member_done) {
                        /* Concatenated gzip members are valid gzip: go on with the next. */
                        if (s->in_pos >= s->in_len && s->in_eof)
                                return 0;
                        if (s->in_pos >= s->in_len)
                                continue;
                        isal_inflate_reset(s->gz);
                        s->gz->crc_flag = ISAL_GZIP;
                        s->gz_member_done = false;
                }
                s->gz->next_in = s->in + s->in_pos;
                s->gz->avail_in = (uint32_t)(s->in_len - s->in_pos);
                s->gz->next_out = buf;
                s->gz->avail_out = (uint32_t)MIN(n, (size_t)UINT32_MAX);
                r = isal_inflate(s->gz);
                s->in_pos = s->in_len - s->gz->avail_in;
                if (r != ISAL_DECOMP_OK)
                        return berth_error_plain(err, EBADMSG, "layer `%s`: corrupt gzip data (%d)",
                                           s->name, r);
                size_t produced = n - s->gz->avail_out;
                if (s->gz->block_state == ISAL_BLOCK_FINISH)
                        s->gz_member_done = true;
                if (produced > 0)
                        return (ssize_t)produced;
                if (!s->gz_member_done && s->in_eof && s->in_pos >= s->in_len)
                        return berth_error_plain(err, EBADMSG, "layer `%s`: gzip data is truncated",
                                           s->name);
        }
}

static ssize_t read_zstd(LayerStream *s, void *buf, size_t n, BerthError **err)
{
        for (;;) {
                int r = fill(s, err);
                if (r < 0)
                        return r;
                ZSTD_inBuffer in = { s->in, s->in_len, s->in_pos };
                ZSTD_outBuffer out = { buf, n, 0 };
                size_t before = in.pos;
                size_t z = ZSTD_decompressStream(s->zstd, &out, &in);
                s->in_pos = in.pos;
                if (ZSTD_isError(z))
                        return berth_error_plain(err, EBADMSG, "layer `%s`: corrupt zstd data: %s",
                                           s->name, ZSTD_getErrorName(z));
                /* z == 0: a frame just ended; after that an empty call only hints at the
                 * header of a next frame, so judge by the calls that made progress */
                if (in.pos > before || out.pos > 0)
                        s->zstd_frame_open = z != 0;
                if (out.pos > 0)
                        return (ssize_t)out.pos;
                if (s->in_eof && s->in_pos >= s->in_len) {
                        if (s->zstd_frame_open)
                                return berth_error_plain(err, EBADMSG,
                                                   "layer `%s`: zstd data is truncated", s->name);
                        return 0;
                }
        }
}

static ssize_t read_plain(LayerStream *s, void *buf, size_t n, BerthError **err)
{
        int r = fill(s, err);
        if (r < 0)
                return r;
        size_t k = MIN(n, s->in_len - s->in_pos);
        memcpy(buf, s->in + s->in_pos, k);
        s->in_pos += k;
        return (ssize_t)k;
}

ssize_t layer_stream_read(LayerStream *s, void *buf, size_t n, BerthError **err)
{
        ssize_t k;

        if (s->done || n == 0)
                return 0;
        switch (s->comp) {
        case LAYER_GZIP:
                k = read_gzip(s, buf, n, err);
                break;
        case LAYER_ZSTD:
                k = read_zstd(s, buf, n, err);
                break;
        default:
                k = read_plain(s, buf, n, err);
        }
        if (k > 0)
                digest_sha256_update(s->hash, buf, (size_t)k);
        else if (k == 0)
                s->done = true;
        return k;
}

int layer_stream_drain(LayerStream *s, BerthError **err)
{
        _cleanup_free_ char *buf = malloc(1 << 16);
        ssize_t k;

        if (!buf)
                return berth_error(err, ENOMEM, "layer stream");
        while ((k = layer_stream_read(s, buf, 1 << 16, err)) > 0)
                ;
        return k < 0 ? (int)k : 0;
}

LayerCompression layer_stream_compression(const LayerStream *s)
{
        return s->comp;
}

void layer_stream_diff_id(LayerStream *s, char out[DIGEST_STRING_MAX])
{
        digest_sha256_final(s->hash, out);
}

void layer_stream_free(LayerStream *s)
{
        if (!s)
                return;
        free(s->gz);
        if (s->zstd)
                ZSTD_freeDCtx(s->zstd);
        digest_sha256_free(s->hash);
        free(s->in);
        free(s->name);
        free(s);
}
