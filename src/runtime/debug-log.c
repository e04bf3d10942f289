/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The debug log of create and exec (see debug-log.h). */
#include <stdio.h>
#include <string.h>

#include "basic/log.h"
#include "basic/macro.h"
#include "runtime/debug-log.h"
#include "runtime/exec-stub.h"

/* The strings of l joined with sep into buf, cut to its size. */
static const char *join(char *const *l, const char *sep, char *buf, size_t size)
{
        size_t n = 0;

        buf[0] = 0;
        for (; l && *l && n < size; l++)
                n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? sep : "", *l);
        return buf;
}

void debug_log_create(const char *id, const Spec *spec, const char *rootfs, bool no_pivot,
                      bool intermediate)
{
        const SpecLinux *l = spec->linux_;
        char buf[512];

        if (log_get_max_level() < LOG_LEVEL_DEBUG)
                return;
        log_debug("create %s: rootfs %s%s, entered with %s", id, rootfs,
                  spec->root_readonly ? " (read-only)" : "", no_pivot ? "MS_MOVE" : "pivot_root");
        for (int t = 0; t < _SPEC_NS_MAX; t++) {
                const SpecNamespace *ns = l ? &l->namespaces[t] : NULL;
                log_debug("create %s: %s namespace: %s%s", id, spec_namespace_name(t),
                          !ns || !ns->present ? "the runtime's own"
                          : ns->path          ? "join "
                                              : "new",
                          ns && ns->present && ns->path ? ns->path : "");
        }
        if (intermediate)
                log_debug("create %s: an intermediate process joins the existing namespaces "
                          "before the init is cloned", id);
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const SpecMount *m = &spec->mounts[i];
                log_debug("create %s: mount %s on %s (type %s, options %s)", id,
                          m->source ?: "none", m->destination, m->type ?: "none",
                          m->options ? join(m->options, ",", buf, sizeof(buf)) : "none");
        }
        if (l && l->cgroups_path)
                log_debug("create %s: linux.cgroupsPath %s", id, l->cgroups_path);
        if (spec->process)
                debug_log_process("create", id, spec->process, exec_stub_usable(spec));
}

void debug_log_process(const char *verb, const char *id, const SpecProcess *p, bool exec_stub)
{
        char buf[512];

        if (log_get_max_level() < LOG_LEVEL_DEBUG)
                return;
        log_debug("%s %s: process %s as uid %u gid %u in %s%s", verb, id,
                  join(p->args, " ", buf, sizeof(buf)), p->user.uid, p->user.gid,
                  p->cwd ?: "/", p->terminal ? ", with a terminal" : "");
        log_debug("%s %s: %s", verb, id,
                  exec_stub ? "the program is executed through the sealed exec stub"
                            : "the program is executed from a sealed copy of the runtime "
                              "(CVE-2019-5736: the exec stub would change what it runs with)");
}
