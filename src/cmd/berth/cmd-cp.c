/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth cp: CONTAINER:SRC DEST, SRC CONTAINER:DEST, and `-` for a tar on stdin or stdout, with
 * docker's flags; the copying is the engine's (engine-cp.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "engine/engine-cp.h"
#include "engine/engine.h"

/* "NAME:PATH" names a container's path; a path with a slash before its colon is the host's
 * (./a:b), as docker reads it. */
static bool container_part(const char *arg, char **ret_name, const char **ret_path)
{
        const char *colon = strchr(arg, ':');

        if (!colon || colon == arg || memchr(arg, '/', (size_t)(colon - arg)))
                return false;
        *ret_name = strndup(arg, (size_t)(colon - arg));
        *ret_path = colon + 1;
        return true;
}

int cmd_cp(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "archive", no_argument, NULL, 'a' },
                { "follow-link", no_argument, NULL, 'L' },
                { "quiet", no_argument, NULL, 'q' },
                {},
        };
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_engine_container_ EngineContainer *c = NULL;
        _cleanup_free_ char *src_name = NULL, *dst_name = NULL;
        EngineCpOptions o = {};
        const char *src_path, *dst_path;
        int opt, r;

        while ((opt = getopt_long(argc, argv, "+aLq", options, NULL)) >= 0) {
                switch (opt) {
                case 'a': o.archive = true; break;
                case 'L': o.follow_link = true; break;
                case 'q': break;
                default:
                        return berth_error_plain(err, EINVAL, "unknown option (see --help)");
                }
        }
        if (argc - optind != 2)
                return berth_error_plain(err, EINVAL, "a source and a destination are needed: "
                                         "cp [OPTIONS] CONTAINER:SRC DEST|-, or SRC|- "
                                         "CONTAINER:DEST");
        const char *src = argv[optind], *dst = argv[optind + 1];
        bool from = container_part(src, &src_name, &src_path);
        bool to = container_part(dst, &dst_name, &dst_path);
        if ((from && !src_name) || (to && !dst_name))
                return berth_error(err, ENOMEM, "cp");
        if (from == to)
                return berth_error_plain(err, EINVAL, "one of source and destination must be "
                                         "CONTAINER:PATH, and only one");
        if (from ? !*src_path : !*dst_path)
                return berth_error_plain(err, EINVAL, "`%s`: no path after the container",
                                         from ? src : dst);
        r = berth_engine_open(ctx, &e, err);
        if (r >= 0)
                r = engine_container_lookup(e, from ? src_name : dst_name, &c, err);
        if (r < 0)
                return r;
        if (from) {
                bool stream = streq(dst, "-");
                if (stream && isatty(STDOUT_FILENO))
                        return berth_error_plain(err, EINVAL, "the tar goes to stdout, which is "
                                                 "a terminal");
                return engine_cp_from_container(e, c, src_path, stream ? NULL : dst,
                                                STDOUT_FILENO, &o, err);
        }
        bool stream = streq(src, "-");
        return engine_cp_to_container(e, c, stream ? NULL : src, STDIN_FILENO, dst_path, &o, err);
}
