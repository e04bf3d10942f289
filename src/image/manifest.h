/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * OCI image spec 1.1 and Docker v2 schema 2 documents: descriptors, image manifests, indexes
 * (manifest lists) and image configs, parsed from untrusted JSON with every field checked.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_OCI_LAYER_ND_GZIP "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar"
#define MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MT_DOCKER_LAYER_FOREIGN "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

/* The Accept header for manifest requests. */
#define MANIFEST_ACCEPT                                                                            \
        MT_OCI_INDEX ", " MT_OCI_MANIFEST ", " MT_DOCKER_LIST ", " MT_DOCKER_MANIFEST

typedef enum ManifestKind {
        MANIFEST_IMAGE,
        MANIFEST_INDEX,
} ManifestKind;

typedef struct Platform {
        char *os;
        char *architecture;
        char *variant;
} Platform;

typedef struct Descriptor {
        char *media_type;
        char *digest;
        int64_t size;
        Platform platform; /* index entries only */
        char *ref_name;    /* org.opencontainers.image.ref.name annotation */
        char *image_name;  /* io.containerd.image.name annotation (containerd, docker) */
} Descriptor;

typedef struct Manifest {
        ManifestKind kind;
        char *media_type;
        Descriptor config;
        Descriptor *layers;
        size_t n_layers;
        Descriptor *manifests;
        size_t n_manifests;
} Manifest;

typedef struct ImageConfig {
        Platform platform;
        char *created;
        char **diff_ids;
        size_t n_diff_ids;
} ImageConfig;

/* content_type (from HTTP) may be NULL; the document's own mediaType wins when both exist. */
int manifest_parse(const char *data, size_t len, const char *content_type, Manifest **ret,
                   BerthError **err);
void manifest_free(Manifest *m);
/* {"mediaType", "digest", "size"} as a new json-c object, for manifests written here. */
struct json_object *manifest_descriptor_json(const char *media_type, const char *digest,
                                             int64_t size);
static inline void manifest_freep(Manifest **m)
{
        manifest_free(*m);
}
#define _cleanup_manifest_ __attribute__((cleanup(manifest_freep)))

int image_config_parse(const char *data, size_t len, ImageConfig **ret, BerthError **err);
void image_config_free(ImageConfig *c);
static inline void image_config_freep(ImageConfig **c)
{
        image_config_free(*c);
}
#define _cleanup_image_config_ __attribute__((cleanup(image_config_freep)))

void manifest_descriptor_done(Descriptor *d);
void manifest_platform_done(Platform *p);

bool manifest_media_type_is_layer(const char *mt);
bool manifest_media_type_is_manifest(const char *mt);
bool manifest_media_type_is_index(const char *mt);

/* The host's platform in OCI terms (GOOS/GOARCH names). */
int manifest_platform_host(Platform *ret);
/* "os/arch[/variant]" */
int manifest_platform_parse(const char *s, Platform *ret, BerthError **err);
/* Whether an index entry suits the wanted platform; the variant only counts when wanted. */
bool manifest_platform_matches(const Platform *want, const Platform *have);
/* Picks the index entry for want; returns its position or -ENOENT. */
int manifest_select_platform(const Manifest *index, const Platform *want);

/* Chain IDs per the OCI image spec: chain[0] = diff[0], chain[i] = sha256(chain[i-1] + " " +
 * diff[i]). ret is a NULL-terminated vector. */
int manifest_chain_ids(char *const *diff_ids, size_t n, char ***ret);
