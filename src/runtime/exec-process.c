/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What exec runs, before it runs: the process from a process.json or from the container's own
 * with a caller's overrides, and how it is executed (the exec stub, or a sealed copy of the
 * runtime). Every front end of exec gets the same process and the same protection.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/fs-util.h"
#include "basic/log.h"
#include "basic/string-util.h"
#include "runtime/cloned-binary.h"
#include "runtime/debug-log.h"
#include "runtime/exec-stub.h"
#include "runtime/exec.h"

int container_exec_load_process(const char *path, Spec **ret, BerthError **err)
{
        _cleanup_free_ char *data = NULL, *doc = NULL;
        int r = fs_read_full_file_limited(AT_FDCWD, path, READ_LIMIT_JSON, &data, NULL, err);
        if (r < 0)
                return berth_error_prefix(err, "--process");
        if (asprintf(&doc, "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"/\"},\"process\":%s}",
                     data) < 0)
                return berth_error(err, ENOMEM, "--process");
        r = spec_parse(doc, strlen(doc), ret, err);
        if (r < 0)
                return berth_error_prefix(err, "--process `%s`", path);
        if (!(*ret)->process)
                return berth_error(err, 0, "--process `%s`: no process", path);
        return 0;
}

static int set_env(char ***env, const char *kv, BerthError **err)
{
        const char *eq = strchr(kv, '=');
        if (!eq || eq == kv)
                return berth_error(err, 0, "exec: --env \"%s\": expected KEY=VALUE", kv);
        size_t klen = (size_t)(eq - kv) + 1;
        for (char **e = *env; e && *e; e++)
                if (strneq(*e, kv, klen)) {
                        char *n = strdup(kv);
                        if (!n)
                                return -ENOMEM;
                        free(*e);
                        *e = n;
                        return 0;
                }
        return strv_extend(env, kv);
}

static int add_cap(SpecProcess *p, const char *cap)
{
        if (!p->capabilities && !(p->capabilities = calloc(1, sizeof(SpecCapabilities))))
                return -ENOMEM;
        char ***sets[] = { &p->capabilities->bounding, &p->capabilities->effective,
                           &p->capabilities->permitted, &p->capabilities->inheritable,
                           &p->capabilities->ambient };
        for (size_t i = 0; i < ELEMENTSOF(sets); i++)
                if (!strv_contains(*sets[i], cap) && strv_extend(sets[i], cap) < 0)
                        return -ENOMEM;
        return 0;
}

static int parse_user(SpecProcess *p, const char *s, BerthError **err)
{
        _cleanup_free_ char *copy = strdup(s);
        uint64_t uid, gid;
        char *colon;

        if (!copy)
                return -ENOMEM;
        colon = strchr(copy, ':');
        if (colon)
                *colon = 0;
        if (string_safe_atou64(copy, &uid) < 0 || uid > UINT32_MAX ||
            (colon && (string_safe_atou64(colon + 1, &gid) < 0 || gid > UINT32_MAX)))
                return berth_error(err, 0, "exec: --user \"%s\": expected UID[:GID] (numbers)", s);
        p->user.uid = (uint32_t)uid;
        if (colon)
                p->user.gid = (uint32_t)gid;
        return 0;
}

int container_exec_override(SpecProcess *p, const ExecOverrides *x, BerthError **err)
{
        int r;

        char **args = strv_copy(x->args);
        if (!args)
                return -ENOMEM;
        strv_free(p->args);
        p->args = args;
        p->terminal = x->terminal;
        p->has_console_size = false;
        if (x->cwd) {
                if (x->cwd[0] != '/')
                        return berth_error(err, 0, "exec: --cwd \"%s\" must be absolute", x->cwd);
                free(p->cwd);
                if (!(p->cwd = strdup(x->cwd)))
                        return -ENOMEM;
        }
        for (char *const *e = x->env; e && *e; e++)
                if ((r = set_env(&p->env, *e, err)) < 0)
                        return r;
        if (x->user && (r = parse_user(p, x->user, err)) < 0)
                return r;
        if (x->n_gids) {
                uint32_t *gids = malloc(x->n_gids * sizeof(*x->gids));
                if (!gids)
                        return -ENOMEM;
                memcpy(gids, x->gids, x->n_gids * sizeof(*x->gids));
                free(p->user.additional_gids);
                p->user.additional_gids = gids;
                p->user.n_additional_gids = x->n_gids;
        }
        for (char *const *cap = x->caps; cap && *cap; cap++)
                if (add_cap(p, *cap) < 0)
                        return -ENOMEM;
        if (x->no_new_privileges)
                p->no_new_privileges = true;
        return 0;
}

int container_exec_protect(Container *c, const SpecProcess *p, char **argv, ExecOptions *o,
                           BerthError **err)
{
        const SpecLinux *l = c->spec ? c->spec->linux_ : NULL;

        /* The exec stub protects the runtime's binary (CVE-2019-5736) where it changes nothing
         * for the process; otherwise the command starts over from a sealed copy of the
         * runtime, where cloned_binary_ensure() then returns at once. */
        o->exec_stub = exec_stub_usable_process(p, l ? l->seccomp : NULL);
        if (!o->exec_stub) {
                int r = cloned_binary_ensure(argv);
                if (r < 0)
                        return berth_error(err, r,
                                           "exec: protect the runtime binary (CVE-2019-5736)");
        }
        debug_log_process("exec", c->id, p, o->exec_stub);
        return 0;
}
