/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "linux.cgroup" object of `features`: what this build and this host support. */
#include "runtime/cgroup/cgroup-internal.h"

int cgroup_features(struct json_object **ret)
{
        struct json_object *o = json_object_new_object();
        CgroupHierarchies hs = {};
        bool rdma = false;

        if (!o)
                return -ENOMEM;
        if (cgroup_hierarchies_detect(&hs) >= 0) {
                for (size_t i = 0; i < hs.n; i++)
                        rdma = rdma || cgroup_hierarchy_has(&hs.h[i], "rdma");
                cgroup_hierarchies_clear(&hs);
        }
        json_object_object_add(o, "v1", json_object_new_boolean(true));
        json_object_object_add(o, "v2", json_object_new_boolean(true));
        /* The systemd driver needs D-Bus; this build refuses --systemd-cgroup clearly. */
        json_object_object_add(o, "systemd", json_object_new_boolean(false));
        json_object_object_add(o, "systemdUser", json_object_new_boolean(false));
        json_object_object_add(o, "rdma", json_object_new_boolean(rdma));
        *ret = o;
        return 0;
}
