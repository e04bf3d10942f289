/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A CNI 1.0 runtime, as containerd's go-cni and podman's CNI backend drive the plugins of the
 * containernetworking project: a network is a conflist; ADD runs its plugins in order, each
 * given the previous one's result; CHECK the same with the cached result; DEL in reverse order
 * with the cached result, and with the configuration cached at ADD (the conflist may have
 * changed or gone since). An ADD that fails part way runs DEL for what it had added.
 */
#pragma once

#include <json-c/json.h>
#include <stdint.h>

#include "basic/error.h"

typedef struct CniNetwork {
        char *name;
        char *cni_version;
        struct json_object *conf;       /* the conflist document */
} CniNetwork;

typedef struct CniAttachment {
        const char *container_id;
        const char *netns;              /* the path of the container's network namespace */
        const char *ifname;             /* eth0 */
        const char *args;               /* CNI_ARGS ("K=V;K=V"), or NULL */
        struct json_object *capability_args; /* {"portMappings": [...]}: given to the plugins
                                               * that declare the capability, or NULL */
} CniAttachment;

typedef struct CniOptions {
        const char *const *plugin_dirs; /* searched in order (CNI_PATH) */
        const char *cache_dir;          /* one result file per network, container, interface */
        uint64_t timeout_usec;          /* per plugin call; 0: 60 s */
} CniOptions;

int cni_network_parse(const char *data, size_t len, const char *what, CniNetwork **ret,
                      BerthError **err);
int cni_network_load(const char *path, CniNetwork **ret, BerthError **err);
void cni_network_free(CniNetwork *n);
static inline void cni_network_freep(CniNetwork **n)
{
        cni_network_free(*n);
}
#define _cleanup_cni_network_ __attribute__((cleanup(cni_network_freep)))

/* ret_result (may be NULL) gets the last plugin's result; the caller puts it. */
int cni_add(const CniNetwork *n, const CniAttachment *a, const CniOptions *o,
            struct json_object **ret_result, BerthError **err);
int cni_check(const CniNetwork *n, const CniAttachment *a, const CniOptions *o,
              BerthError **err);
/* Uses the configuration and result cached by ADD when there are (n may then be NULL). */
int cni_del(const CniNetwork *n, const CniAttachment *a, const CniOptions *o, BerthError **err);
/* The result cached by ADD, or -ENOENT. */
int cni_cached_result(const char *network, const CniAttachment *a, const CniOptions *o,
                      struct json_object **ret, BerthError **err);
