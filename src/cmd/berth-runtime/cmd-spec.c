/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <getopt.h>
#include <string.h>

#include "basic/fs-util.h"
#include "cmd/berth-runtime/cmd.h"
#include "spec/runtime-spec.h"

int cmd_spec(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        static const struct option opts[] = {
                { "bundle", required_argument, NULL, 'b' },
                { "rootless", no_argument, NULL, 'r' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *bundle = ".";
        bool rootless = false;
        int ch, r;

        while ((ch = getopt_long_only(argc, argv, "b:h", opts, NULL)) >= 0) {
                if (ch == 'h')
                        return cmd_usage(argv[0]);
                if (ch == 'b')
                        bundle = optarg;
                else if (ch == 'r')
                        rootless = true;
                else
                        return berth_error(err, 0, "spec: invalid option (see spec --help)");
        }
        if (optind < argc)
                return berth_error(err, 0, "spec: unexpected argument \"%s\"", argv[optind]);
        _cleanup_close_ int dfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return berth_error(err, errno, "spec: bundle `%s`", bundle);
        if (faccessat(dfd, "config.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return berth_error(err, EEXIST, "spec: `%s/config.json`: remove it first",
                                   bundle);
        _cleanup_free_ char *json = spec_default_json(rootless);
        if (!json)
                return berth_error(err, ENOMEM, "spec");
        r = fs_write_file_atomic_at(dfd, "config.json", json, strlen(json), 0644);
        if (r < 0)
                return berth_error(err, r, "spec: write `%s/config.json`", bundle);
        return 0;
}
