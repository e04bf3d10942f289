/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth import [--cmd CMD] TARBALL|- [NAME]: an image of one layer from a rootfs tarball (-:
 * from stdin). */
#include <getopt.h>
#include <stdio.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "image/image-import.h"
#include "image/reference.h"

int cmd_import(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "cmd", required_argument, NULL, 'c' },
                {},
        };
        _cleanup_reference_ Reference *ref = NULL;
        _cleanup_free_ char *name = NULL;
        _cleanup_image_record_ ImageRecord *rec = NULL;
        _cleanup_strv_free_ char **cmd = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                if (c == 'c') {
                        if (strv_extend(&cmd, "/bin/sh") < 0 || strv_extend(&cmd, "-c") < 0 ||
                            strv_extend(&cmd, optarg) < 0)
                                return berth_error(err, ENOMEM, "import");
                } else
                        return berth_error_plain(err, EINVAL, "usage: berth import TARBALL|- [NAME]");
        }
        if (optind >= argc || argc - optind > 2)
                return berth_error_plain(err, EINVAL, "usage: berth import TARBALL|- [NAME]");
        if (argc - optind == 2) {
                r = reference_parse(argv[optind + 1], &ref, err);
                if (r < 0)
                        return r;
                if (!ref->tag || reference_name(ref, &name) < 0)
                        return berth_error_plain(err, EINVAL, "name `%s` needs a tag",
                                           argv[optind + 1]);
        }
        r = berth_context_open_locked(ctx, false, err);
        if (r >= 0)
                r = image_import_tarball(ctx->cs, ctx->md, ctx->sn, argv[optind], name, cmd, &rec,
                                         err);
        if (r < 0)
                return r;
        printf("%s\n", rec->id);
        return 0;
}
