/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The grammar of -v, --mount and --tmpfs: see mount-spec.h. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/mount-spec.h"
#include "engine/units.h"

static const char *const propagations[] = { "private", "rprivate", "shared", "rshared", "slave",
                                            "rslave" };

void mount_spec_done(MountSpec *m)
{
        free(m->source);
        free(m->target);
        free(m->propagation);
        free(m->tmpfs_options);
        *m = (MountSpec){ 0 };
}

bool mount_spec_volume_name_is_valid(const char *name)
{
        if (!isalnum((unsigned char)name[0]) || !name[1])
                return false;
        for (const char *p = name + 1; *p; p++)
                if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
                        return false;
        return true;
}

static bool one_of(const char *s, size_t len, const char *const *set, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (strlen(set[i]) == len && strncmp(s, set[i], len) == 0)
                        return true;
        return false;
}

/* -v's MODE: comma-separated rw|ro, z|Z, nocopy, a propagation, a consistency. */
static int apply_mode(MountSpec *m, const char *mode, bool *ok)
{
        static const char *const consistency[] = { "consistent", "cached", "delegated" };
        bool seen_rw = false, seen_prop = false, seen_label = false;

        *ok = false;
        for (const char *p = mode; *p;) {
                size_t len = strcspn(p, ",");
                if (len == 2 && (strncmp(p, "ro", 2) == 0 || strncmp(p, "rw", 2) == 0)) {
                        if (seen_rw)
                                return 0;
                        seen_rw = true;
                        m->readonly = p[1] == 'o';
                } else if (len == 1 && (*p == 'z' || *p == 'Z')) {
                        if (seen_label)
                                return 0;
                        seen_label = true; /* SELinux relabelling: nothing to do here */
                } else if (len == 6 && strncmp(p, "nocopy", 6) == 0) {
                        m->nocopy = true;
                } else if (one_of(p, len, propagations, ELEMENTSOF(propagations))) {
                        if (seen_prop)
                                return 0;
                        seen_prop = true;
                        m->propagation = strndup(p, len);
                        if (!m->propagation)
                                return -ENOMEM;
                } else if (!one_of(p, len, consistency, ELEMENTSOF(consistency)))
                        return 0;
                p += len;
                if (*p == ',' && *++p == 0)
                        return 0;
        }
        *ok = mode[0] != 0;
        return 0;
}

static int check_target(const char *spec, const char *target, BerthError **err)
{
        if (!target || !*target)
                return berth_error_plain(err, EINVAL, "`%s`: the destination is missing", spec);
        if (target[0] != '/')
                return berth_error_plain(err, EINVAL, "`%s`: the destination `%s` is not an "
                                         "absolute path", spec, target);
        if (target[strspn(target, "/")] == 0)
                return berth_error_plain(err, EINVAL, "`%s`: the destination can't be `/`", spec);
        return 0;
}

int mount_spec_parse_volume(const char *s, MountSpec *ret, BerthError **err)
{
        _cleanup_strv_free_ char **parts = NULL;
        _cleanup_(mount_spec_done) MountSpec m = { .kind = MOUNT_SPEC_VOLUME };
        const char *mode = NULL, *source = NULL, *target = NULL;
        size_t n = 0;
        bool ok;
        int r;

        for (const char *p = s;; p++) {
                size_t len = strcspn(p, ":");
                char *part = strndup(p, len);
                if (!part || strv_push(&parts, part) < 0) {
                        free(part);
                        return berth_error(err, ENOMEM, "-v");
                }
                n++;
                p += len;
                if (!*p)
                        break;
        }
        switch (n) {
        case 1:
                target = parts[0];
                break;
        case 2:
                /* DST:MODE or SRC:DST, as docker tells them apart. */
                r = apply_mode(&m, parts[1], &ok);
                if (r < 0)
                        return berth_error(err, -r, "-v");
                if (ok && parts[0][0] == '/')
                        target = parts[0], mode = parts[1];
                else {
                        mount_spec_done(&m);
                        m.kind = MOUNT_SPEC_VOLUME;
                        source = parts[0], target = parts[1];
                }
                break;
        case 3:
                source = parts[0], target = parts[1], mode = parts[2];
                break;
        default:
                return berth_error_plain(err, EINVAL, "-v: invalid volume specification: `%s`",
                                         s);
        }
        if (n == 3) {
                r = apply_mode(&m, mode, &ok);
                if (r < 0)
                        return berth_error(err, -r, "-v");
                if (!ok)
                        return berth_error_plain(err, EINVAL, "-v: `%s`: invalid mode `%s`", s,
                                                 mode);
        }
        r = check_target(s, target, err);
        if (r < 0)
                return berth_error_prefix(err, "-v");
        if (source && !*source)
                return berth_error_plain(err, EINVAL, "-v: invalid volume specification: `%s`",
                                         s);
        if (source && source[0] == '/')
                m.kind = MOUNT_SPEC_BIND;
        else if (source && !mount_spec_volume_name_is_valid(source))
                return berth_error_plain(err, EINVAL, "-v: `%s`: `%s` is no volume name "
                                         "([a-zA-Z0-9][a-zA-Z0-9_.-]+) nor an absolute path", s,
                                         source);
        if (m.kind == MOUNT_SPEC_BIND && m.nocopy)
                return berth_error_plain(err, EINVAL, "-v: `%s`: nocopy is for volumes, not "
                                         "binds", s);
        if (m.kind == MOUNT_SPEC_VOLUME && m.propagation)
                return berth_error_plain(err, EINVAL, "-v: `%s`: propagation is for binds, not "
                                         "volumes", s);
        m.target = strdup(target);
        m.source = source ? strdup(source) : NULL;
        if (!m.target || (source && !m.source))
                return berth_error(err, ENOMEM, "-v");
        *ret = m;
        m = (MountSpec){ 0 };
        return 0;
}

/* "true", "false", "1", "0" (or nothing: true), as docker's --mount booleans. */
static int parse_bool(const char *v, bool *ret)
{
        if (!v || streq(v, "true") || streq(v, "1"))
                *ret = true;
        else if (streq(v, "false") || streq(v, "0"))
                *ret = false;
        else
                return -EINVAL;
        return 0;
}

static int set_string(char **field, const char *v)
{
        char *copy = strdup(v);
        if (!copy)
                return -ENOMEM;
        free(*field);
        *field = copy;
        return 0;
}

/* One key=value of --mount. */
static int mount_field(MountSpec *m, const char *spec, char *key, char *value, bool *saw_type,
                       BerthError **err)
{
        int r = 0;

        if (streq(key, "type")) {
                if (!value)
                        goto missing;
                if (streq(value, "bind"))
                        m->kind = MOUNT_SPEC_BIND;
                else if (streq(value, "volume"))
                        m->kind = MOUNT_SPEC_VOLUME;
                else if (streq(value, "tmpfs"))
                        m->kind = MOUNT_SPEC_TMPFS;
                else
                        return berth_error_plain(err, EINVAL, "--mount: `%s`: type `%s` is not "
                                                 "bind, volume or tmpfs", spec, value);
                *saw_type = true;
        } else if (streq(key, "source") || streq(key, "src")) {
                r = value ? set_string(&m->source, value) : 1;
        } else if (streq(key, "target") || streq(key, "destination") || streq(key, "dst")) {
                r = value ? set_string(&m->target, value) : 1;
        } else if (streq(key, "readonly") || streq(key, "ro")) {
                r = parse_bool(value, &m->readonly);
        } else if (streq(key, "volume-nocopy")) {
                r = parse_bool(value, &m->nocopy);
        } else if (streq(key, "bind-nonrecursive")) {
                r = parse_bool(value, &m->non_recursive);
        } else if (streq(key, "bind-propagation")) {
                if (!value || !one_of(value, strlen(value), propagations, ELEMENTSOF(propagations)))
                        return berth_error_plain(err, EINVAL, "--mount: `%s`: bind-propagation "
                                                 "`%s` is unknown", spec, value ?: "");
                r = set_string(&m->propagation, value);
        } else if (streq(key, "tmpfs-size")) {
                if (!value)
                        goto missing;
                r = units_parse_ram(value, "--mount tmpfs-size", &m->tmpfs_size, err);
                if (r < 0)
                        return r;
        } else if (streq(key, "tmpfs-mode")) {
                char *end;
                unsigned long mode;
                if (!value)
                        goto missing;
                errno = 0;
                mode = strtoul(value, &end, 8);
                if (errno || *end || end == value || mode > 07777)
                        return berth_error_plain(err, EINVAL, "--mount: `%s`: tmpfs-mode `%s` is "
                                                 "no octal mode", spec, value);
                m->tmpfs_mode = (mode_t)mode;
        } else if (streq(key, "consistency") || streq(key, "volume-driver") ||
                   streq(key, "volume-label") || streq(key, "volume-opt")) {
                /* The local driver only; labels and options are kept by the volume, later. */
        } else
                return berth_error_plain(err, EINVAL, "--mount: `%s`: unexpected key `%s`", spec,
                                         key);
        if (r == -ENOMEM)
                return berth_error(err, ENOMEM, "--mount");
        if (r < 0)
                return berth_error_plain(err, EINVAL, "--mount: `%s`: `%s` takes true or false",
                                         spec, key);
        if (r > 0)
                goto missing;
        return 0;
missing:
        return berth_error_plain(err, EINVAL, "--mount: `%s`: `%s` needs a value (%s=...)", spec,
                                 key, key);
}

int mount_spec_parse_mount(const char *s, MountSpec *ret, BerthError **err)
{
        _cleanup_(mount_spec_done) MountSpec m = { .kind = MOUNT_SPEC_VOLUME };
        _cleanup_free_ char *copy = strdup(s);
        bool saw_type = false;
        int r;

        if (!copy)
                return berth_error(err, ENOMEM, "--mount");
        for (char *field = copy, *next; field; field = next) {
                char *eq;
                next = strchr(field, ',');
                if (next)
                        *next++ = 0;
                if (!*field)
                        return berth_error_plain(err, EINVAL, "--mount: `%s`: an empty field",
                                                 s);
                eq = strchr(field, '=');
                if (eq)
                        *eq++ = 0;
                r = mount_field(&m, s, field, eq, &saw_type, err);
                if (r < 0)
                        return r;
        }
        r = check_target(s, m.target, err);
        if (r < 0)
                return berth_error_prefix(err, "--mount");
        switch (m.kind) {
        case MOUNT_SPEC_BIND:
                if (!m.source || m.source[0] != '/')
                        return berth_error_plain(err, EINVAL, "--mount: `%s`: a bind needs an "
                                                 "absolute source", s);
                break;
        case MOUNT_SPEC_VOLUME:
                if (m.source && !mount_spec_volume_name_is_valid(m.source))
                        return berth_error_plain(err, EINVAL, "--mount: `%s`: `%s` is no volume "
                                                 "name", s, m.source);
                break;
        case MOUNT_SPEC_TMPFS:
                if (m.source)
                        return berth_error_plain(err, EINVAL, "--mount: `%s`: a tmpfs takes no "
                                                 "source", s);
                break;
        }
        if (m.kind != MOUNT_SPEC_TMPFS && (m.tmpfs_size || m.tmpfs_mode))
                return berth_error_plain(err, EINVAL, "--mount: `%s`: tmpfs options on a %s", s,
                                         m.kind == MOUNT_SPEC_BIND ? "bind" : "volume");
        if (m.kind != MOUNT_SPEC_BIND && (m.propagation || m.non_recursive))
                return berth_error_plain(err, EINVAL, "--mount: `%s`: bind options on a %s", s,
                                         m.kind == MOUNT_SPEC_TMPFS ? "tmpfs" : "volume");
        if (m.kind != MOUNT_SPEC_VOLUME && m.nocopy)
                return berth_error_plain(err, EINVAL, "--mount: `%s`: volume-nocopy on a %s", s,
                                         m.kind == MOUNT_SPEC_TMPFS ? "tmpfs" : "bind");
        *ret = m;
        m = (MountSpec){ 0 };
        return 0;
}

int mount_spec_parse_tmpfs(const char *s, MountSpec *ret, BerthError **err)
{
        _cleanup_(mount_spec_done) MountSpec m = { .kind = MOUNT_SPEC_TMPFS };
        const char *colon = strchr(s, ':');
        int r;

        m.target = colon ? strndup(s, (size_t)(colon - s)) : strdup(s);
        if (!m.target || (colon && !(m.tmpfs_options = strdup(colon + 1))))
                return berth_error(err, ENOMEM, "--tmpfs");
        r = check_target(s, m.target, err);
        if (r < 0)
                return berth_error_prefix(err, "--tmpfs");
        *ret = m;
        m = (MountSpec){ 0 };
        return 0;
}
