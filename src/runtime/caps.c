/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "basic/fs-util.h"
#include "runtime/caps.h"

int caps_last_cap(void)
{
        static int last = -1;
        _cleanup_free_ char *s = NULL;

        if (last >= 0)
                return last;
        if (fs_read_full_file("/proc/sys/kernel/cap_last_cap", &s, NULL) >= 0)
                last = atoi(s);
        if (last <= 0 || last > 63)
                last = CAP_LAST_CAP;
        return last;
}

static int resolve_set(char **names, const char *set, uint64_t *ret, BerthError **err)
{
        uint64_t mask = 0;

        STRV_FOREACH(n, names) {
                cap_value_t v;
                if (cap_from_name(*n, &v) < 0 || v < 0 || v > 63 || v > caps_last_cap())
                        return berth_error(err, 0,
                                           "process.capabilities.%s: unknown capability \"%s\"",
                                           set, *n);
                mask |= UINT64_C(1) << v;
        }
        *ret = mask;
        return 0;
}

int caps_resolve(const SpecCapabilities *c, CapSets *ret, BerthError **err)
{
        CapSets s = {};
        int r;

        if (!c) {
                *ret = s;
                return 0;
        }
        /* An object without a set means that set is empty, as in runc: `{}` (podman's
         * --cap-drop ALL) drops every capability, the bounding set's too. Only a missing
         * object keeps the bounding set as it is. */
        s.has_bounding = true;
        if ((r = resolve_set(c->bounding, "bounding", &s.bounding, err)) < 0 ||
            (r = resolve_set(c->effective, "effective", &s.effective, err)) < 0 ||
            (r = resolve_set(c->inheritable, "inheritable", &s.inheritable, err)) < 0 ||
            (r = resolve_set(c->permitted, "permitted", &s.permitted, err)) < 0 ||
            (r = resolve_set(c->ambient, "ambient", &s.ambient, err)) < 0)
                return r;
        *ret = s;
        return 0;
}

int caps_apply_bounding(const CapSets *s, BerthError **err)
{
        if (!s->has_bounding)
                return 0;
        for (int i = 0; i <= caps_last_cap(); i++) {
                if (s->bounding & (UINT64_C(1) << i))
                        continue;
                if (prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 && errno != EINVAL)
                        return berth_error(err, errno, "drop capability %d from the bounding set",
                                           i);
        }
        return 0;
}

int caps_apply_final(const CapSets *s, BerthError **err)
{
        struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct data[2] = {};

        data[0].effective = (uint32_t)s->effective;
        data[1].effective = (uint32_t)(s->effective >> 32);
        data[0].permitted = (uint32_t)s->permitted;
        data[1].permitted = (uint32_t)(s->permitted >> 32);
        data[0].inheritable = (uint32_t)s->inheritable;
        data[1].inheritable = (uint32_t)(s->inheritable >> 32);
        if (capset(&hdr, data) < 0)
                return berth_error(err, errno,
                                   "set capabilities (effective %#llx, permitted %#llx, "
                                   "inheritable %#llx)",
                                   (unsigned long long)s->effective,
                                   (unsigned long long)s->permitted,
                                   (unsigned long long)s->inheritable);
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return berth_error(err, errno, "clear ambient capabilities");
        for (int i = 0; i <= caps_last_cap(); i++) {
                if (!(s->ambient & (UINT64_C(1) << i)))
                        continue;
                /* runc and crun go on when the kernel refuses: configs from `runc spec` list
                 * ambient capabilities that are not inheritable, which the kernel never
                 * raises. */
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0 && errno != EPERM)
                        return berth_error(err, errno, "raise ambient capability %d", i);
        }
        return 0;
}
