/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A network made ready for its containers (network-internal.h): its conflist as this berth
 * writes it and its static firewall rules (network/firewall.h), once per boot, with a mark that
 * says so; and both undone when the network goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/engine-internal.h"
#include "engine/network-internal.h"
#include "network/firewall.h"

/* <root>/networks/<name>.firewall: the boot and the rule set the network's rules were last
 * made for. */
static char *firewall_mark_path(const Engine *e, const char *name)
{
        char *p = NULL;
        return asprintf(&p, "%s/networks/%s.firewall", e->root, name) < 0 ? NULL : p;
}

/* What the mark holds: a reboot (an empty firewall) or another rule set makes it stale. */
static int firewall_mark_text(char *buf, size_t size)
{
        _cleanup_free_ char *boot = NULL;
        size_t len = 0;
        int r;

        r = fs_read_full_file_limited(AT_FDCWD, "/proc/sys/kernel/random/boot_id", 64, &boot,
                                      &len, NULL);
        if (r < 0)
                return r;
        boot[strcspn(boot, "\n")] = 0;
        snprintf(buf, size, "%s %s\n", boot, NETWORK_FIREWALL_VERSION);
        return 0;
}

/* The network's conflist written as this berth builds it (a network made by an older one had
 * the firewall plugin and the bridge plugin's ipMasq), and its static rules made: once per boot
 * and network, on first use. */
int engine_network_prepare(Engine *e, const EngineNetworkRow *n, BerthError **err)
{
        _cleanup_free_ char *mark = firewall_mark_path(e, n->name), *old = NULL;
        char want[128];
        size_t len = 0;
        int r;

        if (!mark)
                return berth_error(err, ENOMEM, "network `%s`", n->name);
        r = firewall_mark_text(want, sizeof(want));
        if (r < 0)
                return berth_error(err, r, "network `%s`: the boot id", n->name);
        if (fs_read_full_file_limited(AT_FDCWD, mark, 256, &old, &len, NULL) >= 0 &&
            streq(old, want))
                return 0;
        r = engine_network_conflist_write(e, &n->conf, err);
        if (r < 0)
                return r;
        r = network_firewall_apply(&n->conf, err);
        if (r < 0)
                return r;
        r = fs_write_file_atomic(mark, want, strlen(want), 0600);
        return r < 0 ? berth_error(err, r, "write `%s`", mark) : 0;
}

int engine_network_unprepare(Engine *e, const EngineNetworkRow *n, BerthError **err)
{
        _cleanup_free_ char *mark = firewall_mark_path(e, n->name);

        if (mark)
                (void)unlink(mark);
        return network_firewall_remove(&n->conf, err);
}
