/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth save [--format docker-archive|oci-archive|oci-dir|docker-dir] -o OUT IMAGE... */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "image/image-archive.h"
#include "image/reference.h"

int cmd_save(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "output", required_argument, NULL, 'o' },
                { "format", required_argument, NULL, 'f' },
                {},
        };
        ArchiveFormat format = ARCHIVE_DOCKER_TAR;
        const char *out = NULL;
        ImageRecord **recs = NULL;
        SaveItem *items = NULL;
        char **names = NULL;
        size_t n = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "o:f:", options, NULL)) >= 0) {
                if (c == 'o')
                        out = optarg;
                else if (c == 'f') {
                        if (image_archive_format_from_string(optarg, &format) < 0)
                                return berth_error_plain(err, EINVAL,
                                                   "unknown --format `%s` (docker-archive, "
                                                   "oci-archive, oci-dir, docker-dir)",
                                                   optarg);
                } else
                        return berth_error_plain(err, EINVAL, "usage: berth save -o OUT IMAGE...");
        }
        if (!out || optind >= argc)
                return berth_error_plain(err, EINVAL, "usage: berth save -o OUT IMAGE...");
        r = berth_context_open_locked(ctx, false, err);
        if (r < 0)
                return r;
        n = (size_t)(argc - optind);
        recs = calloc(n + 1, sizeof(*recs));
        items = calloc(n, sizeof(*items));
        names = calloc(n + 1, sizeof(*names));
        if (!recs || !items || !names) {
                r = berth_error(err, ENOMEM, "save");
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                Reference *ref = NULL;
                const char *arg = argv[optind + (int)i];
                r = image_store_resolve(ctx->md, arg, &recs[i], err);
                if (r < 0)
                        goto out;
                /* Saved under the name asked for when that is one of its names. */
                if (reference_parse(arg, &ref, NULL) >= 0 && ref->tag)
                        (void)reference_name(ref, &names[i]);
                reference_free(ref);
                if (names[i] && !strv_contains(recs[i]->tags, names[i])) {
                        free(names[i]);
                        names[i] = NULL;
                }
                if (!names[i] && recs[i]->tags && recs[i]->tags[0])
                        names[i] = strdup(recs[i]->tags[0]);
                items[i] = (SaveItem){ .rec = recs[i], .name = names[i] };
        }
        r = image_save(ctx->cs, items, n, format, out, err);
out:
        image_record_list_free(recs);
        free(items);
        strv_free(names);
        return r;
}
