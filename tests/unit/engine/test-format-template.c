/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --format: the Go template subset over JSON, tables and docker's tabwriter alignment. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "engine/format-template.h"
#include "tap.h"

static const char doc[] =
        "{\"ID\":\"0123456789abcdef\",\"Names\":\"web\",\"State\":{\"Running\":true,"
        "\"ExitCode\":0},\"Labels\":{\"app\":\"shop\",\"tier\":\"front\"},"
        "\"Ports\":[\"80/tcp\",\"443/tcp\"],\"Mounts\":[{\"Source\":\"/a\"},{\"Source\":\"/b\"}],"
        "\"Empty\":\"\",\"Count\":3}";

static char *render(const char *tmpl)
{
        _cleanup_format_template_ FormatTemplate *t = NULL;
        struct json_object *v = json_tokener_parse(doc);
        BerthError *err = NULL;
        char *out = NULL;

        if (format_template_parse(tmpl, &t, &err) < 0 || format_template_render(t, v, &out, &err) < 0) {
                out = strdup(err->msg);
                berth_error_free(&err);
        }
        json_object_put(v);
        return out;
}

#define ASSERT_RENDERS(tmpl, want)                                                                 \
        do {                                                                                       \
                _cleanup_free_ char *_got = render(tmpl);                                         \
                ASSERT_STREQ(_got, want);                                                          \
        } while (0)

TEST(fields_and_functions)
{
        ASSERT_RENDERS("{{.Names}}", "web");
        ASSERT_RENDERS("{{.State.Running}} {{.State.ExitCode}} {{.Count}}", "true 0 3");
        ASSERT_RENDERS("{{.Nope}}|{{.State.Nope}}", "<no value>|<no value>");
        ASSERT_RENDERS("{{json .State}}", "{\"Running\":true,\"ExitCode\":0}");
        ASSERT_RENDERS("{{json .Names}}", "\"web\"");
        ASSERT_RENDERS("{{index .Labels \"app\"}}", "shop");
        ASSERT_RENDERS("{{index .Labels \"none\"}}", "<no value>");
        ASSERT_RENDERS("{{join .Ports \", \"}}", "80/tcp, 443/tcp");
        ASSERT_RENDERS("{{upper .Names}} {{.Names | upper}} {{title \"a b\"}}", "WEB WEB A B");
        ASSERT_RENDERS("{{truncate .ID 12}}", "0123456789ab");
        ASSERT_RENDERS("{{.Ports}} {{.Labels}}", "[80/tcp 443/tcp] map[app:shop tier:front]");
        ASSERT_RENDERS("ID:\\t{{.ID}}\\n", "ID:\t0123456789abcdef\n");
        return 0;
}

TEST(range_and_if)
{
        ASSERT_RENDERS("{{range .Mounts}}{{.Source}};{{end}}", "/a;/b;");
        ASSERT_RENDERS("{{range .Labels}}[{{.}}]{{end}}", "[shop][front]");
        ASSERT_RENDERS("{{if .State.Running}}up{{else}}down{{end}}", "up");
        ASSERT_RENDERS("{{if .Empty}}x{{else}}empty{{end}}", "empty");
        ASSERT_RENDERS("{{if .Nope}}x{{end}}.", ".");
        ASSERT_RENDERS("{{range .Mounts}}{{if .Source}}{{.Source}}{{end}}{{end}}", "/a/b");
        return 0;
}

TEST(errors)
{
        ASSERT_RENDERS("{{.Names", "--format: `{{` without `}}`");
        ASSERT_RENDERS("{{end}}", "--format: `{{end}}` without a beginning");
        ASSERT_RENDERS("{{if .X}}", "--format: a `{{range}}` or `{{if}}` without its `{{end}}`");
        ASSERT_RENDERS("{{else}}", "--format: `{{else}}` outside an `{{if}}`");
        ASSERT_RENDERS("{{frobnicate .X}}",
                       "--format: `frobnicate` with 1 argument is no function this template "
                       "language knows");
        ASSERT_RENDERS("{{\"open}}", "--format: `{{\"open}}` is no action this template language "
                                     "knows");
        /* Nesting is bounded. */
        char deep[512] = "";
        for (int i = 0; i < 20; i++)
                strcat(deep, "{{if .X}}");
        ASSERT_RENDERS(deep, "--format: nested too deep");
        return 0;
}

static const char *headers(const char *field, void *userdata)
{
        return strcmp(field, "ID") == 0 ? "CONTAINER ID" : NULL;
}

TEST(tables)
{
        _cleanup_format_template_ FormatTemplate *t = NULL;
        _cleanup_free_ char *text = NULL, *table = NULL;
        struct json_object *v = json_tokener_parse(doc);

        ASSERT_OK(format_template_parse("table {{truncate .ID 12}}\\t{{.Names}}\\t{{.Count}}", &t,
                                        NULL));
        ASSERT_TRUE(format_template_is_table(t));
        ASSERT_OK(format_template_header(t, headers, NULL, &text, NULL));
        ASSERT_OK(format_template_render(t, v, &text, NULL));
        ASSERT_OK(format_template_render(t, v, &text, NULL));
        json_object_put(v);
        ASSERT_STREQ(text, "CONTAINER ID\tNAMES\tCOUNT\n0123456789ab\tweb\t3"
                           "0123456789ab\tweb\t3");
        free(text);
        text = strdup("CONTAINER ID\tNAMES\tCOUNT\n0123456789ab\tweb\t3\n");
        table = format_tabulate(text);
        ASSERT_STREQ(table, "CONTAINER ID   NAMES     COUNT\n"
                            "0123456789ab   web       3\n");
        return 0;
}
