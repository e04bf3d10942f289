/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* -u and --group-add in the image's passwd and group files: see engine-user.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/chase.h"
#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/passwd.h"
#include "basic/string-util.h"
#include "engine/engine-user.h"

/* An id as docker takes it: decimal, below 2^31 - 1. */
static int parse_id(const char *s, uint32_t *ret)
{
        uint64_t v;

        if (string_safe_atou64(s, &v) < 0 || v >= INT32_MAX)
                return -EINVAL;
        *ret = (uint32_t)v;
        return 0;
}

/* The rootfs's etc/<name>, NULL (and 0) when it does not exist. */
static int read_etc(int rootfd, const char *name, char **ret, BerthError **err)
{
        _cleanup_close_ int pfd = -1, fd = -1;
        char proc[64];
        int r;

        *ret = NULL;
        pfd = chase_in_root(rootfd, name, CHASE_NO_CREATE, 0, 0);
        if (pfd == -ENOENT)
                return 0;
        if (pfd < 0)
                return berth_error(err, -pfd, "the image's `/%s`", name);
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
        fd = open(proc, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return berth_error(err, errno, "open the image's `/%s`", name);
        r = fs_read_full_regular_fd(fd, name, READ_LIMIT_PASSWD, ret, NULL, err);
        return r < 0 ? berth_error_prefix(err, "the image's") : 0;
}

typedef struct Match {
        const char *name;       /* to match by name, or NULL */
        uint32_t id;            /* to match by id when name is NULL */
        bool found;
        uint32_t uid, gid;
        char *entry_name, *home;
} Match;

static int match_passwd(char **f, void *userdata)
{
        Match *m = userdata;
        uint32_t uid, gid;

        if (parse_id(f[2], &uid) < 0 || parse_id(f[3], &gid) < 0)
                return 0;
        if (m->name ? !streq(f[0], m->name) : uid != m->id)
                return 0;
        m->found = true;
        m->uid = uid;
        m->gid = gid;
        m->entry_name = strdup(f[0]);
        m->home = strdup(f[5]);
        return m->entry_name && m->home ? 1 : -ENOMEM;
}

static int match_group(char **f, void *userdata)
{
        Match *m = userdata;
        uint32_t gid;

        if (parse_id(f[2], &gid) < 0)
                return 0;
        if (m->name ? !streq(f[0], m->name) : gid != m->id)
                return 0;
        m->found = true;
        m->gid = gid;
        return 1;
}

/* A group name or number: a name must be in the group file, a number need not. */
static int resolve_group(const char *group_file, const char *spec, const char *what, gid_t *ret,
                         BerthError **err)
{
        _cleanup_free_ char *copy = NULL;
        Match m = { 0 };
        uint32_t id;
        int r;

        if (parse_id(spec, &id) == 0) {
                *ret = id;
                return 0;
        }
        if (group_file) {
                copy = strdup(group_file);
                if (!copy)
                        return berth_error(err, ENOMEM, "%s", what);
                m.name = spec;
                r = passwd_for_each_entry(copy, 3, match_group, &m);
                if (r < 0)
                        return berth_error(err, -r, "%s", what);
        }
        if (!m.found)
                return berth_error_plain(err, ENOENT, "%s: no group `%s` in the image's "
                                         "/etc/group", what, spec);
        *ret = m.gid;
        return 0;
}

typedef struct Members {
        const char *user;
        gid_t primary;
        ExecUser *u;
} Members;

static int add_gid(ExecUser *u, gid_t gid)
{
        gid_t *n;

        for (size_t i = 0; i < u->n_additional_gids; i++)
                if (u->additional_gids[i] == gid)
                        return 0;
        n = realloc(u->additional_gids, (u->n_additional_gids + 1) * sizeof(gid_t));
        if (!n)
                return -ENOMEM;
        u->additional_gids = n;
        n[u->n_additional_gids++] = gid;
        return 0;
}

static int match_member(char **f, void *userdata)
{
        Members *m = userdata;
        uint32_t gid;

        if (!f[3] || parse_id(f[2], &gid) < 0 || gid == m->primary)
                return 0;
        for (char *p = f[3], *name; (name = strsep(&p, ","));)
                if (streq(name, m->user))
                        return add_gid(m->u, gid);
        return 0;
}

int engine_user_resolve(int rootfd, const char *user, char *const *group_add, ExecUser *ret,
                        BerthError **err)
{
        _cleanup_free_ char *passwd = NULL, *group = NULL, *name = NULL, *copy = NULL;
        _cleanup_free_ char *entry_name = NULL, *home = NULL;
        _cleanup_(engine_user_done) ExecUser u = { 0 };
        const char *group_spec = NULL;
        Match m = { 0 };
        uint32_t id;
        int r;

        r = read_etc(rootfd, "etc/passwd", &passwd, err);
        if (r >= 0)
                r = read_etc(rootfd, "etc/group", &group, err);
        if (r < 0)
                return r;

        name = strdup(isempty(user) ? "0" : user);
        if (!name)
                return berth_error(err, ENOMEM, "-u");
        char *colon = strchr(name, ':');
        if (colon) {
                *colon = 0;
                group_spec = colon + 1;
        }
        if (isempty(name))
                return berth_error_plain(err, EINVAL, "-u: `%s`: no user before the `:`", user);

        if (parse_id(name, &id) == 0)
                m.id = id;
        else
                m.name = name;
        if (passwd) {
                copy = strdup(passwd);
                if (!copy)
                        return berth_error(err, ENOMEM, "-u");
                r = passwd_for_each_entry(copy, 6, match_passwd, &m);
                entry_name = m.entry_name;
                home = m.home;
                if (r < 0)
                        return berth_error(err, -r, "-u");
        }
        if (m.found) {
                u.uid = m.uid;
                u.gid = m.gid;
                u.home = TAKE_PTR(home);
        } else if (m.name)
                return berth_error_plain(err, ENOENT, "-u: no user `%s` in the image's /etc/passwd",
                                         m.name);
        else
                u.uid = m.id, u.gid = 0;
        if (!u.home && !(u.home = strdup("/")))
                return berth_error(err, ENOMEM, "-u");

        if (group_spec) {
                if (isempty(group_spec))
                        return berth_error_plain(err, EINVAL, "-u: `%s`: no group after the `:`",
                                                 user);
                r = resolve_group(group, group_spec, "-u", &u.gid, err);
                if (r < 0)
                        return r;
        }
        /* The groups that list the user by name. */
        if (entry_name && group) {
                _cleanup_free_ char *gcopy = strdup(group);
                Members mem = { entry_name, u.gid, &u };
                r = gcopy ? passwd_for_each_entry(gcopy, 4, match_member, &mem) : -ENOMEM;
                if (r < 0)
                        return berth_error(err, -r, "-u");
        }
        for (char *const *g = group_add; g && *g; g++) {
                gid_t gid;
                r = resolve_group(group, *g, "--group-add", &gid, err);
                if (r < 0)
                        return r;
                if (add_gid(&u, gid) < 0)
                        return berth_error(err, ENOMEM, "--group-add");
        }
        *ret = u;
        u = (ExecUser){ 0 };
        return 0;
}

void engine_user_done(ExecUser *u)
{
        free(u->additional_gids);
        free(u->home);
        *u = (ExecUser){ 0 };
}
