/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth info [-f TEMPLATE]: docker's system info (the engine builds the document);
 * berth version: the client's version and the default runtime's, as docker version shows
 * the engine and runc. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "engine/engine.h"
#include "engine/format-template.h"

static const char *text_of(struct json_object *doc, const char *key)
{
        struct json_object *v = jwalk_member(doc, key);
        return v ? json_object_get_string(v) : "";
}

static void print_info(struct json_object *doc)
{
        char mem[32];
        static const char *const b[] = { "B", "KiB", "MiB", "GiB", "TiB" };
        double m = (double)json_object_get_int64(jwalk_member(doc, "MemTotal"));
        size_t u = 0;

        while (m >= 1024 && u + 1 < ELEMENTSOF(b)) {
                m /= 1024;
                u++;
        }
        snprintf(mem, sizeof(mem), "%.4g%s", m, b[u]);
        printf("Client:\n Version:    %s\n Context:    default\n\n", BERTH_VERSION);
        printf("Server:\n");
        printf(" Containers: %s\n", text_of(doc, "Containers"));
        printf("  Running: %s\n", text_of(doc, "ContainersRunning"));
        printf("  Paused: %s\n", text_of(doc, "ContainersPaused"));
        printf("  Stopped: %s\n", text_of(doc, "ContainersStopped"));
        printf(" Images: %s\n", text_of(doc, "Images"));
        printf(" Server Version: %s\n", text_of(doc, "ServerVersion"));
        printf(" Storage Driver: %s\n", text_of(doc, "Driver"));
        printf(" Logging Driver: %s\n", text_of(doc, "LoggingDriver"));
        printf(" Cgroup Driver: %s\n", text_of(doc, "CgroupDriver"));
        printf(" Cgroup Version: %s\n", text_of(doc, "CgroupVersion"));
        printf(" Default Runtime: %s\n", text_of(doc, "DefaultRuntime"));
        printf(" Kernel Version: %s\n", text_of(doc, "KernelVersion"));
        printf(" Operating System: %s\n", text_of(doc, "OperatingSystem"));
        printf(" OSType: %s\n", text_of(doc, "OSType"));
        printf(" Architecture: %s\n", text_of(doc, "Architecture"));
        printf(" CPUs: %s\n", text_of(doc, "NCPU"));
        printf(" Total Memory: %s\n", mem);
        printf(" Name: %s\n", text_of(doc, "Name"));
        printf(" Docker Root Dir: %s\n", text_of(doc, "DockerRootDir"));
}

int cmd_info(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' },
                {},
        };
        _cleanup_format_template_ FormatTemplate *t = NULL;
        _cleanup_(jwalk_putp) struct json_object *doc = NULL;
        _cleanup_engine_ Engine *e = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "f:", options, NULL)) >= 0) {
                if (c != 'f')
                        return berth_error_plain(err, EINVAL, "usage: berth info [-f TEMPLATE]");
                format_template_free(t);
                t = NULL;
                if (format_template_parse(streq(optarg, "json") ? "{{json .}}" : optarg, &t,
                                          err) < 0)
                        return berth_error_prefix(err, "--format");
        }
        if (optind < argc)
                return berth_error_plain(err, EINVAL, "usage: berth info [-f TEMPLATE]");
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        r = engine_info(e, &doc, err);
        if (r < 0)
                return r;
        if (!t) {
                print_info(doc);
                return 0;
        }
        _cleanup_free_ char *out = NULL;
        r = format_template_render(t, doc, &out, err);
        if (r < 0)
                return berth_error_prefix(err, "--format");
        printf("%s\n", out ? out : "");
        return 0;
}

/* "runc version 1.1.5+ds1\ncommit: ..." -> "1.1.5+ds1"; "commit: X" -> X. */
static void version_field(const char *text, const char *prefix, char *buf, size_t size)
{
        for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                const char *v = strstr(l, prefix);
                const char *end = strchr(l, '\n');
                if (!v || (end && v > end))
                        continue;
                v += strlen(prefix);
                snprintf(buf, size, "%.*s", (int)strcspn(v, "\n"), v);
                return;
        }
        snprintf(buf, size, "%s", "");
}

int cmd_version(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_free_ char *rt = NULL;
        struct utsname u;
        char version[128], commit[128];
        int r;

        (void)argv;
        if (argc > 1)
                return berth_error_plain(err, EINVAL, "usage: berth version");
        if (uname(&u) < 0)
                return berth_error(err, errno, "uname");
        /* Go's names of the architectures, as docker prints them */
        const char *arch = streq(u.machine, "x86_64")    ? "amd64"
                           : streq(u.machine, "aarch64") ? "arm64"
                                                         : u.machine;
        printf("Client:\n Version:           %s\n OS/Arch:           linux/%s\n\n", BERTH_VERSION,
               arch);
        fflush(stdout);
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        r = engine_runtime_version(e, NULL, &rt, err);
        if (r < 0)
                return r;
        printf("Server: Berth Engine\n Engine:\n  Version:          %s\n", BERTH_VERSION);
        version_field(rt, " version ", version, sizeof(version));
        version_field(rt, "commit: ", commit, sizeof(commit));
        printf(" %s:\n  Version:          %s\n", "berth-runtime", *version ? version : "unknown");
        if (*commit)
                printf("  GitCommit:        %s\n", commit);
        return 0;
}
