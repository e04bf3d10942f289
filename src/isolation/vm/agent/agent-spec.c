/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kv payload of VM_CREATE and VM_EXEC into an AgentContainer (pointers into the payload). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/string-util.h"
#include "isolation/vm/vm-proto.h"
#include "isolation/vm/agent/agent.h"

static int push(void **arr, size_t *n, size_t elem, const void *item)
{
        if (*n >= AGENT_MAX_ITEMS)
                return -E2BIG;
        /* One spare slot, so string lists stay NULL-terminated. */
        void *a = realloc(*arr, (*n + 2) * elem);
        if (!a)
                return -ENOMEM;
        memcpy((char *)a + *n * elem, item, elem);
        memset((char *)a + (*n + 1) * elem, 0, elem);
        *arr = a;
        (*n)++;
        return 0;
}

static int parse_u32(const char *s, uint32_t *ret)
{
        uint64_t v;
        if (string_safe_atou64(s, &v) < 0 || v > UINT32_MAX)
                return -EINVAL;
        *ret = (uint32_t)v;
        return 0;
}

static int parse_mount(char *v, AgentMount *m)
{
        char *f[4];
        for (int i = 0; i < 4; i++) {
                f[i] = v;
                char *sep = strchr(v, '\x1f');
                if (i < 3) {
                        if (!sep)
                                return -EINVAL;
                        *sep = 0;
                        v = sep + 1;
                }
        }
        *m = (AgentMount){ .destination = f[0], .type = f[1], .source = f[2], .options = f[3] };
        return m->destination[0] == '/' ? 0 : -EINVAL;
}

int agent_parse_container(char *data, size_t len, AgentContainer *ret, const char **ret_error)
{
        AgentContainer c = { .proc = { .cwd = "/" }, .memory_limit = -1, .pids_limit = -1 };
        size_t pos = 0;
        char *k, *v;
        int r;

        while ((r = vm_kv_next(data, len, &pos, &k, &v)) > 0) {
                uint32_t u;
                if (strcmp(k, "arg") == 0)
                        r = push((void **)&c.proc.argv, &c.proc.n_argv, sizeof(char *), &v);
                else if (strcmp(k, "env") == 0)
                        r = push((void **)&c.proc.env, &c.proc.n_env, sizeof(char *), &v);
                else if (strcmp(k, "cwd") == 0)
                        c.proc.cwd = v;
                else if (strcmp(k, "uid") == 0)
                        r = parse_u32(v, &c.proc.uid);
                else if (strcmp(k, "gid") == 0)
                        r = parse_u32(v, &c.proc.gid);
                else if (strcmp(k, "gid+") == 0) {
                        r = parse_u32(v, &u);
                        if (r >= 0)
                                r = push((void **)&c.proc.gids, &c.proc.n_gids, sizeof(gid_t), &u);
                } else if (strcmp(k, "terminal") == 0)
                        c.proc.terminal = strcmp(v, "1") == 0;
                else if (strcmp(k, "rows") == 0)
                        r = parse_u32(v, &c.proc.rows);
                else if (strcmp(k, "cols") == 0)
                        r = parse_u32(v, &c.proc.cols);
                else if (strcmp(k, "umask") == 0) {
                        r = parse_u32(v, &u);
                        c.proc.has_umask = true;
                        c.proc.umask_ = (mode_t)u;
                } else if (strcmp(k, "nnp") == 0)
                        c.proc.no_new_privileges = strcmp(v, "1") == 0;
                else if (strcmp(k, "caps") == 0) {
                        unsigned long long m[5];
                        r = sscanf(v, "%llx %llx %llx %llx %llx", &m[0], &m[1], &m[2], &m[3],
                                   &m[4]) == 5 ? 0 : -EINVAL;
                        c.proc.has_caps = true;
                        c.proc.cap_bounding = m[0];
                        c.proc.cap_effective = m[1];
                        c.proc.cap_permitted = m[2];
                        c.proc.cap_inheritable = m[3];
                        c.proc.cap_ambient = m[4];
                } else if (strcmp(k, "seccomp") == 0) {
                        size_t l = strlen(v);
                        r = l && l % 16 == 0 && l / 16 <= 65535 ? 0 : -EINVAL;
                        c.proc.seccomp_hex = v;
                } else if (strcmp(k, "mask") == 0)
                        r = push((void **)&c.masked, &c.n_masked, sizeof(char *), &v);
                else if (strcmp(k, "ropath") == 0)
                        r = push((void **)&c.readonly, &c.n_readonly, sizeof(char *), &v);
                else if (strcmp(k, "hostname") == 0)
                        c.hostname = v;
                else if (strcmp(k, "rootro") == 0)
                        c.readonly_root = strcmp(v, "1") == 0;
                else if (strcmp(k, "memory") == 0) {
                        char *end;
                        errno = 0;
                        c.memory_limit = strtoll(v, &end, 10);
                        r = errno || *end ? -EINVAL : 0;
                } else if (strcmp(k, "pids") == 0) {
                        char *end;
                        errno = 0;
                        c.pids_limit = strtoll(v, &end, 10);
                        r = errno || *end ? -EINVAL : 0;
                } else if (strcmp(k, "mount") == 0) {
                        AgentMount m;
                        r = parse_mount(v, &m);
                        if (r >= 0)
                                r = push((void **)&c.mounts, &c.n_mounts, sizeof(m), &m);
                } /* unknown keys: from a newer host, ignored */
                if (r < 0) {
                        *ret_error = k;
                        agent_container_done(&c);
                        return r;
                }
        }
        if (r < 0 || c.proc.n_argv == 0) {
                *ret_error = r < 0 ? "payload" : "arg";
                agent_container_done(&c);
                return r < 0 ? r : -EINVAL;
        }
        *ret = c;
        return 0;
}

void agent_container_done(AgentContainer *c)
{
        free(c->proc.argv);
        free(c->proc.env);
        free(c->proc.gids);
        free(c->mounts);
        free(c->masked);
        free(c->readonly);
        *c = (AgentContainer){};
}
