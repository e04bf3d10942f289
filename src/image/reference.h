/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Image references: [registry[:port]/]repository[:tag][@sha256:...], normalised the docker way
 * ("busybox" is docker.io/library/busybox:latest).
 */
#pragma once

#include "basic/error.h"

typedef struct Reference {
        char *registry;   /* "docker.io", "localhost:5000" */
        char *repository; /* "library/busybox" */
        char *tag;        /* NULL when only a digest was given */
        char *digest;     /* NULL unless @digest was given */
} Reference;

int reference_parse(const char *s, Reference **ret, BerthError **err);
void reference_free(Reference *r);
static inline void reference_freep(Reference **r)
{
        reference_free(*r);
}
#define _cleanup_reference_ __attribute__((cleanup(reference_freep)))

/* "registry/repository:tag" (or "@digest" when there is no tag): the key of the tags table. */
int reference_name(const Reference *r, char **ret);
/* "registry/repository" */
int reference_repo_name(const Reference *r, char **ret);
/* The host to talk to: docker.io is served by registry-1.docker.io. */
const char *reference_api_host(const Reference *r);
/* True for registry names that are plain-http/insecure by convention in tests (localhost). */
int reference_is_localhost(const char *registry);
