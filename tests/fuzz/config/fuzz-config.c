/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the config.json parser: any input must parse or fail cleanly. */
#include <stddef.h>
#include <stdint.h>

#include "spec/runtime-spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        BerthError *err = NULL;
        Spec *s = NULL;
        int r;

        r = spec_parse((const char *)data, size, &s, &err);
        /* Exactly one of the two comes back, and an error always has a message. */
        if (r < 0) {
                if (s || !err || !err->msg)
                        __builtin_trap();
        } else if (!s || err)
                __builtin_trap();
        spec_free(s);
        berth_error_free(&err);
        return 0;
}
