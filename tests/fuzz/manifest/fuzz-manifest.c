/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: manifests, indexes and image configs (rootfs and run settings) from a
 * registry or a layout. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image-config.h"
#include "image/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        BerthError *err = NULL;
        Manifest *m = NULL;
        ImageConfig *c = NULL;
        char *s;
        int r;

        r = manifest_parse((const char *)data, size, NULL, &m, &err);
        if ((r < 0) != (m == NULL) || (r < 0 && (!err || !err->msg)))
                __builtin_trap();
        if (m && m->kind == MANIFEST_INDEX) {
                Platform p = { .os = "linux", .architecture = "amd64" };
                int k = manifest_select_platform(m, &p);
                if (k >= (int)m->n_manifests)
                        __builtin_trap();
        }
        manifest_free(m);
        berth_error_free(&err);

        /* the config parser wants a C string */
        s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = 0;
        r = image_config_parse(s, size, &c, &err);
        if ((r < 0) != (c == NULL))
                __builtin_trap();
        if (c) {
                char **chains = NULL;
                if (manifest_chain_ids(c->diff_ids, c->n_diff_ids, &chains) < 0)
                        __builtin_trap();
                for (size_t i = 0; chains && chains[i]; i++)
                        free(chains[i]);
                free(chains);
        }
        image_config_free(c);
        berth_error_free(&err);

        ImageRunConfig *rc = NULL;
        r = image_run_config_parse((const char *)data, size, &rc, &err);
        if ((r < 0) != (rc == NULL) || (r < 0 && (!err || !err->msg)))
                __builtin_trap();
        image_run_config_free(rc);
        berth_error_free(&err);
        free(s);
        return 0;
}
