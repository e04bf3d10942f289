/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth top CONTAINER [ps OPTIONS]: the container's processes as the host's ps shows them
 * (default -ef), in docker's aligned columns. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/json-walk.h"
#include "basic/macro.h"
#include "cmd/berth/berth.h"
#include "engine/engine.h"
#include "engine/format-template.h"

static int append_row(FILE *f, struct json_object *row)
{
        for (size_t i = 0; json_object_is_type(row, json_type_array) &&
                           i < json_object_array_length(row);
             i++)
                fprintf(f, "%s%s", i ? "\t" : "",
                        json_object_get_string(json_object_array_get_idx(row, i)));
        fputc('\n', f);
        return 0;
}

int cmd_top(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_engine_container_ EngineContainer *c = NULL;
        _cleanup_(jwalk_putp) struct json_object *doc = NULL;
        _cleanup_free_ char *text = NULL, *tab = NULL;
        size_t len = 0;
        int r;

        /* Everything after the container is ps's, options included. */
        if (argc < 2 || argv[1][0] == '-')
                return berth_error_plain(err, EINVAL, "usage: berth top CONTAINER [ps OPTIONS]");
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        r = engine_container_lookup(e, argv[1], &c, err);
        if (r < 0)
                return r;
        r = engine_container_top(e, c, argc > 2 ? argv + 2 : NULL, &doc, err);
        if (r < 0)
                return r;
        FILE *f = open_memstream(&text, &len);
        if (!f)
                return berth_error(err, errno, "top");
        append_row(f, jwalk_member(doc, "Titles"));
        struct json_object *procs = jwalk_member(doc, "Processes");
        for (size_t i = 0; i < json_object_array_length(procs); i++)
                append_row(f, json_object_array_get_idx(procs, i));
        fclose(f);
        tab = format_tabulate(text);
        fputs(tab ? tab : text, stdout);
        return 0;
}
