/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `top`: the pids the runtime names for the container (`ps --format json`), then the host's
 * ps with the user's options, its header and the rows of those pids, split as Docker splits
 * them (the last column keeps its spaces). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/engine-internal.h"

#define PIDS_MAX (1024 * 1024)
#define PS_OUTPUT_MAX (16 * 1024 * 1024)
#define PIDS_COUNT_MAX 65536

static int container_pids(Engine *e, EngineContainer *c, int **ret, size_t *ret_n,
                          BerthError **err)
{
        _cleanup_free_ char *out = NULL, *msg = NULL;
        _cleanup_(jwalk_putp) struct json_object *a = NULL;
        _cleanup_free_ int *pids = NULL;
        size_t n;
        int r;

        r = engine_runtime_output(e, c->run.runtime,
                                  (char *[]){ "ps", "--format", "json", c->id, NULL }, NULL,
                                  PIDS_MAX, &out, &msg);
        if (r != 0)
                return berth_error_plain(err, r < 0 ? -r : EIO, "top `%s`: %s", c->name,
                                         msg && *msg ? msg : "the runtime's ps failed");
        a = out ? json_tokener_parse(out) : NULL;
        if (!a || !json_object_is_type(a, json_type_array) ||
            (n = json_object_array_length(a)) > PIDS_COUNT_MAX)
                return berth_error_plain(err, EBADMSG, "top `%s`: the runtime's ps printed no "
                                         "array of pids", c->name);
        pids = calloc(n + 1, sizeof(*pids));
        if (!pids)
                return berth_error(err, ENOMEM, "top");
        for (size_t i = 0; i < n; i++) {
                struct json_object *v = json_object_array_get_idx(a, i);
                if (!json_object_is_type(v, json_type_int))
                        return berth_error_plain(err, EBADMSG, "top `%s`: pid %zu is no number",
                                                 c->name, i);
                pids[i] = json_object_get_int(v);
        }
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

/* Whitespace-separated words of line; with max > 0, the max-th takes the rest of the line. */
static struct json_object *split(char *line, size_t max)
{
        struct json_object *a = json_object_new_array();
        char *p = line;

        for (;;) {
                p += strspn(p, " \t");
                if (!*p)
                        break;
                if (max && json_object_array_length(a) + 1 == max) {
                        size_t l = strlen(p);
                        while (l > 0 && (p[l - 1] == ' ' || p[l - 1] == '\t'))
                                l--;
                        json_object_array_add(a, json_object_new_string_len(p, (int)l));
                        break;
                }
                size_t l = strcspn(p, " \t");
                json_object_array_add(a, json_object_new_string_len(p, (int)l));
                p += l;
        }
        return a;
}

int engine_container_top(Engine *e, EngineContainer *c, char *const *ps_args,
                         struct json_object **ret, BerthError **err)
{
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *out = NULL;
        _cleanup_free_ int *pids = NULL;
        _cleanup_(jwalk_putp) struct json_object *doc = NULL;
        size_t n = 0, pid_col = SIZE_MAX, n_titles;
        int r;

        if (c->state != ENGINE_STATE_RUNNING && c->state != ENGINE_STATE_PAUSED)
                return berth_error_plain(err, EINVAL, "container `%s` is not running", c->name);
        r = container_pids(e, c, &pids, &n, err);
        if (r < 0)
                return r;
        if (strv_extend(&argv, "ps") < 0)
                return berth_error(err, ENOMEM, "top");
        STRV_FOREACH(a, (char **)ps_args)
                if (strv_extend(&argv, *a) < 0)
                        return berth_error(err, ENOMEM, "top");
        if (!ps_args || !*ps_args)
                if (strv_extend(&argv, "-ef") < 0)
                        return berth_error(err, ENOMEM, "top");
        r = engine_program_output(argv, PS_OUTPUT_MAX, &out);
        if (r != 0)
                return berth_error_plain(err, r < 0 ? -r : EIO, "top `%s`: ps: %s", c->name,
                                         out && *out ? string_strip(out) : "it failed");
        char *save = NULL, *header = out ? strtok_r(out, "\n", &save) : NULL;
        if (!header)
                return berth_error_plain(err, EBADMSG, "top `%s`: ps printed nothing", c->name);
        struct json_object *titles = split(header, 0);
        doc = json_object_new_object();
        json_object_object_add(doc, "Titles", titles);
        n_titles = json_object_array_length(titles);
        for (size_t i = 0; i < n_titles; i++)
                if (streq(json_object_get_string(json_object_array_get_idx(titles, i)), "PID"))
                        pid_col = i;
        if (pid_col == SIZE_MAX)
                return berth_error_plain(err, EINVAL, "top `%s`: ps printed no PID column (its "
                                         "options need to keep it)", c->name);
        struct json_object *procs = json_object_new_array();
        json_object_object_add(doc, "Processes", procs);
        for (char *line; (line = strtok_r(NULL, "\n", &save));) {
                struct json_object *row = split(line, n_titles);
                int pid;
                if (json_object_array_length(row) <= pid_col ||
                    string_safe_atoi(json_object_get_string(json_object_array_get_idx(row, pid_col)),
                                     &pid) < 0) {
                        json_object_put(row);
                        continue;
                }
                bool ours = false;
                for (size_t i = 0; i < n && !ours; i++)
                        ours = pids[i] == pid;
                if (ours)
                        json_object_array_add(procs, row);
                else
                        json_object_put(row);
        }
        *ret = TAKE_PTR(doc);
        return 0;
}
