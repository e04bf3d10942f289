/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The default seccomp profile and its rendering: see engine-seccomp.h. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/engine-seccomp.h"

extern const unsigned char engine_seccomp_default_json[];
extern const size_t engine_seccomp_default_json_size;

const char *engine_seccomp_default_profile(size_t *ret_size)
{
        if (ret_size)
                *ret_size = engine_seccomp_default_json_size;
        return (const char *)engine_seccomp_default_json;
}

/* Docker's (Go's) name of the host architecture. */
static const char *host_arch(void)
{
        static const struct {
                const char *machine, *name;
        } map[] = {
                { "x86_64", "amd64" }, { "aarch64", "arm64" }, { "s390x", "s390x" },
                { "riscv64", "riscv64" }, { "ppc64le", "ppc64le" }, { "i686", "386" },
                { "armv7l", "arm" },
        };
        static struct utsname u;

        if (uname(&u) < 0)
                return "";
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (streq(u.machine, map[i].machine))
                        return map[i].name;
        return u.machine;
}

/* Compares dotted release numbers ("6.1.0-13-amd64" with "4.8"): <0, 0, >0. */
static int kernel_cmp(const char *a, const char *b)
{
        while (*a || *b) {
                char *ea, *eb;
                long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);
                if (x != y)
                        return x < y ? -1 : 1;
                if (*ea != '.' || *eb != '.')
                        return 0;
                a = ea + 1, b = eb + 1;
        }
        return 0;
}

static bool list_has(struct json_object *list, const char *s)
{
        for (size_t i = 0; json_object_is_type(list, json_type_array) &&
                           i < json_object_array_length(list); i++)
                if (streq(json_object_get_string(json_object_array_get_idx(list, i)), s))
                        return true;
        return false;
}

static bool strv_has(char *const *l, const char *s)
{
        for (; l && *l; l++)
                if (streq(*l, s))
                        return true;
        return false;
}

/* `when`: every capability, one of the architectures, the kernel at least. */
static bool when_holds(struct json_object *w, char *const *caps, const char *arch,
                       const char *kernel)
{
        struct json_object *v;

        if (!w)
                return true;
        if (json_object_object_get_ex(w, "caps", &v))
                for (size_t i = 0; i < json_object_array_length(v); i++)
                        if (!strv_has(caps, json_object_get_string(json_object_array_get_idx(v, i))))
                                return false;
        if (json_object_object_get_ex(w, "arches", &v) && !list_has(v, arch))
                return false;
        if (json_object_object_get_ex(w, "kernel", &v) &&
            kernel_cmp(kernel, json_object_get_string(v)) < 0)
                return false;
        return true;
}

/* `unless`: any capability, any architecture. */
static bool unless_holds(struct json_object *u, char *const *caps, const char *arch)
{
        struct json_object *v;

        if (!u)
                return false;
        if (json_object_object_get_ex(u, "caps", &v))
                for (size_t i = 0; i < json_object_array_length(v); i++)
                        if (strv_has(caps, json_object_get_string(json_object_array_get_idx(v, i))))
                                return true;
        return json_object_object_get_ex(u, "arches", &v) && list_has(v, arch);
}

int engine_seccomp_render(const char *profile, char *const *caps, const char *arch,
                          const char *kernel, char **ret_json, BerthError **err)
{
        struct json_object *doc, *out = NULL, *groups, *archs, *syscalls, *v;
        struct utsname u;
        int r = 0;

        if (!profile)
                profile = engine_seccomp_default_profile(NULL);
        if (!arch)
                arch = host_arch();
        if (!kernel)
                kernel = uname(&u) == 0 ? u.release : "0";
        doc = json_tokener_parse(profile);
        if (!json_object_is_type(doc, json_type_object) ||
            !json_object_object_get_ex(doc, "groups", &groups) ||
            !json_object_is_type(groups, json_type_array)) {
                json_object_put(doc);
                return berth_error_plain(err, EINVAL, "the seccomp profile is no Berth profile "
                                         "(an object with `groups`)");
        }
        out = json_object_new_object();
        if (json_object_object_get_ex(doc, "defaultAction", &v))
                json_object_object_add(out, "defaultAction", json_object_get(v));
        if (json_object_object_get_ex(doc, "defaultErrnoRet", &v))
                json_object_object_add(out, "defaultErrnoRet", json_object_get(v));
        if (json_object_object_get_ex(doc, "architectures", &archs) &&
            json_object_object_get_ex(archs, arch, &v))
                json_object_object_add(out, "architectures", json_object_get(v));
        syscalls = json_object_new_array();
        json_object_object_add(out, "syscalls", syscalls);
        for (size_t i = 0; i < json_object_array_length(groups); i++) {
                struct json_object *g = json_object_array_get_idx(groups, i), *w = NULL, *un = NULL,
                                   *rule, *names;
                if (!json_object_is_type(g, json_type_object) ||
                    !json_object_object_get_ex(g, "names", &names)) {
                        r = berth_error_plain(err, EINVAL, "the seccomp profile: `groups[%zu]` "
                                              "has no `names`", i);
                        break;
                }
                json_object_object_get_ex(g, "when", &w);
                json_object_object_get_ex(g, "unless", &un);
                if (!when_holds(w, caps, arch, kernel) || unless_holds(un, caps, arch))
                        continue;
                rule = json_object_new_object();
                json_object_object_add(rule, "names", json_object_get(names));
                json_object_object_add(rule, "action",
                                       json_object_object_get_ex(g, "action", &v)
                                               ? json_object_get(v)
                                               : json_object_new_string("SCMP_ACT_ALLOW"));
                if (json_object_object_get_ex(g, "errnoRet", &v))
                        json_object_object_add(rule, "errnoRet", json_object_get(v));
                if (json_object_object_get_ex(g, "args", &v))
                        json_object_object_add(rule, "args", json_object_get(v));
                json_object_array_add(syscalls, rule);
        }
        if (r >= 0) {
                const char *text = json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN);
                *ret_json = text ? strdup(text) : NULL;
                if (!*ret_json)
                        r = berth_error(err, ENOMEM, "seccomp profile");
        }
        json_object_put(out);
        json_object_put(doc);
        return r;
}
