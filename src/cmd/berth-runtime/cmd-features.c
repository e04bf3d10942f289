/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `features`: what this build supports, in the runtime-spec features.md shape. Only what is
 * implemented is listed. */
#include <getopt.h>
#include <sys/capability.h>

#include "cmd/berth-runtime/cmd.h"
#include "runtime/caps.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/mount-options.h"
#include "runtime/seccomp/syscall-filter.h"
#include "spec/runtime-spec.h"

static struct json_object *strings(const char *const *l)
{
        struct json_object *a = json_object_new_array();
        for (; *l; l++)
                json_object_array_add(a, json_object_new_string(*l));
        return a;
}

int cmd_features(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        static const char *const hooks[] = { "prestart", "createRuntime", "createContainer",
                                             "startContainer", "poststart", "poststop", NULL };
        struct json_object *cg = NULL;
        int r = parse_no_options(argc, argv, err);
        if (r != 0)
                return r < 0 ? r : 0;
        if (optind < argc)
                return berth_error(err, 0, "features: unexpected argument \"%s\"", argv[optind]);

        struct json_object *o = json_object_new_object(), *linux_ = json_object_new_object();
        struct json_object *ns = json_object_new_array(), *caps = json_object_new_array();

        json_object_object_add(o, "ociVersionMin", json_object_new_string("1.0.0"));
        json_object_object_add(o, "ociVersionMax", json_object_new_string("1.2.0"));
        json_object_object_add(o, "hooks", strings(hooks));
        json_object_object_add(o, "mountOptions", strings(mount_option_names));

        for (int t = 0; t < _SPEC_NS_MAX; t++)
                json_object_array_add(ns, json_object_new_string(spec_namespace_name(t)));
        json_object_object_add(linux_, "namespaces", ns);
        for (int i = 0; i <= caps_last_cap(); i++) {
                char *name = cap_to_name(i);
                if (!name)
                        continue;
                char upper[64];
                size_t k = 0;
                for (; name[k] && k < sizeof(upper) - 1; k++)
                        upper[k] = (char)(name[k] >= 'a' && name[k] <= 'z' ? name[k] - 32
                                                                            : name[k]);
                upper[k] = 0;
                cap_free(name);
                json_object_array_add(caps, json_object_new_string(upper));
        }
        json_object_object_add(linux_, "capabilities", caps);

        r = cgroup_features(&cg);
        if (r < 0) {
                json_object_put(o);
                json_object_put(linux_); /* holds ns and caps already */
                return berth_error(err, r, "features: cgroup support");
        }
        json_object_object_add(linux_, "cgroup", cg);

        struct json_object *seccomp = json_object_new_object();
        json_object_object_add(seccomp, "enabled", json_object_new_boolean(1));
        json_object_object_add(seccomp, "actions", strings(seccomp_actions));
        json_object_object_add(seccomp, "operators", strings(seccomp_operators));
        json_object_object_add(seccomp, "archs", strings(seccomp_archs));
        json_object_object_add(seccomp, "knownFlags", strings(seccomp_flags));
        json_object_object_add(seccomp, "supportedFlags", strings(seccomp_flags));
        json_object_object_add(linux_, "seccomp", seccomp);
        struct json_object *off = json_object_new_object();
        json_object_object_add(off, "enabled", json_object_new_boolean(0));
        json_object_object_add(linux_, "apparmor", json_object_get(off));
        json_object_object_add(linux_, "selinux", json_object_get(off));
        json_object_object_add(linux_, "intelRdt", off);
        struct json_object *ext = json_object_new_object(), *idmap = json_object_new_object();
        json_object_object_add(idmap, "enabled", json_object_new_boolean(1));
        json_object_object_add(ext, "idmap", idmap);
        json_object_object_add(linux_, "mountExtensions", ext);
        json_object_object_add(o, "linux", linux_);

        struct json_object *ann = json_object_new_object();
        json_object_object_add(ann, "io.github.berth.version",
                               json_object_new_string(BERTH_VERSION));
        json_object_object_add(o, "annotations", ann);
        print_json(o);
        json_object_put(o);
        return 0;
}
