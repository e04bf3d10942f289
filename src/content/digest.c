/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "content/digest.h"

struct Sha256 {
        EVP_MD_CTX *ctx;
};

Sha256 *digest_sha256_new(void)
{
        Sha256 *h = calloc(1, sizeof(*h));
        if (!h)
                return NULL;
        h->ctx = EVP_MD_CTX_new();
        if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
                digest_sha256_free(h);
                return NULL;
        }
        return h;
}

void digest_sha256_free(Sha256 *h)
{
        if (!h)
                return;
        EVP_MD_CTX_free(h->ctx);
        free(h);
}

void digest_sha256_update(Sha256 *h, const void *data, size_t len)
{
        EVP_DigestUpdate(h->ctx, data, len);
}

void digest_sha256_reset(Sha256 *h)
{
        EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL);
}

Sha256 *digest_sha256_dup(const Sha256 *h)
{
        Sha256 *n = calloc(1, sizeof(*n));
        if (!n)
                return NULL;
        n->ctx = EVP_MD_CTX_new();
        if (!n->ctx || EVP_MD_CTX_copy_ex(n->ctx, h->ctx) != 1) {
                digest_sha256_free(n);
                return NULL;
        }
        return n;
}

void digest_sha256_final(Sha256 *h, char out[DIGEST_STRING_MAX])
{
        unsigned char md[32];
        unsigned int n = 0;

        EVP_DigestFinal_ex(h->ctx, md, &n);
        memcpy(out, DIGEST_SHA256_PREFIX, 7);
        for (unsigned i = 0; i < 32; i++)
                snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
        out[DIGEST_STRING_MAX - 1] = 0;
}

void digest_sha256_buffer(const void *data, size_t len, char out[DIGEST_STRING_MAX])
{
        unsigned char md[32];
        unsigned int n = 0;

        EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
        memcpy(out, DIGEST_SHA256_PREFIX, 7);
        for (unsigned i = 0; i < 32; i++)
                snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
        out[DIGEST_STRING_MAX - 1] = 0;
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
