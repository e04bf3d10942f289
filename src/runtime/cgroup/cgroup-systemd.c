/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The systemd cgroup driver's front door. With --systemd-cgroup the cgroup belongs to a
 * transient scope that systemd creates over D-Bus; this build only checks the
 * "slice:prefix:name" form and whether systemd runs at all, and says so clearly instead of
 * pretending: a cgroupfs directory made behind systemd's back would be moved or removed by it.
 */
#include <string.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/string-util.h"
#include "runtime/cgroup/cgroup-internal.h"

bool cgroup_systemd_running(void)
{
        /* sd_booted(): systemd creates this directory early at boot when it is PID 1. */
        return access("/run/systemd/system", F_OK) == 0;
}

int cgroup_systemd_check(const char *cgroups_path, BerthError **err)
{
        if (!isempty(cgroups_path)) {
                const char *c1 = strchr(cgroups_path, ':');
                const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2 || strchr(c2 + 1, ':') || c2[1] == 0 || strchr(cgroups_path, '/'))
                        return berth_error(err, 0,
                                           "cgroup: cgroupsPath `%s` is not in systemd's "
                                           "slice:prefix:name form",
                                           cgroups_path);
                if (c1 != cgroups_path && !(c1 - cgroups_path > 6 &&
                                            strneq(c1 - 6, ".slice", 6)))
                        return berth_error(err, 0,
                                           "cgroup: cgroupsPath `%s`: the slice must end in "
                                           "`.slice`",
                                           cgroups_path);
        }
        if (!cgroup_systemd_running())
                return berth_error(err, ENOMEDIUM,
                                   "cgroup: the systemd cgroup driver (--systemd-cgroup) needs "
                                   "systemd as PID 1, but systemd is not running on this host "
                                   "(no /run/systemd/system); run without --systemd-cgroup");
        return berth_error(err, EOPNOTSUPP,
                           "cgroup: the systemd cgroup driver (--systemd-cgroup) is not "
                           "supported by this build; run without --systemd-cgroup");
}
