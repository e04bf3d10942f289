/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ps --filter`: docker's container filters, parsed once and matched against each container.
 * Values of one key are alternatives, different keys all have to match. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/engine-internal.h"
#include "image/image-handle.h"
#include "image/image-store.h"

#define FILTER_VALUE_MAX 4096

typedef struct FilterTerm {
        char *key, *value;
        char *image_id; /* ancestor: the image the value names, when there is one */
} FilterTerm;

struct EngineFilter {
        FilterTerm *terms;
        size_t n;
};

static const char *const keys[] = { "status", "name", "id", "label", "exited", "ancestor" };

static bool status_is_valid(const char *s)
{
        for (EngineState st = ENGINE_STATE_CREATED; st <= ENGINE_STATE_DEAD; st++)
                if (streq(s, engine_state_name(st)))
                        return true;
        return false;
}

int engine_filter_add(EngineFilter **f, const char *spec, BerthError **err)
{
        const char *eq = spec ? strchr(spec, '=') : NULL;
        _cleanup_free_ char *key = NULL, *value = NULL;
        bool known = false;
        int code;

        if (!eq || eq == spec)
                return berth_error_plain(err, EINVAL, "bad format of filter `%s`: KEY=VALUE "
                                         "expected", spec ? spec : "");
        if (strlen(eq + 1) > FILTER_VALUE_MAX)
                return berth_error_plain(err, EINVAL, "filter `%.*s`: the value is too long",
                                         (int)(eq - spec), spec);
        key = strndup(spec, (size_t)(eq - spec));
        value = strdup(eq + 1);
        if (!key || !value)
                return berth_error(err, ENOMEM, "filter");
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                known = known || streq(keys[i], key);
        if (!known)
                return berth_error_plain(err, EINVAL, "invalid filter `%s`", key);
        if (streq(key, "status") && !status_is_valid(value))
                return berth_error_plain(err, EINVAL, "invalid filter `status=%s`: created, "
                                         "running, paused, restarting, exited or dead", value);
        if (streq(key, "exited") && (string_safe_atoi(value, &code) < 0 || code < 0))
                return berth_error_plain(err, EINVAL, "invalid filter `exited=%s`: an exit code "
                                         "expected", value);
        if (!*f && !(*f = calloc(1, sizeof(**f))))
                return berth_error(err, ENOMEM, "filter");
        FilterTerm *t = realloc((*f)->terms, ((*f)->n + 1) * sizeof(*t));
        if (!t)
                return berth_error(err, ENOMEM, "filter");
        (*f)->terms = t;
        t[(*f)->n++] = (FilterTerm){ .key = TAKE_PTR(key), .value = TAKE_PTR(value) };
        return 0;
}

void engine_filter_resolve(EngineFilter *f, Engine *e)
{
        for (size_t i = 0; f && i < f->n; i++) {
                _cleanup_image_record_ ImageRecord *rec = NULL;
                if (!streq(f->terms[i].key, "ancestor"))
                        continue;
                if (image_store_resolve(e->store, f->terms[i].value, &rec, NULL) >= 0)
                        f->terms[i].image_id = strdup(rec->id);
        }
}

void engine_filter_free(EngineFilter *f)
{
        if (!f)
                return;
        for (size_t i = 0; i < f->n; i++) {
                free(f->terms[i].key);
                free(f->terms[i].value);
                free(f->terms[i].image_id);
        }
        free(f->terms);
        free(f);
}

static bool label_match(const EngineContainer *c, const char *want)
{
        _cleanup_(jwalk_putp) struct json_object *doc = jwalk_parse_object(c->config,
                                                                           strlen(c->config));
        struct json_object *cfg = doc ? jwalk_member(doc, "Config") : NULL;
        struct json_object *labels = cfg ? jwalk_member(cfg, "Labels") : NULL;
        const char *eq = strchr(want, '=');
        size_t klen = eq ? (size_t)(eq - want) : strlen(want);

        if (!labels || !json_object_is_type(labels, json_type_object))
                return false;
        json_object_object_foreach(labels, k, v) {
                if (strlen(k) != klen || strncmp(k, want, klen) != 0)
                        continue;
                if (!eq)
                        return true;
                return json_object_is_type(v, json_type_string) &&
                       streq(json_object_get_string(v), eq + 1);
        }
        return false;
}

/* An image id given whole or as a prefix of 12 or more, with or without "sha256:". */
static bool image_id_match(const char *image_id, const char *want)
{
        const char *hex = startswith(image_id, "sha256:") ?: image_id;
        const char *w = startswith(want, "sha256:") ?: want;
        size_t n = strlen(w);

        return n >= 12 && n <= strlen(hex) && strncmp(hex, w, n) == 0;
}

/* The image's name as given, or as given plus docker's implied ":latest". */
static bool image_name_match(const char *image, const char *want)
{
        size_t n = strlen(want);

        if (streq(image, want))
                return true;
        return strncmp(image, want, n) == 0 && streq(image + n, ":latest") &&
               !strchr(strrchr(want, '/') ?: want, ':');
}

static bool term_match(const FilterTerm *t, const EngineContainer *c)
{
        int code;

        if (streq(t->key, "status"))
                return streq(engine_state_name(c->state), t->value);
        if (streq(t->key, "name"))
                return strstr(c->name, startswith(t->value, "/") ?: t->value) != NULL;
        if (streq(t->key, "id"))
                return startswith(c->id, t->value) != NULL;
        if (streq(t->key, "label"))
                return label_match(c, t->value);
        if (streq(t->key, "exited"))
                return c->state == ENGINE_STATE_EXITED && string_safe_atoi(t->value, &code) >= 0 &&
                       c->exit_code == code;
        if (streq(t->key, "ancestor"))
                return image_name_match(c->image, t->value) ||
                       image_id_match(c->image_id, t->value) ||
                       (t->image_id && streq(t->image_id, c->image_id));
        return false;
}

bool engine_filter_match(const EngineFilter *f, const EngineContainer *c)
{
        for (size_t i = 0; f && i < f->n; i++) {
                bool any = false, first = true;
                /* Each key once, at its first term: does any of its values match? */
                for (size_t j = 0; j < i && first; j++)
                        first = !streq(f->terms[j].key, f->terms[i].key);
                if (!first)
                        continue;
                for (size_t j = i; j < f->n && !any; j++)
                        any = streq(f->terms[j].key, f->terms[i].key) &&
                              term_match(&f->terms[j], c);
                if (!any)
                        return false;
        }
        return true;
}
