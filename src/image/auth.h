/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Registry credentials: berth's own auth file (docker's config.json format, written 0600 through
 * a temporary name) and, read-only, docker's ~/.docker/config.json; and the WWW-Authenticate
 * challenges of the distribution spec.
 */
#pragma once

#include "basic/error.h"

/* Looks up host in authfile (berth's own), then in docker_config (docker's config.json); either
 * may be NULL. Returns 1 and the pair when found, 0 when not. The CLI picks the paths. */
int auth_lookup(const char *authfile, const char *docker_config, const char *host,
                char **ret_user, char **ret_password, BerthError **err);
/* Adds or replaces host's entry in authfile. */
int auth_store(const char *authfile, const char *host, const char *user, const char *password,
               BerthError **err);
/* Returns 1 when an entry was removed, 0 when there was none. */
int auth_remove(const char *authfile, const char *host, BerthError **err);

typedef struct AuthChallenge {
        char *scheme; /* "Bearer" or "Basic" */
        char *realm;
        char *service;
        char *scope;
} AuthChallenge;

int auth_challenge_parse(const char *header, AuthChallenge *ret);
void auth_challenge_done(AuthChallenge *c);

int auth_base64_encode(const void *data, size_t len, char **ret);
int auth_base64_decode(const char *s, char **ret, size_t *ret_len);
