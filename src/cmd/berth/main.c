/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The berth CLI: global options, then one verb from the table, each in its cmd-<verb>.c. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "basic/log.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"

static const struct {
        const char *name;
        VerbFunc func;
        const char *help;
} verbs[] = {
        { "pull", cmd_pull, "Pull an image from a registry" },
        { "push", cmd_push, "Push an image to a registry" },
        { "images", cmd_images, "List images" },
        { "rmi", cmd_rmi, "Remove images" },
        { "tag", cmd_tag, "Give an image another name" },
        { "inspect", cmd_inspect, "Show an image's record, manifest and config as JSON" },
        { "load", cmd_load, "Load images from an OCI layout or docker save archive" },
        { "save", cmd_save, "Save images as an OCI layout or docker save archive" },
        { "import", cmd_import, "Make an image from a root file system tarball" },
        { "login", cmd_login, "Store credentials for a registry" },
        { "logout", cmd_logout, "Remove stored credentials of a registry" },
        { "image", cmd_image, "Image management (image prune)" },
        { "system", cmd_system, "Store management (system df)" },
        { "mount", cmd_mount, "Mount an image's rootfs (overlay of its layers + upper dir)" },
        { "unmount", cmd_unmount, "Unmount a rootfs made by berth mount" },
};

static void usage(FILE *f)
{
        fprintf(f, "Usage: berth [--root DIR] [--snapshotter overlay|copy] [-q] [--debug] VERB "
                   "[ARGS...]\n\nVerbs:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].help);
}

int main(int argc, char **argv)
{
        static const struct option options[] = {
                { "root", required_argument, NULL, 'r' },
                { "snapshotter", required_argument, NULL, 's' },
                { "quiet", no_argument, NULL, 'q' },
                { "debug", no_argument, NULL, 'd' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'v' },
                {},
        };
        _cleanup_error_ BerthError *err = NULL;
        BerthContext ctx = {
                .root = getenv("BERTH_ROOT") ?: "/var/lib/berth",
                .snapshot_kind = snapshot_kind_default(),
        };
        int c, r;

        while ((c = getopt_long(argc, argv, "+qh", options, NULL)) >= 0) {
                switch (c) {
                case 'r':
                        ctx.root = optarg;
                        break;
                case 's':
                        if (snapshot_kind_from_string(optarg, &ctx.snapshot_kind) < 0) {
                                fprintf(stderr, "berth: unknown snapshotter '%s'\n", optarg);
                                return 2;
                        }
                        break;
                case 'q':
                        ctx.quiet = true;
                        break;
                case 'd':
                        ctx.debug = true;
                        log_set_max_level(LOG_LEVEL_DEBUG);
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                case 'v':
                        printf("berth version %s\n", BERTH_VERSION);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (optind >= argc) {
                usage(stderr);
                return 2;
        }
        const char *verb = argv[optind];
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                if (!streq(verbs[i].name, verb))
                        continue;
                int vargc = argc - optind;
                char **vargv = argv + optind;
                optind = 0; /* reset getopt for the verb */
                r = verbs[i].func(&ctx, vargc, vargv, &err);
                if (ctx.sn)
                        snapshotter_free(ctx.sn);
                if (ctx.cs)
                        content_store_free(ctx.cs);
                if (ctx.md)
                        metadata_free(ctx.md);
                if (r < 0) {
                        fprintf(stderr, "berth %s: %s\n", verb,
                                err && err->msg ? err->msg : strerror(-r));
                        return r == -EINVAL && !err ? 2 : 1;
                }
                return 0;
        }
        fprintf(stderr, "berth: unknown verb '%s'\n", verb);
        usage(stderr);
        return 2;
}
