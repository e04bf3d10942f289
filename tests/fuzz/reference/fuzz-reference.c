/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: image references, archive paths and WWW-Authenticate headers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basic/confine.h"
#include "image/auth.h"
#include "image/reference.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        BerthError *err = NULL;
        Reference *ref = NULL;
        AuthChallenge ch = {};
        char *s, *name = NULL;

        s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = 0;

        if (reference_parse(s, &ref, &err) >= 0) {
                /* a parsed reference prints back as one that parses to the same */
                Reference *again = NULL;
                if (reference_name(ref, &name) < 0 || reference_parse(name, &again, NULL) < 0 ||
                    strcmp(again->registry, ref->registry) != 0 ||
                    strcmp(again->repository, ref->repository) != 0)
                        __builtin_trap();
                reference_free(again);
        } else if (!err || !err->msg)
                __builtin_trap();
        reference_free(ref);
        berth_error_free(&err);
        free(name);

        /* a cleaned path never climbs and never starts at / */
        char *p = strdup(s);
        if (p) {
                confine_clean_path(p);
                if (p[0] == '/' || strcmp(p, "..") == 0 || strncmp(p, "../", 3) == 0 ||
                    strstr(p, "/../") || strstr(p, "//"))
                        __builtin_trap();
                free(p);
        }

        if (auth_challenge_parse(s, &ch) >= 0)
                auth_challenge_done(&ch);
        free(s);
        return 0;
}
