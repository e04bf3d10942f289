/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sha256 digests: streaming hashing (nettle: small to load, SHA-NI where the CPU has it) and "sha256:<hex>" validation. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DIGEST_SHA256_PREFIX "sha256:"
#define DIGEST_HEX_LEN 64
/* "sha256:" + 64 hex digits + NUL */
#define DIGEST_STRING_MAX (7 + DIGEST_HEX_LEN + 1)
#define DIGEST_RAW_LEN 32

typedef struct Sha256 Sha256;

Sha256 *digest_sha256_new(void);
void digest_sha256_free(Sha256 *h);
void digest_sha256_update(Sha256 *h, const void *data, size_t len);
/* Writes "sha256:<hex>" into out, which holds DIGEST_STRING_MAX bytes. The context can be used
 * again after digest_sha256_reset(). */
void digest_sha256_final(Sha256 *h, char out[DIGEST_STRING_MAX]);
void digest_sha256_reset(Sha256 *h);
/* A copy of the running state, so an intermediate digest can be taken. */
Sha256 *digest_sha256_dup(const Sha256 *h);

static inline void digest_sha256_freep(Sha256 **h)
{
        digest_sha256_free(*h);
}
#define _cleanup_sha256_ __attribute__((cleanup(digest_sha256_freep)))

void digest_sha256_buffer(const void *data, size_t len, char out[DIGEST_STRING_MAX]);
/* The 32 bytes of the digest of one buffer. */
void digest_sha256_raw(const void *data, size_t len, uint8_t md[DIGEST_RAW_LEN]);

/* True for "sha256:" followed by exactly 64 lower-case hex digits. */
bool digest_is_valid(const char *digest);
/* The hex part of a valid digest, or NULL. */
const char *digest_hex(const char *digest);
