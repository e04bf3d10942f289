/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "image/blob-io.h"
#include "image/image-import.h"
#include "image/image-unpack.h"
#include "image/layer-stream.h"
#include "image/manifest.h"

int image_import_tarball(ContentStore *cs, Store *md, Snapshotter *sn, const char *path,
                         const char *name, char *const *cmd, ImageRecord **ret, BerthError **err)
{
        _cleanup_layer_stream_ LayerStream *s = NULL;
        _cleanup_free_ char *cfg_digest = NULL, *m_digest = NULL;
        _cleanup_close_ int fd = -1;
        char layer[DIGEST_STRING_MAX], diff[DIGEST_STRING_MAX], created[32];
        Platform host = {};
        struct stat st;
        json_object *cfg, *m, *c, *rootfs, *ids;
        const char *mt;
        time_t now = time(NULL);
        int r;

        if (streq(path, "-")) {
                path = "stdin";
                fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
        } else
                fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0)
                return berth_error(err, errno, "open `%s`", path);
        r = blob_ingest_fd(cs, fd, NULL, S_ISREG(st.st_mode) ? st.st_size : -1, layer, err);
        if (r < 0)
                return berth_error_prefix(err, "`%s`", path);
        if (lseek(fd, 0, SEEK_SET) < 0) {
                if (errno != ESPIPE)
                        return berth_error(err, errno, "seek `%s`", path);
                /* a pipe: read the layer again from where it is now, the store */
                safe_close(fd);
                fd = -1;
                r = content_store_open_blob(cs, layer, &fd, err);
                if (r < 0)
                        return r;
        }
        r = layer_stream_open(fd, path, &s, err);
        if (r >= 0)
                r = layer_stream_drain(s, err);
        if (r < 0)
                return r;
        layer_stream_diff_id(s, diff);
        mt = layer_stream_compression(s) == LAYER_GZIP   ? MT_OCI_LAYER_GZIP
             : layer_stream_compression(s) == LAYER_ZSTD ? MT_OCI_LAYER_ZSTD
                                                         : MT_OCI_LAYER;
        if (manifest_platform_host(&host) < 0)
                return berth_error(err, ENOMEM, "import");
        strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

        cfg = json_object_new_object();
        json_object_object_add(cfg, "created", json_object_new_string(created));
        json_object_object_add(cfg, "architecture", json_object_new_string(host.architecture));
        if (host.variant)
                json_object_object_add(cfg, "variant", json_object_new_string(host.variant));
        json_object_object_add(cfg, "os", json_object_new_string(host.os));
        manifest_platform_done(&host);
        c = json_object_new_object();
        json_object *env = json_object_new_array();
        json_object_array_add(env, json_object_new_string(
                                           "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
                                           "/sbin:/bin"));
        json_object_object_add(c, "Env", env);
        if (cmd) {
                json_object *a = json_object_new_array();
                for (char *const *i = cmd; *i; i++)
                        json_object_array_add(a, json_object_new_string(*i));
                json_object_object_add(c, "Cmd", a);
        }
        json_object_object_add(cfg, "config", c);
        rootfs = json_object_new_object();
        ids = json_object_new_array();
        json_object_array_add(ids, json_object_new_string(diff));
        json_object_object_add(rootfs, "type", json_object_new_string("layers"));
        json_object_object_add(rootfs, "diff_ids", ids);
        json_object_object_add(cfg, "rootfs", rootfs);
        const char *cs_str = json_object_to_json_string_ext(
            cfg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        size_t cfg_len = strlen(cs_str);
        r = content_store_put(cs, cs_str, cfg_len, NULL, &cfg_digest, err);
        json_object_put(cfg);
        if (r < 0)
                return r;

        m = json_object_new_object();
        json_object_object_add(m, "schemaVersion", json_object_new_int(2));
        json_object_object_add(m, "mediaType", json_object_new_string(MT_OCI_MANIFEST));
        json_object_object_add(
            m, "config", manifest_descriptor_json(MT_OCI_CONFIG, cfg_digest, (int64_t)cfg_len));
        json_object *layers = json_object_new_array();
        json_object_array_add(layers, manifest_descriptor_json(mt, layer, st.st_size));
        json_object_object_add(m, "layers", layers);
        const char *ms = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN |
                                                                   JSON_C_TO_STRING_NOSLASHESCAPE);
        r = content_store_put(cs, ms, strlen(ms), NULL, &m_digest, err);
        json_object_put(m);
        if (r < 0)
                return r;
        char *tags[2] = { (char *)name, NULL };
        return image_commit(cs, md, sn, m_digest, NULL, name ? tags : NULL, ret, err);
}
