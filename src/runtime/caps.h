/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* process.capabilities: the five sets, resolved from names and applied around setuid. */
#pragma once

#include <stdint.h>

#include "basic/error.h"
#include "spec/runtime-spec.h"

typedef struct CapSets {
        uint64_t bounding, effective, inheritable, permitted, ambient;
        bool has_bounding; /* false without process.capabilities: keep the bounding set */
} CapSets;

/* Resolves names; an unknown name is an error naming the set and the capability. */
int caps_resolve(const SpecCapabilities *c, CapSets *ret, BerthError **err);
/* Drops from the bounding set what is not in it; before switching user. */
int caps_apply_bounding(const CapSets *s, BerthError **err);
/* Sets effective, permitted, inheritable, then ambient; after switching user. */
int caps_apply_final(const CapSets *s, BerthError **err);
int caps_last_cap(void);
