/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Go template subset of format-template.h: parsed into a flat list of nodes (text,
 * actions, range/if/else/end with the index of their matching end), rendered by walking it.
 * Nesting depth is bounded, so a hostile template cannot exhaust the stack.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/format-template.h"

#define TEMPLATE_DEPTH_MAX 16
#define TEMPLATE_NODES_MAX 1024
#define TEMPLATE_ARGS_MAX 8

typedef enum NodeKind {
        NODE_TEXT,
        NODE_ACTION,
        NODE_RANGE,
        NODE_IF,
        NODE_ELSE,
        NODE_END,
} NodeKind;

/* One argument: a field path (".A.B", "." itself), a string or a number literal. */
typedef struct Arg {
        enum { ARG_FIELD, ARG_STRING, ARG_NUMBER } kind;
        char *text;
} Arg;

/* One command of a pipeline: an optional function and its arguments. */
typedef struct Command {
        char *func; /* NULL: the value of args[0] */
        Arg args[TEMPLATE_ARGS_MAX];
        size_t n_args;
} Command;

typedef struct Node {
        NodeKind kind;
        char *text;             /* NODE_TEXT */
        Command cmds[4];        /* the pipeline of an action, range or if */
        size_t n_cmds;
        size_t jump;            /* range/if: its else or end; else: its end */
} Node;

struct FormatTemplate {
        bool table;
        Node *nodes;
        size_t n_nodes;
};

typedef struct Str {
        char *p;
        size_t n, size;
        bool failed;
} Str;

static void str_add(Str *s, const char *data, size_t n)
{
        if (s->failed)
                return;
        if (s->n + n + 1 > s->size) {
                size_t size = MAX(s->size * 2, s->n + n + 64);
                char *p = realloc(s->p, size);
                if (!p) {
                        s->failed = true;
                        return;
                }
                s->p = p;
                s->size = size;
        }
        memcpy(s->p + s->n, data, n);
        s->n += n;
        s->p[s->n] = 0;
}

static void str_adds(Str *s, const char *data)
{
        str_add(s, data, strlen(data));
}

void format_template_free(FormatTemplate *t)
{
        if (!t)
                return;
        for (size_t i = 0; i < t->n_nodes; i++) {
                free(t->nodes[i].text);
                for (size_t c = 0; c < t->nodes[i].n_cmds; c++) {
                        free(t->nodes[i].cmds[c].func);
                        for (size_t a = 0; a < t->nodes[i].cmds[c].n_args; a++)
                                free(t->nodes[i].cmds[c].args[a].text);
                }
        }
        free(t->nodes);
        free(t);
}

bool format_template_is_table(const FormatTemplate *t)
{
        return t->table;
}

static Node *node_new(FormatTemplate *t, NodeKind kind)
{
        if (t->n_nodes >= TEMPLATE_NODES_MAX)
                return NULL;
        Node *n = realloc(t->nodes, (t->n_nodes + 1) * sizeof(Node));
        if (!n)
                return NULL;
        t->nodes = n;
        n = &t->nodes[t->n_nodes++];
        *n = (Node){ .kind = kind };
        return n;
}

/* Splits an action's text into words: quoted strings stay whole. */
static int parse_pipeline(Node *n, const char *s, const char *action, BerthError **err)
{
        Command *cmd = NULL;

        for (const char *p = s;;) {
                while (isspace((unsigned char)*p))
                        p++;
                if (!*p)
                        break;
                if (*p == '|') {
                        if (!cmd || cmd->n_args + !!cmd->func == 0)
                                goto bad;
                        cmd = NULL;
                        p++;
                        continue;
                }
                if (!cmd) {
                        if (n->n_cmds >= ELEMENTSOF(n->cmds))
                                goto bad;
                        cmd = &n->cmds[n->n_cmds++];
                }
                Arg a = { 0 };
                size_t len;
                if (*p == '"') {
                        const char *q = p + 1;
                        Str v = { 0 };
                        for (; *q && *q != '"'; q++) {
                                if (*q == '\\' && q[1]) {
                                        q++;
                                        str_add(&v, *q == 'n' ? "\n" : *q == 't' ? "\t" : q, 1);
                                } else
                                        str_add(&v, q, 1);
                        }
                        if (*q != '"' || v.failed) {
                                free(v.p);
                                goto bad;
                        }
                        a = (Arg){ ARG_STRING, v.p ? v.p : strdup("") };
                        p = q + 1;
                } else {
                        len = strcspn(p, " \t\n|");
                        a.text = strndup(p, len);
                        a.kind = *p == '.' ? ARG_FIELD
                                 : isdigit((unsigned char)*p) || *p == '-' ? ARG_NUMBER
                                                                           : ARG_STRING;
                        if (a.kind == ARG_STRING) {
                                /* A bare word is a function, first in its command only. */
                                if (cmd->func || cmd->n_args > 0) {
                                        free(a.text);
                                        goto bad;
                                }
                                cmd->func = a.text;
                                p += len;
                                continue;
                        }
                        p += len;
                }
                if (!a.text)
                        return berth_error(err, ENOMEM, "--format");
                if (cmd->n_args >= TEMPLATE_ARGS_MAX) {
                        free(a.text);
                        goto bad;
                }
                cmd->args[cmd->n_args++] = a;
        }
        if (n->n_cmds == 0 || (cmd && cmd->n_args == 0 && !cmd->func))
                goto bad;
        return 0;
bad:
        return berth_error_plain(err, EINVAL, "--format: `{{%s}}` is no action this template "
                                 "language knows", action);
}

int format_template_parse(const char *text, FormatTemplate **ret, BerthError **err)
{
        _cleanup_format_template_ FormatTemplate *t = calloc(1, sizeof(*t));
        size_t stack[TEMPLATE_DEPTH_MAX], depth = 0;
        Str unescaped = { 0 };
        const char *p;
        int r = 0;

        if (!t)
                return berth_error(err, ENOMEM, "--format");
        while (isspace((unsigned char)*text))
                text++;
        if (strncmp(text, "table", 5) == 0 && (text[5] == 0 || isspace((unsigned char)text[5]))) {
                t->table = true;
                text += 5;
                while (*text == ' ')
                        text++;
        }
        /* The docker CLI turns the two-character escapes \t and \n into the characters. */
        for (p = text; *p; p++) {
                if (*p == '\\' && (p[1] == 't' || p[1] == 'n')) {
                        str_add(&unescaped, p[1] == 't' ? "\t" : "\n", 1);
                        p++;
                } else
                        str_add(&unescaped, p, 1);
        }
        if (unescaped.failed)
                return berth_error(err, ENOMEM, "--format");
        for (p = unescaped.p ?: ""; *p && r >= 0;) {
                const char *open = strstr(p, "{{"), *close;
                _cleanup_free_ char *action = NULL;
                Node *n;

                if (!open) {
                        n = node_new(t, NODE_TEXT);
                        if (!n || !(n->text = strdup(p)))
                                r = berth_error(err, ENOMEM, "--format");
                        break;
                }
                if (open > p) {
                        n = node_new(t, NODE_TEXT);
                        if (!n || !(n->text = strndup(p, (size_t)(open - p)))) {
                                r = berth_error(err, ENOMEM, "--format");
                                break;
                        }
                }
                close = strstr(open + 2, "}}");
                if (!close) {
                        r = berth_error_plain(err, EINVAL, "--format: `{{` without `}}`");
                        break;
                }
                action = strndup(open + 2, (size_t)(close - open - 2));
                p = close + 2;
                if (!action) {
                        r = berth_error(err, ENOMEM, "--format");
                        break;
                }
                char *a = action;
                while (isspace((unsigned char)*a))
                        a++;
                size_t kw = strcspn(a, " \t");
                NodeKind kind = strncmp(a, "range", kw) == 0 && kw == 5 ? NODE_RANGE
                                : strncmp(a, "if", kw) == 0 && kw == 2 ? NODE_IF
                                : strncmp(a, "else", kw) == 0 && kw == 4 ? NODE_ELSE
                                : strncmp(a, "end", kw) == 0 && kw == 3 ? NODE_END
                                                                         : NODE_ACTION;
                n = node_new(t, kind);
                if (!n) {
                        r = berth_error_plain(err, E2BIG, "--format: the template is too long");
                        break;
                }
                size_t self = t->n_nodes - 1;
                switch (kind) {
                case NODE_RANGE:
                case NODE_IF:
                        if (depth >= TEMPLATE_DEPTH_MAX) {
                                r = berth_error_plain(err, E2BIG, "--format: nested too deep");
                                break;
                        }
                        stack[depth++] = self;
                        r = parse_pipeline(n, a + kw, action, err);
                        break;
                case NODE_ELSE:
                        if (depth == 0 || t->nodes[stack[depth - 1]].kind != NODE_IF ||
                            t->nodes[stack[depth - 1]].jump) {
                                r = berth_error_plain(err, EINVAL, "--format: `{{else}}` "
                                                      "outside an `{{if}}`");
                                break;
                        }
                        t->nodes[stack[depth - 1]].jump = self;
                        break;
                case NODE_END:
                        if (depth == 0) {
                                r = berth_error_plain(err, EINVAL, "--format: `{{end}}` "
                                                      "without a beginning");
                                break;
                        }
                        size_t begin = stack[--depth];
                        if (t->nodes[begin].jump)
                                t->nodes[t->nodes[begin].jump].jump = self;
                        else
                                t->nodes[begin].jump = self;
                        break;
                default:
                        r = parse_pipeline(n, a, action, err);
                }
        }
        free(unescaped.p);
        if (r < 0)
                return r;
        if (depth > 0)
                return berth_error_plain(err, EINVAL, "--format: a `{{range}}` or `{{if}}` "
                                         "without its `{{end}}`");
        *ret = TAKE_PTR(t);
        return 0;
}

/* ---- rendering ---- */

typedef struct Value {
        struct json_object *json; /* borrowed, or owned when owned is true */
        char *text;               /* a string result of a function, owned */
        bool missing;
        bool owned;
} Value;

static void value_done(Value *v)
{
        if (v->owned)
                json_object_put(v->json);
        free(v->text);
        *v = (Value){ 0 };
}

/* Go's fmt of a value: strings bare, maps as map[k:v], arrays as [a b]. */
static void print_json(Str *s, struct json_object *j, unsigned depth)
{
        if (!j) {
                str_adds(s, "<nil>");
                return;
        }
        if (depth > TEMPLATE_DEPTH_MAX) {
                str_adds(s, "...");
                return;
        }
        switch (json_object_get_type(j)) {
        case json_type_string:
                str_add(s, json_object_get_string(j), (size_t)json_object_get_string_len(j));
                break;
        case json_type_array:
                str_adds(s, "[");
                for (size_t i = 0; i < json_object_array_length(j); i++) {
                        if (i)
                                str_adds(s, " ");
                        print_json(s, json_object_array_get_idx(j, i), depth + 1);
                }
                str_adds(s, "]");
                break;
        case json_type_object: {
                bool first = true;
                str_adds(s, "map[");
                json_object_object_foreach(j, k, v) {
                        if (!first)
                                str_adds(s, " ");
                        first = false;
                        str_adds(s, k);
                        str_adds(s, ":");
                        print_json(s, v, depth + 1);
                }
                str_adds(s, "]");
                break;
        }
        default:
                str_adds(s, json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
        }
}

static void print_value(Str *s, const Value *v)
{
        if (v->missing)
                str_adds(s, "<no value>");
        else if (v->text)
                str_adds(s, v->text);
        else
                print_json(s, v->json, 0);
}

static Value field(struct json_object *dot, const char *path)
{
        struct json_object *cur = dot;
        char name[256];

        for (const char *p = path; *p;) {
                size_t len;
                if (*p == '.')
                        p++;
                len = strcspn(p, ".");
                if (len == 0)
                        break;
                if (len >= sizeof(name) || !json_object_is_type(cur, json_type_object))
                        return (Value){ .missing = true };
                memcpy(name, p, len);
                name[len] = 0;
                if (!json_object_object_get_ex(cur, name, &cur))
                        return (Value){ .missing = true };
                p += len;
        }
        return (Value){ .json = cur };
}

static Value arg_value(const Arg *a, struct json_object *dot)
{
        if (a->kind == ARG_FIELD)
                return field(dot, a->text);
        return (Value){ .text = strdup(a->text) };
}

static char *value_string(const Value *v)
{
        Str s = { 0 };
        print_value(&s, v);
        return s.failed ? NULL : s.p ? s.p : strdup("");
}

static int call(const Command *c, struct json_object *dot, Value *piped, Value *ret,
                BerthError **err)
{
        Value args[TEMPLATE_ARGS_MAX + 1];
        size_t n = 0;
        int r = 0;

        for (size_t i = 0; i < c->n_args; i++)
                args[n++] = arg_value(&c->args[i], dot);
        if (piped) {
                args[n++] = *piped;
                *piped = (Value){ 0 };
        }
        if (!c->func) {
                if (n != 1) {
                        r = berth_error_plain(err, EINVAL, "--format: a value where a function "
                                              "was wanted");
                        goto out;
                }
                *ret = args[0];
                args[0] = (Value){ 0 };
                goto out;
        }
        const char *f = c->func;
        if (streq(f, "json") && n == 1) {
                const char *s = args[0].missing ? "null"
                                : args[0].text ? NULL
                                : json_object_to_json_string_ext(args[0].json,
                                                                 JSON_C_TO_STRING_PLAIN |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
                if (!s) {
                        struct json_object *str = json_object_new_string(args[0].text);
                        ret->text = str ? strdup(json_object_to_json_string(str)) : NULL;
                        json_object_put(str);
                } else
                        ret->text = strdup(s);
        } else if ((streq(f, "upper") || streq(f, "lower") || streq(f, "title")) && n == 1) {
                ret->text = value_string(&args[0]);
                for (char *p = ret->text; p && *p; p++) {
                        if (streq(f, "upper"))
                                *p = (char)toupper((unsigned char)*p);
                        else if (streq(f, "lower"))
                                *p = (char)tolower((unsigned char)*p);
                        else if (p == ret->text || isspace((unsigned char)p[-1]))
                                *p = (char)toupper((unsigned char)*p);
                }
        } else if (streq(f, "index") && n == 2) {
                struct json_object *o = args[0].json, *v = NULL;
                const char *key = args[1].text ?: json_object_get_string(args[1].json);
                if (json_object_is_type(o, json_type_object) && key &&
                    json_object_object_get_ex(o, key, &v))
                        *ret = (Value){ .json = v };
                else if (json_object_is_type(o, json_type_array) && key &&
                         (size_t)atoll(key) < json_object_array_length(o))
                        *ret = (Value){ .json = json_object_array_get_idx(o, (size_t)atoll(key)) };
                else
                        *ret = (Value){ .missing = true };
        } else if (streq(f, "join") && n == 2) {
                Str s = { 0 };
                struct json_object *a = args[0].json;
                const char *sep = args[1].text ?: "";
                for (size_t i = 0; json_object_is_type(a, json_type_array) &&
                                   i < json_object_array_length(a); i++) {
                        if (i)
                                str_adds(&s, sep);
                        print_json(&s, json_object_array_get_idx(a, i), 0);
                }
                ret->text = s.failed ? NULL : s.p ? s.p : strdup("");
        } else if (streq(f, "truncate") && n == 2) {
                ret->text = value_string(&args[0]);
                long len = atol(args[1].text ?: "0");
                if (ret->text && len >= 0 && strlen(ret->text) > (size_t)len)
                        ret->text[len] = 0;
        } else if (streq(f, "println") && n == 1) {
                _cleanup_free_ char *s = value_string(&args[0]);
                if (s && asprintf(&ret->text, "%s\n", s) < 0)
                        ret->text = NULL;
        } else {
                r = berth_error_plain(err, EINVAL, "--format: `%s` with %zu argument%s is no "
                                      "function this template language knows", f, n,
                                      n == 1 ? "" : "s");
                goto out;
        }
        if (!ret->json && !ret->text && !ret->missing)
                r = berth_error(err, ENOMEM, "--format");
out:
        for (size_t i = 0; i < n; i++)
                value_done(&args[i]);
        return r;
}

static int pipeline(const Node *n, struct json_object *dot, Value *ret, BerthError **err)
{
        Value v = { 0 };

        for (size_t i = 0; i < n->n_cmds; i++) {
                Value out = { 0 };
                int r = call(&n->cmds[i], dot, i ? &v : NULL, &out, err);
                value_done(&v);
                if (r < 0)
                        return r;
                v = out;
        }
        *ret = v;
        return 0;
}

static bool truthy(const Value *v)
{
        if (v->missing)
                return false;
        if (v->text)
                return *v->text;
        switch (json_object_get_type(v->json)) {
        case json_type_null:
                return false;
        case json_type_boolean:
                return json_object_get_boolean(v->json);
        case json_type_int:
        case json_type_double:
                return json_object_get_double(v->json) != 0;
        case json_type_string:
                return json_object_get_string_len(v->json) > 0;
        case json_type_array:
                return json_object_array_length(v->json) > 0;
        case json_type_object:
                return json_object_object_length(v->json) > 0;
        }
        return false;
}

/* Renders nodes [from, to) with dot; depth is bounded by the parser's nesting limit. */
static int render(const FormatTemplate *t, size_t from, size_t to, struct json_object *dot,
                  Str *out, BerthError **err)
{
        for (size_t i = from; i < to; i++) {
                const Node *n = &t->nodes[i];
                Value v = { 0 };
                int r = 0;

                switch (n->kind) {
                case NODE_TEXT:
                        str_adds(out, n->text);
                        break;
                case NODE_ACTION:
                        r = pipeline(n, dot, &v, err);
                        if (r >= 0)
                                print_value(out, &v);
                        break;
                case NODE_IF: {
                        const Node *j = &t->nodes[n->jump];
                        size_t end = j->kind == NODE_ELSE ? j->jump : n->jump;
                        r = pipeline(n, dot, &v, err);
                        if (r < 0)
                                break;
                        if (truthy(&v))
                                r = render(t, i + 1, n->jump, dot, out, err);
                        else if (j->kind == NODE_ELSE)
                                r = render(t, n->jump + 1, end, dot, out, err);
                        i = end;
                        break;
                }
                case NODE_RANGE:
                        r = pipeline(n, dot, &v, err);
                        if (r < 0)
                                break;
                        if (json_object_is_type(v.json, json_type_array)) {
                                for (size_t k = 0; r >= 0 && k < json_object_array_length(v.json); k++)
                                        r = render(t, i + 1, n->jump,
                                                   json_object_array_get_idx(v.json, k), out, err);
                        } else if (json_object_is_type(v.json, json_type_object)) {
                                json_object_object_foreach(v.json, key, val) {
                                        (void)key;
                                        if (r >= 0)
                                                r = render(t, i + 1, n->jump, val, out, err);
                                }
                        }
                        i = n->jump;
                        break;
                case NODE_ELSE:
                case NODE_END:
                        break;
                }
                value_done(&v);
                if (r < 0)
                        return r;
        }
        return out->failed ? berth_error(err, ENOMEM, "--format") : 0;
}

int format_template_render(const FormatTemplate *t, struct json_object *v, char **buf,
                           BerthError **err)
{
        Str out = { .p = *buf, .n = *buf ? strlen(*buf) : 0, .size = *buf ? strlen(*buf) + 1 : 0 };
        int r = render(t, 0, t->n_nodes, v, &out, err);

        *buf = out.p;
        return r;
}

int format_template_header(const FormatTemplate *t, FormatHeader header, void *userdata,
                           char **buf, BerthError **err)
{
        Str out = { .p = *buf, .n = *buf ? strlen(*buf) : 0, .size = *buf ? strlen(*buf) + 1 : 0 };

        for (size_t i = 0; i < t->n_nodes; i++) {
                const Node *n = &t->nodes[i];
                if (n->kind == NODE_TEXT) {
                        str_adds(&out, n->text);
                        continue;
                }
                if (n->kind != NODE_ACTION)
                        continue;
                /* The field the action shows: its last field argument. */
                const char *f = NULL;
                for (size_t c = 0; c < n->n_cmds; c++)
                        for (size_t a = 0; a < n->cmds[c].n_args; a++)
                                if (n->cmds[c].args[a].kind == ARG_FIELD)
                                        f = n->cmds[c].args[a].text;
                const char *name = f ? (f[1] ? f + 1 : "") : "";
                const char *h = header ? header(name, userdata) : NULL;
                if (h)
                        str_adds(&out, h);
                else
                        for (const char *p = name; *p; p++) {
                                char ch = (char)toupper((unsigned char)*p);
                                str_add(&out, &ch, 1);
                        }
        }
        str_adds(&out, "\n");
        *buf = out.p;
        return out.failed ? berth_error(err, ENOMEM, "--format") : 0;
}

/* Display width of n bytes of UTF-8: continuation bytes take no column. */
static size_t width_of(const char *s, size_t n)
{
        size_t w = 0;
        for (size_t i = 0; i < n; i++)
                w += ((unsigned char)s[i] & 0xc0) != 0x80;
        return w;
}

char *format_tabulate(const char *text)
{
        size_t widths[64] = { 0 };
        Str out = { 0 };

        /* First pass: the widest cell of each column (cells end with a tab). */
        for (const char *line = text; *line;) {
                size_t len = strcspn(line, "\n"), col = 0;
                for (const char *c = line; c < line + len && col < ELEMENTSOF(widths);) {
                        const char *tab = memchr(c, '\t', (size_t)(line + len - c));
                        if (!tab)
                                break;
                        widths[col] = MAX(widths[col], width_of(c, (size_t)(tab - c)));
                        col++;
                        c = tab + 1;
                }
                line += len + (line[len] == '\n');
        }
        for (const char *line = text; *line;) {
                size_t len = strcspn(line, "\n"), col = 0;
                const char *c = line;
                for (; c < line + len && col < ELEMENTSOF(widths); col++) {
                        const char *tab = memchr(c, '\t', (size_t)(line + len - c));
                        if (!tab)
                                break;
                        size_t w = width_of(c, (size_t)(tab - c));
                        size_t cell = MAX(widths[col] + 3, (size_t)10);
                        str_add(&out, c, (size_t)(tab - c));
                        for (; w < cell; w++)
                                str_add(&out, " ", 1);
                        c = tab + 1;
                }
                str_add(&out, c, (size_t)(line + len - c));
                if (line[len] == '\n')
                        str_add(&out, "\n", 1);
                line += len + (line[len] == '\n');
        }
        if (out.failed) {
                free(out.p);
                return NULL;
        }
        return out.p ? out.p : strdup("");
}
