/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "runtime/mount-options.h"
#include "spec/runtime-spec.h"

typedef enum Kind {
        K_FLAG,   /* set flag */
        K_CLEAR,  /* clear flag */
        K_PROP,   /* propagation */
        K_ATTR,   /* recursive attribute set */
        K_ATTRC,  /* recursive attribute clear */
        K_BIND,
        K_RBIND,
        K_IDMAP,
        K_RIDMAP,
        K_TMPCOPYUP,
} Kind;

typedef struct Option {
        const char *name;
        Kind kind;
        unsigned long value;
} Option;

/* The option names runc and crun accept, in the order mount(8) documents them. */
static const Option table[] = {
        { "defaults", K_FLAG, 0 },
        { "ro", K_FLAG, MS_RDONLY },
        { "rw", K_CLEAR, MS_RDONLY },
        { "suid", K_CLEAR, MS_NOSUID },
        { "nosuid", K_FLAG, MS_NOSUID },
        { "dev", K_CLEAR, MS_NODEV },
        { "nodev", K_FLAG, MS_NODEV },
        { "exec", K_CLEAR, MS_NOEXEC },
        { "noexec", K_FLAG, MS_NOEXEC },
        { "sync", K_FLAG, MS_SYNCHRONOUS },
        { "async", K_CLEAR, MS_SYNCHRONOUS },
        { "dirsync", K_FLAG, MS_DIRSYNC },
        { "remount", K_FLAG, MS_REMOUNT },
        { "mand", K_FLAG, MS_MANDLOCK },
        { "nomand", K_CLEAR, MS_MANDLOCK },
        { "atime", K_CLEAR, MS_NOATIME },
        { "noatime", K_FLAG, MS_NOATIME },
        { "diratime", K_CLEAR, MS_NODIRATIME },
        { "nodiratime", K_FLAG, MS_NODIRATIME },
        { "relatime", K_FLAG, MS_RELATIME },
        { "norelatime", K_CLEAR, MS_RELATIME },
        { "strictatime", K_FLAG, MS_STRICTATIME },
        { "nostrictatime", K_CLEAR, MS_STRICTATIME },
        { "silent", K_FLAG, MS_SILENT },
        { "loud", K_CLEAR, MS_SILENT },
        { "bind", K_BIND, 0 },
        { "rbind", K_RBIND, 0 },
        { "private", K_PROP, MS_PRIVATE },
        { "rprivate", K_PROP, MS_PRIVATE | MS_REC },
        { "shared", K_PROP, MS_SHARED },
        { "rshared", K_PROP, MS_SHARED | MS_REC },
        { "slave", K_PROP, MS_SLAVE },
        { "rslave", K_PROP, MS_SLAVE | MS_REC },
        { "unbindable", K_PROP, MS_UNBINDABLE },
        { "runbindable", K_PROP, MS_UNBINDABLE | MS_REC },
        { "rro", K_ATTR, MOUNT_ATTR_RDONLY },
        { "rrw", K_ATTRC, MOUNT_ATTR_RDONLY },
        { "rnosuid", K_ATTR, MOUNT_ATTR_NOSUID },
        { "rsuid", K_ATTRC, MOUNT_ATTR_NOSUID },
        { "rnodev", K_ATTR, MOUNT_ATTR_NODEV },
        { "rdev", K_ATTRC, MOUNT_ATTR_NODEV },
        { "rnoexec", K_ATTR, MOUNT_ATTR_NOEXEC },
        { "rexec", K_ATTRC, MOUNT_ATTR_NOEXEC },
        { "rnodiratime", K_ATTR, MOUNT_ATTR_NODIRATIME },
        { "rdiratime", K_ATTRC, MOUNT_ATTR_NODIRATIME },
        { "rrelatime", K_ATTR, MOUNT_ATTR_RELATIME },
        { "rnorelatime", K_ATTRC, MOUNT_ATTR_RELATIME },
        { "rnoatime", K_ATTR, MOUNT_ATTR_NOATIME },
        { "ratime", K_ATTRC, MOUNT_ATTR_NOATIME },
        { "rstrictatime", K_ATTR, MOUNT_ATTR_STRICTATIME },
        { "rnostrictatime", K_ATTRC, MOUNT_ATTR_STRICTATIME },
        { "rnosymfollow", K_ATTR, MOUNT_ATTR_NOSYMFOLLOW },
        { "rsymfollow", K_ATTRC, MOUNT_ATTR_NOSYMFOLLOW },
        { "idmap", K_IDMAP, 0 },
        { "ridmap", K_RIDMAP, 0 },
        { "tmpcopyup", K_TMPCOPYUP, 0 },
};

const char *const mount_option_names[] = {
        "defaults", "ro", "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "sync",
        "async", "dirsync", "remount", "mand", "nomand", "atime", "noatime", "diratime",
        "nodiratime", "relatime", "norelatime", "strictatime", "nostrictatime", "silent", "loud",
        "bind", "rbind", "private", "rprivate", "shared", "rshared", "slave", "rslave",
        "unbindable", "runbindable", "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev",
        "rnoexec", "rexec", "rnodiratime", "rdiratime", "rrelatime", "rnorelatime", "rnoatime",
        "ratime", "rstrictatime", "rnostrictatime", "rnosymfollow", "rsymfollow", "idmap",
        "ridmap", "tmpcopyup", NULL,
};

static const Option *lookup(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(table[i].name, name))
                        return &table[i];
        return NULL;
}

int mount_options_parse(char *const *options, MountOptions *ret)
{
        MountOptions o = {};
        size_t dlen = 0;

        for (size_t i = 0; options && options[i]; i++) {
                const Option *opt = lookup(options[i]);
                if (!opt) {
                        size_t l = strlen(options[i]);
                        char *n = realloc(o.data, dlen + l + 2);
                        if (!n) {
                                mount_options_done(&o);
                                return -ENOMEM;
                        }
                        o.data = n;
                        if (dlen)
                                o.data[dlen++] = ',';
                        memcpy(o.data + dlen, options[i], l + 1);
                        dlen += l;
                        continue;
                }
                switch (opt->kind) {
                case K_FLAG:
                        o.flags |= opt->value;
                        break;
                case K_CLEAR:
                        o.flags &= ~opt->value;
                        break;
                case K_PROP:
                        o.propagation = opt->value;
                        break;
                case K_ATTR:
                        o.attr_set |= opt->value;
                        o.attr_clr &= ~(uint64_t)opt->value;
                        if (opt->value & MOUNT_ATTR__ATIME)
                                o.attr_clr |= MOUNT_ATTR__ATIME;
                        break;
                case K_ATTRC:
                        o.attr_clr |= opt->value;
                        o.attr_set &= ~(uint64_t)opt->value;
                        break;
                case K_BIND:
                case K_RBIND:
                        o.bind = true;
                        o.recursive_bind |= opt->kind == K_RBIND;
                        break;
                case K_IDMAP:
                case K_RIDMAP:
                        o.idmap = true;
                        o.recursive_idmap |= opt->kind == K_RIDMAP;
                        break;
                case K_TMPCOPYUP:
                        o.tmpcopyup = true;
                        break;
                }
        }
        if (o.bind)
                o.flags |= MS_BIND | (o.recursive_bind ? MS_REC : 0);
        *ret = o;
        return 0;
}

void mount_options_done(MountOptions *o)
{
        free(o->data);
        o->data = NULL;
}

void mount_options_flags_to_attrs(unsigned long flags, uint64_t *set, uint64_t *clr)
{
        if (flags & MS_RDONLY)
                *set |= MOUNT_ATTR_RDONLY;
        if (flags & MS_NOSUID)
                *set |= MOUNT_ATTR_NOSUID;
        if (flags & MS_NODEV)
                *set |= MOUNT_ATTR_NODEV;
        if (flags & MS_NOEXEC)
                *set |= MOUNT_ATTR_NOEXEC;
        if (flags & MS_NODIRATIME)
                *set |= MOUNT_ATTR_NODIRATIME;
        if (flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)) {
                *clr |= MOUNT_ATTR__ATIME;
                if (flags & MS_NOATIME)
                        *set |= MOUNT_ATTR_NOATIME;
                else if (flags & MS_STRICTATIME)
                        *set |= MOUNT_ATTR_STRICTATIME;
                else
                        *set |= MOUNT_ATTR_RELATIME;
        }
}

bool mount_options_is_idmapped(const SpecMount *m, const MountOptions *o)
{
        return o->idmap || m->n_uid_mappings > 0 || m->n_gid_mappings > 0;
}
