/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `update [flags] ID`: runc's flags (--memory 64m, --cpu-quota, --pids-limit, ...) and
 * -r FILE / -r - (a linux.resources JSON object), applied to the container's cgroup. As in
 * runc (1.1 documents it: "all other options are ignored"), a resources file makes the flags
 * ignored; we say so on stderr rather than drop them silently. The flags are still checked.
 */
#include <fcntl.h>
#include <getopt.h>
#include <string.h>

#include "basic/fs-util.h"
#include "basic/log.h"
#include "basic/string-util.h"
#include "cmd/berth-runtime/cmd.h"
#include "isolation/vm/vm.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/lifecycle-cgroup.h"

/* The names cgroup_update_flag() parses, plus what runc also accepts. */
static const char *const flag_names[] = {
        "memory",        "memory-reservation", "memory-swap",     "kernel-memory",
        "kernel-memory-tcp", "cpu-share",      "cpu-period",      "cpu-quota",
        "cpu-burst",     "cpu-rt-period",      "cpu-rt-runtime",  "cpuset-cpus",
        "cpuset-mems",   "pids-limit",         "blkio-weight",    "l3-cache-schema",
        "mem-bw-schema",
        "cpu-shares", /* docker's spelling of runc's --cpu-share */
};

#define OPT_RESOURCES 'r'
#define OPT_FLAG 0x100

static int read_resources(const char *path, SpecResources **ret, BerthError **err)
{
        _cleanup_free_ char *data = NULL;
        size_t size = 0;
        int r;

        if (streq(path, "-")) {
                r = fs_read_full_fd_limited(STDIN_FILENO, READ_LIMIT_JSON, &data, &size);
                if (r == -EFBIG)
                        return berth_error(err, r, "update: resources on stdin are larger than "
                                                   "the limit of %zu MiB",
                                           READ_LIMIT_JSON >> 20);
                if (r < 0)
                        return berth_error(err, r, "update: read resources from stdin");
        } else if ((r = fs_read_full_file_limited(AT_FDCWD, path, READ_LIMIT_JSON, &data, &size,
                                               err)) < 0)
                return berth_error_prefix(err, "update: resources");
        r = spec_parse_resources(data, size, ret, err);
        if (r < 0)
                return berth_error_prefix(err, "update: %s", streq(path, "-") ? "stdin" : path);
        return 0;
}

int cmd_update(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        struct option opts[ELEMENTSOF(flag_names) + 3] = {};
        _cleanup_spec_resources_ SpecResources *res = NULL;
        _cleanup_free_ const char **names = NULL, **values = NULL;
        _cleanup_container_ Container *c = NULL;
        const char *resources = NULL, *id;
        size_t n = 0;
        int ch, r;

        for (size_t i = 0; i < ELEMENTSOF(flag_names); i++)
                opts[i] = (struct option){ flag_names[i], required_argument, NULL,
                                           OPT_FLAG + (int)i };
        opts[ELEMENTSOF(flag_names)] =
                (struct option){ "resources", required_argument, NULL, OPT_RESOURCES };
        opts[ELEMENTSOF(flag_names) + 1] = (struct option){ "help", no_argument, NULL, 'h' };

        names = calloc((size_t)argc, sizeof(char *));
        values = calloc((size_t)argc, sizeof(char *));
        if (!names || !values)
                return berth_error(err, -ENOMEM, "update: out of memory");
        while ((ch = getopt_long_only(argc, argv, "r:h", opts, NULL)) >= 0) {
                if (ch == 'h')
                        return cmd_usage(argv[0]);
                if (ch == OPT_RESOURCES) {
                        resources = optarg;
                        continue;
                }
                if (ch < OPT_FLAG)
                        return berth_error(err, 0, "update: invalid option (see runc's update "
                                                   "flags: --memory, --cpu-quota, ...)");
                const char *name = flag_names[ch - OPT_FLAG];
                names[n] = streq(name, "cpu-shares") ? "cpu-share" : name;
                values[n++] = optarg;
        }
        r = want_id(argc, argv, optind, "update", &id, err);
        if (r < 0)
                return r;

        res = calloc(1, sizeof(SpecResources));
        if (!res)
                return berth_error(err, -ENOMEM, "update: out of memory");
        for (size_t i = 0; i < n; i++) {
                r = cgroup_update_flag(res, names[i], values[i], err);
                if (r < 0)
                        return r;
        }
        if (resources) {
                if (n > 0)
                        log_warning("update: --%s%s ignored: the resources in `%s` apply alone, "
                                    "as in runc",
                                    names[0], n > 1 ? " and the other flags are" : " is",
                                    resources);
                spec_resources_free(TAKE_PTR(res));
                r = read_resources(resources, &res, err);
                if (r < 0)
                        return r;
        }

        r = container_load(g->root, id, &c, err);
        if (r < 0)
                return r;
        r = vm_container_is_vm(c) ? vm_container_update(c, res, err)
                                  : container_update(c, res, err);
        return r < 0 ? r : 0;
}
