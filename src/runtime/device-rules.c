/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "runtime/device-rules.h"

#define RULE(t, ma, mi, acc)                                                                       \
        {                                                                                          \
                .allow = true, .type = (char *)(t), .has_major = (ma) >= 0, .major = (ma),         \
                .has_minor = (mi) >= 0, .minor = (mi), .access = (char *)(acc)                     \
        }

static const SpecDeviceCgroup default_rules[] = {
        RULE("c", -1, -1, "m"),    RULE("b", -1, -1, "m"),    /* mknod of anything */
        RULE("c", 1, 3, "rwm"),    RULE("c", 1, 5, "rwm"),    /* null, zero */
        RULE("c", 1, 7, "rwm"),    RULE("c", 1, 8, "rwm"),    /* full, random */
        RULE("c", 1, 9, "rwm"),    RULE("c", 5, 0, "rwm"),    /* urandom, tty */
        RULE("c", 5, 1, "rwm"),    RULE("c", 5, 2, "rwm"),    /* console, ptmx */
        RULE("c", 136, -1, "rwm"),                            /* /dev/pts/N */
};

int device_rules_effective(const Spec *spec, SpecResources *copy, SpecDeviceCgroup **ret_rules)
{
        const SpecLinux *l = spec->linux_;
        const SpecResources *res = l ? l->resources : NULL;
        size_t n_cfg = res ? res->n_devices : 0;
        size_t n = n_cfg + ELEMENTSOF(default_rules), k = 0;

        SpecDeviceCgroup *rules = calloc(n, sizeof(*rules));
        if (!rules)
                return -ENOMEM;
        for (size_t i = 0; i < n_cfg; i++)
                rules[k++] = res->devices[i];
        for (size_t i = 0; i < ELEMENTSOF(default_rules); i++)
                rules[k++] = default_rules[i];
        if (res)
                *copy = *res;
        else
                *copy = (SpecResources){};
        copy->devices = rules;
        copy->n_devices = k;
        *ret_rules = rules;
        return 0;
}
