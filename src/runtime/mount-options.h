/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json mount options turned into mount(2) flags, propagation and mount_setattr(2). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef struct MountOptions {
        unsigned long flags;       /* MS_* for mount(2), MS_BIND/MS_REC included */
        unsigned long propagation; /* MS_SHARED|MS_SLAVE|... (with MS_REC), 0 for none */
        uint64_t attr_set, attr_clr; /* MOUNT_ATTR_* applied recursively ("rro", "rnosuid"...) */
        bool bind;
        bool recursive_bind;
        bool idmap, recursive_idmap;
        bool tmpcopyup;
        char *data; /* the options mount(2) does not know, comma separated, for the fs */
} MountOptions;

/* Parses options (NULL-terminated, may be NULL). The only failure is -ENOMEM. */
int mount_options_parse(char *const *options, MountOptions *ret);
void mount_options_done(MountOptions *o);
/* Adds the MS_* flags of flags that a mount can take as MOUNT_ATTR_* (mount_setattr(2),
 * fsmount(2)) to *set, and the attributes they replace to *clr. */
void mount_options_flags_to_attrs(unsigned long flags, uint64_t *set, uint64_t *clr);
/* Whether mount m (options parsed into o) gets an idmapping: "idmap"/"ridmap", or mappings
 * given for it. The runtime and the init count idmapped mounts with this alike. */
struct SpecMount;
bool mount_options_is_idmapped(const struct SpecMount *m, const MountOptions *o);
/* Names of every option this runtime applies, for `features`. NULL-terminated. */
extern const char *const mount_option_names[];
