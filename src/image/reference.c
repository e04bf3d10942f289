/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "content/digest.h"
#include "image/reference.h"

void reference_free(Reference *r)
{
        if (!r)
                return;
        free(r->registry);
        free(r->repository);
        free(r->tag);
        free(r->digest);
        free(r);
}

static bool repo_component_valid(const char *s, size_t n)
{
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '.' ||
                      c == '_' || c == '-'))
                        return false;
        }
        return isalnum((unsigned char)s[0]) && isalnum((unsigned char)s[n - 1]);
}

static bool tag_valid(const char *t)
{
        size_t n = strlen(t);
        if (n == 0 || n > 128 || !(isalnum((unsigned char)t[0]) || t[0] == '_'))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!(isalnum((unsigned char)t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-'))
                        return false;
        return true;
}

int reference_parse(const char *s, Reference **ret, BerthError **err)
{
        _cleanup_reference_ Reference *r = NULL;
        _cleanup_free_ char *copy = NULL;
        char *at, *slash, *name, *colon;

        if (isempty(s) || strlen(s) > 1024)
                return berth_error_plain(err, EINVAL, "invalid image reference `%s`", s ?: "");
        r = calloc(1, sizeof(*r));
        copy = strdup(s);
        if (!r || !copy)
                return berth_error(err, ENOMEM, "reference");

        at = strchr(copy, '@');
        if (at) {
                *at = 0;
                if (!digest_is_valid(at + 1))
                        return berth_error_plain(err, EINVAL, "invalid digest in image reference `%s`",
                                           s);
                r->digest = strdup(at + 1);
                if (!r->digest)
                        return berth_error(err, ENOMEM, "reference");
        }

        name = copy;
        slash = strchr(copy, '/');
        if (slash && (memchr(copy, '.', (size_t)(slash - copy)) ||
                      memchr(copy, ':', (size_t)(slash - copy)) ||
                      (strneq(copy, "localhost", 9) && slash - copy == 9))) {
                r->registry = strndup(copy, (size_t)(slash - copy));
                name = slash + 1;
        } else
                r->registry = strdup("docker.io");
        if (!r->registry)
                return berth_error(err, ENOMEM, "reference");
        for (char *p = r->registry; *p; p++)
                if (!(isalnum((unsigned char)*p) || strchr(".-:[]", *p)))
                        return berth_error_plain(err, EINVAL, "invalid registry in image reference `%s`",
                                           s);

        colon = strrchr(name, ':');
        if (colon && !strchr(colon, '/')) {
                *colon = 0;
                if (!tag_valid(colon + 1))
                        return berth_error_plain(err, EINVAL, "invalid tag in image reference `%s`", s);
                r->tag = strdup(colon + 1);
                if (!r->tag)
                        return berth_error(err, ENOMEM, "reference");
        } else if (!r->digest) {
                r->tag = strdup("latest");
                if (!r->tag)
                        return berth_error(err, ENOMEM, "reference");
        }

        for (const char *p = name;;) {
                const char *e = strchr(p, '/');
                size_t n = e ? (size_t)(e - p) : strlen(p);
                if (!repo_component_valid(p, n))
                        return berth_error_plain(err, EINVAL,
                                           "invalid repository name in image reference `%s` "
                                           "(lower-case letters, digits, '.', '_', '-')", s);
                if (!e)
                        break;
                p = e + 1;
        }
        if (streq(r->registry, "docker.io") && !strchr(name, '/')) {
                if (asprintf(&r->repository, "library/%s", name) < 0)
                        return berth_error(err, ENOMEM, "reference");
        } else {
                r->repository = strdup(name);
                if (!r->repository)
                        return berth_error(err, ENOMEM, "reference");
        }
        /* distribution's NameTotalLengthMax: the name with its registry (so that what
         * reference_name() prints parses again) */
        if (strlen(r->registry) + 1 + strlen(r->repository) > 255)
                return berth_error_plain(err, EINVAL, "image reference `%.64s...`: the name is "
                                         "longer than 255 characters", s);
        *ret = TAKE_PTR(r);
        return 0;
}

int reference_repo_name(const Reference *r, char **ret)
{
        return asprintf(ret, "%s/%s", r->registry, r->repository) < 0 ? -ENOMEM : 0;
}

int reference_name(const Reference *r, char **ret)
{
        int n;
        if (r->tag)
                n = asprintf(ret, "%s/%s:%s", r->registry, r->repository, r->tag);
        else
                n = asprintf(ret, "%s/%s@%s", r->registry, r->repository, r->digest);
        return n < 0 ? -ENOMEM : 0;
}

const char *reference_api_host(const Reference *r)
{
        return streq(r->registry, "docker.io") ? "registry-1.docker.io" : r->registry;
}

int reference_is_localhost(const char *registry)
{
        return startswith(registry, "localhost") || startswith(registry, "127.") ||
               startswith(registry, "[::1]");
}
