/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>

#include "content/digest.h"

struct Sha256 {
        struct sha256_ctx ctx;
};

Sha256 *digest_sha256_new(void)
{
        Sha256 *h = malloc(sizeof(*h));
        if (!h)
                return NULL;
        sha256_init(&h->ctx);
        return h;
}

void digest_sha256_free(Sha256 *h)
{
        free(h);
}

void digest_sha256_update(Sha256 *h, const void *data, size_t len)
{
        sha256_update(&h->ctx, len, data);
}

void digest_sha256_reset(Sha256 *h)
{
        sha256_init(&h->ctx);
}

Sha256 *digest_sha256_dup(const Sha256 *h)
{
        Sha256 *n = malloc(sizeof(*n));
        if (n)
                *n = *h;
        return n;
}

static void format(const uint8_t md[SHA256_DIGEST_SIZE], char out[DIGEST_STRING_MAX])
{
        static const char hex[] = "0123456789abcdef";

        memcpy(out, DIGEST_SHA256_PREFIX, 7);
        for (unsigned i = 0; i < SHA256_DIGEST_SIZE; i++) {
                out[7 + 2 * i] = hex[md[i] >> 4];
                out[7 + 2 * i + 1] = hex[md[i] & 15];
        }
        out[DIGEST_STRING_MAX - 1] = 0;
}

void digest_sha256_final(Sha256 *h, char out[DIGEST_STRING_MAX])
{
        uint8_t md[SHA256_DIGEST_SIZE];

        /* nettle's digest also resets the context, as digest_sha256_reset() would. */
        sha256_digest(&h->ctx, sizeof(md), md);
        format(md, out);
}

void digest_sha256_raw(const void *data, size_t len, uint8_t md[DIGEST_RAW_LEN])
{
        struct sha256_ctx ctx;

        sha256_init(&ctx);
        sha256_update(&ctx, len, data);
        sha256_digest(&ctx, DIGEST_RAW_LEN, md);
}

void digest_sha256_buffer(const void *data, size_t len, char out[DIGEST_STRING_MAX])
{
        uint8_t md[SHA256_DIGEST_SIZE];

        digest_sha256_raw(data, len, md);
        format(md, out);
}

bool digest_is_valid(const char *digest)
{
        if (!digest || strncmp(digest, DIGEST_SHA256_PREFIX, 7) != 0)
                return false;
        const char *p = digest + 7;
        size_t n = 0;
        for (; *p; p++, n++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return n == DIGEST_HEX_LEN;
}

const char *digest_hex(const char *digest)
{
        return digest_is_valid(digest) ? digest + 7 : NULL;
}
