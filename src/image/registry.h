/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A client for the OCI distribution spec (libcurl): the /v2/ ping, Basic and Bearer-token auth
 * through the WWW-Authenticate challenge, manifests, blobs streamed into the content store with
 * their digest checked on the way and a resuming retry (Range), and pushes (existence checks,
 * cross-repository mounts, monolithic and chunked uploads). One Registry may be used by several
 * threads at once; each request has its own curl handle.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "basic/error.h"
#include "content/content-store.h"

typedef struct RegistryOptions {
        int tls_verify; /* 1, 0, or -1: on except for localhost registries */
        const char *authfile;      /* berth's credentials file, or NULL */
        const char *docker_config; /* docker's config.json, read-only, or NULL */
        const char *const *registries_conf; /* registries.json candidates, first existing wins */
        const char *username; /* explicit credentials, else the auth files */
        const char *password;
        int retries; /* transfer attempts per blob; 0: default 5 */
} RegistryOptions;

typedef struct RegistryToken {
        char *scope;
        char *token;
} RegistryToken;

typedef struct Registry {
        char *host;
        char *base; /* "https://host" or "http://host" */
        bool tls_verify;
        char *username, *password;
        int retries;
        pthread_mutex_t lock;
        char *auth_scheme; /* from the last challenge */
        char *realm, *service;
        RegistryToken *tokens;
        size_t n_tokens;
} Registry;

/* Called while a blob moves: bytes so far of total (-1 when unknown). */
typedef void (*TransferProgress)(void *userdata, uint64_t done, int64_t total);

int registry_open(const char *host, const RegistryOptions *opts, Registry **ret,
                  BerthError **err);
void registry_free(Registry *r);
static inline void registry_freep(Registry **r)
{
        registry_free(*r);
}
#define _cleanup_registry_ __attribute__((cleanup(registry_freep)))

/* GET /v2/: picks http or https (plain http only without TLS verification) and checks that
 * the credentials, if any, are accepted. */
int registry_ping(Registry *r, BerthError **err);
/* Fetches a manifest by tag or digest. ret_digest: sha256 of the bytes received. */
int registry_get_manifest(Registry *r, const char *repo, const char *reference, char **ret_data,
                          size_t *ret_len, char **ret_content_type,
                          char ret_digest[DIGEST_STRING_MAX], BerthError **err);
/* Downloads a blob into the store unless it is there; checks size and digest. */
int registry_fetch_blob(Registry *r, const char *repo, const char *digest, int64_t size,
                        ContentStore *cs, TransferProgress progress, void *userdata,
                        BerthError **err);
/* 1 when the registry has the blob, 0 when not. */
int registry_blob_exists(Registry *r, const char *repo, const char *digest, BerthError **err);
/* Uploads a stored blob. mount_from: a repository of the same registry that has it (or NULL);
 * chunk_size 0: one monolithic PUT. Returns 1 when the blob was mounted, 0 when uploaded. */
int registry_push_blob(Registry *r, const char *repo, ContentStore *cs, const char *digest,
                       int64_t size, const char *mount_from, uint64_t chunk_size,
                       TransferProgress progress, void *userdata, BerthError **err);
int registry_put_manifest(Registry *r, const char *repo, const char *reference, const char *data,
                          size_t len, const char *media_type, BerthError **err);
