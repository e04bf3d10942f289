/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OCI image layout: oci-layout, index.json and blobs/sha256/<hex>. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/confine.h"
#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "content/digest.h"
#include "image/blob-io.h"
#include "image/image-archive.h"
#include "image/image-unpack.h"
#include "image/reference.h"

/* Copies one blob of the layout into the store, checking digest and size. */
static int ingest_layout_blob(ContentStore *cs, int dirfd, const char *what, const char *digest,
                              int64_t size, BerthError **err)
{
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        if (content_store_has(cs, digest, NULL) > 0)
                return 0;
        if (asprintf(&path, "blobs/sha256/%s", digest_hex(digest)) < 0)
                return berth_error(err, ENOMEM, "load");
        fd = confine_open(dirfd, path, O_RDONLY, 0);
        if (fd < 0)
                return berth_error(err, fd, "%s: blob %s is missing", what, digest);
        r = blob_ingest_fd(cs, fd, digest, size, NULL, err);
        if (r < 0)
                return berth_error_prefix(err, "%s", what);
        return 0;
}

static int read_small_blob(ContentStore *cs, int dirfd, const char *what, const Descriptor *d,
                           char **ret, size_t *ret_len, BerthError **err)
{
        int r = ingest_layout_blob(cs, dirfd, what, d->digest, d->size, err);
        if (r < 0)
                return r;
        return content_store_read_blob(cs, d->digest, ret, ret_len, err);
}

/* The name an index entry gives its image. */
static int entry_name(const Descriptor *d, const char *ann_name, const LoadOptions *opts,
                      const char *what, char **ret)
{
        _cleanup_reference_ Reference *ref = NULL;
        _cleanup_free_ char *full = NULL;
        const char *rn = ann_name ?: d->ref_name;

        *ret = NULL;
        if (!rn)
                return 0;
        if (!strchr(rn, '/') && !strchr(rn, '@')) {
                /* Only a tag: the repository comes from --name or the layout's name. */
                _cleanup_free_ char *base = NULL;
                const char *repo = opts ? opts->name_hint : NULL;
                if (!repo) {
                        const char *b = strrchr(what, '/');
                        base = strdup(b ? b + 1 : what);
                        if (!base)
                                return -ENOMEM;
                        char *dot = strchr(base, '.');
                        if (dot)
                                *dot = 0;
                        for (char *p = base; *p; p++)
                                if (*p >= 'A' && *p <= 'Z')
                                        *p = (char)(*p - 'A' + 'a');
                        if (asprintf(&full, "localhost/%s:%s", base, rn) < 0)
                                return -ENOMEM;
                } else if (asprintf(&full, "%s:%s", repo, rn) < 0)
                        return -ENOMEM;
                rn = full;
        }
        if (reference_parse(rn, &ref, NULL) < 0 || !ref->tag)
                return 0; /* not a usable name: the image stays unnamed */
        return reference_name(ref, ret);
}

int oci_layout_load(ContentStore *cs, Store *md, Snapshotter *sn, int dirfd, const char *what,
                    const LoadOptions *opts, char ***names, BerthError **err)
{
        _cleanup_free_ char *data = NULL;
        _cleanup_manifest_ Manifest *index = NULL;
        size_t len = 0;
        int r;

        r = fs_read_full_file_limited(dirfd, "index.json", READ_LIMIT_JSON, &data, &len, err);
        if (r < 0)
                return berth_error_prefix(err, "%s", what);
        r = manifest_parse(data, len, MT_OCI_INDEX, &index, err);
        if (r < 0)
                return berth_error_prefix(err, "%s: index.json", what);
        if (index->kind != MANIFEST_INDEX)
                return berth_error_plain(err, EINVAL, "%s: index.json is not an image index", what);

        for (size_t i = 0; i < index->n_manifests; i++) {
                const Descriptor *d = &index->manifests[i];
                _cleanup_free_ char *name = NULL, *mdata = NULL;
                _cleanup_manifest_ Manifest *m = NULL;
                _cleanup_image_record_ ImageRecord *rec = NULL;
                /* The containerd/docker annotation carries the full name. */
                const char *ann = d->image_name, *manifest_digest = d->digest,
                           *index_digest = NULL;
                _cleanup_free_ char *sel = NULL;
                size_t mlen = 0;

                r = read_small_blob(cs, dirfd, what, d, &mdata, &mlen, err);
                if (r < 0)
                        return r;
                r = manifest_parse(mdata, mlen, d->media_type, &m, err);
                if (r < 0) {
                        berth_error_prefix(err, "%s: manifest %s", what, d->digest);
                        return r;
                }
                if (m->kind == MANIFEST_INDEX) {
                        Platform host = {};
                        const Platform *want = opts ? opts->platform : NULL;
                        if (!want) {
                                if (manifest_platform_host(&host) < 0) {
                                        r = berth_error(err, ENOMEM, "platform");
                                        return r;
                                }
                                want = &host;
                        }
                        int k = manifest_select_platform(m, want);
                        if (k < 0) {
                                r = berth_error_plain(err, ENOENT,
                                                      "%s: index %s has no manifest for "
                                                      "%s/%s",
                                                      what, d->digest, want->os,
                                                      want->architecture);
                                manifest_platform_done(&host);
                                return r;
                        }
                        manifest_platform_done(&host);
                        Descriptor *md2 = &m->manifests[k];
                        index_digest = d->digest;
                        sel = strdup(md2->digest);
                        if (!sel) {
                                r = berth_error(err, ENOMEM, "load");
                                return r;
                        }
                        manifest_digest = sel;
                        free(mdata);
                        mdata = NULL;
                        r = read_small_blob(cs, dirfd, what, md2, &mdata, &mlen, err);
                        if (r < 0)
                                return r;
                        Manifest *inner = NULL;
                        r = manifest_parse(mdata, mlen, md2->media_type, &inner, err);
                        /* md2 points into m: done with it only now */
                        manifest_free(m);
                        m = inner;
                        if (r < 0) {
                                berth_error_prefix(err, "%s: manifest %s", what, sel);
                                return r;
                        }
                        if (m->kind != MANIFEST_IMAGE) {
                                r = berth_error_plain(err, EINVAL, "%s: nested index %s", what,
                                                md2->digest);
                                return r;
                        }
                }
                r = ingest_layout_blob(cs, dirfd, what, m->config.digest, m->config.size, err);
                for (size_t l = 0; r >= 0 && l < m->n_layers; l++)
                        r = ingest_layout_blob(cs, dirfd, what, m->layers[l].digest,
                                               m->layers[l].size, err);
                if (r < 0)
                        return r;
                r = entry_name(d, ann, opts, what, &name);
                if (r < 0) {
                        r = berth_error(err, r, "load");
                        return r;
                }
                char *tags[2] = { name, NULL };
                r = image_commit_load(cs, md, sn, manifest_digest, index_digest, tags, &rec,
                                      err);
                if (r < 0)
                        return r;
                if (strv_extend(names, name ?: rec->id) < 0) {
                        r = berth_error(err, ENOMEM, "load");
                        return r;
                }
        }
        return 0;
}

int oci_layout_save(ContentStore *cs, const SaveItem *items, size_t n, const char *dir,
                    BerthError **err)
{
        _cleanup_close_ int dfd = -1, bfd = -1;
        json_object *index, *mans;
        int r;

        dfd = image_archive_mkdir(dir, err);
        if (dfd < 0)
                return dfd;
        if ((mkdirat(dfd, "blobs", 0755) < 0 && errno != EEXIST) ||
            (mkdirat(dfd, "blobs/sha256", 0755) < 0 && errno != EEXIST))
                return berth_error(err, errno, "create `%s/blobs/sha256`", dir);
        bfd = openat(dfd, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (bfd < 0)
                return berth_error(err, errno, "open `%s/blobs/sha256`", dir);

        index = json_object_new_object();
        mans = json_object_new_array();
        json_object_object_add(index, "schemaVersion", json_object_new_int(2));
        json_object_object_add(index, "mediaType", json_object_new_string(MT_OCI_INDEX));
        json_object_object_add(index, "manifests", mans);
        for (size_t i = 0; i < n; i++) {
                const ImageRecord *rec = items[i].rec;
                json_object *e = json_object_new_object();

                r = blob_export(cs, rec->manifest_digest, bfd, digest_hex(rec->manifest_digest),
                                err);
                if (r >= 0)
                        r = blob_export(cs, rec->id, bfd, digest_hex(rec->id), err);
                for (size_t l = 0; r >= 0 && l < rec->n_layers; l++)
                        r = blob_export(cs, rec->layers[l].digest, bfd,
                                        digest_hex(rec->layers[l].digest), err);
                if (r < 0) {
                        json_object_put(e);
                        json_object_put(index);
                        return r;
                }
                json_object_object_add(e, "mediaType",
                                       json_object_new_string(rec->manifest_media_type));
                json_object_object_add(e, "digest", json_object_new_string(rec->manifest_digest));
                json_object_object_add(e, "size", json_object_new_int64(rec->manifest_size));
                if (rec->os && rec->architecture) {
                        json_object *p = json_object_new_object();
                        json_object_object_add(p, "architecture",
                                               json_object_new_string(rec->architecture));
                        json_object_object_add(p, "os", json_object_new_string(rec->os));
                        if (rec->variant)
                                json_object_object_add(p, "variant",
                                                       json_object_new_string(rec->variant));
                        json_object_object_add(e, "platform", p);
                }
                if (items[i].name) {
                        json_object *a = json_object_new_object();
                        const char *colon = strrchr(items[i].name, ':');
                        json_object_object_add(a, "io.containerd.image.name",
                                               json_object_new_string(items[i].name));
                        json_object_object_add(a, "org.opencontainers.image.ref.name",
                                               json_object_new_string(colon ? colon + 1
                                                                            : "latest"));
                        json_object_object_add(e, "annotations", a);
                }
                json_object_array_add(mans, e);
        }
        const char *s = json_object_to_json_string_ext(index, JSON_C_TO_STRING_PLAIN |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE);
        r = fs_write_file_atomic_at(dfd, "index.json", s, strlen(s), 0644);
        json_object_put(index);
        if (r >= 0) {
                static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
                r = fs_write_file_atomic_at(dfd, "oci-layout", layout, strlen(layout), 0644);
        }
        if (r < 0)
                return berth_error(err, r, "write `%s/index.json`", dir);
        return 0;
}
