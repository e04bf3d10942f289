/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container verbs that take containers by name or id: start, stop, kill, rm, wait. Each
 * goes through every container it is given and reports the ones that failed, as docker does. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/signal-util.h"
#include "basic/string-util.h"
#include "cmd/berth/attach.h"
#include "cmd/berth/berth.h"
#include "engine/engine.h"

/* Runs one action per container; failures are printed, the last one returned. */
typedef int (*ContainerAction)(Engine *e, EngineContainer *c, void *userdata, BerthError **err);

static int for_each_container(BerthContext *ctx, int argc, char **argv, ContainerAction action,
                              void *userdata, bool print_ref, BerthError **err)
{
        _cleanup_engine_ Engine *e = NULL;
        int r, failed = 0;

        if (optind >= argc)
                return berth_error_plain(err, EINVAL, "%s: a container name or id is needed",
                                         argv[0]);
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        for (int i = optind; i < argc; i++) {
                _cleanup_engine_container_ EngineContainer *c = NULL;
                _cleanup_error_ BerthError *one = NULL;
                r = engine_container_lookup(e, argv[i], &c, &one);
                if (r >= 0)
                        r = action(e, c, userdata, &one);
                if (r < 0) {
                        if (i + 1 < argc || failed) {
                                fprintf(stderr, "berth %s: %s\n", argv[0],
                                        one && one->msg ? one->msg : strerror(-r));
                                failed = r;
                        } else {
                                /* The last one's error is the verb's. */
                                *err = TAKE_PTR(one);
                                return r;
                        }
                        continue;
                }
                if (print_ref)
                        printf("%s\n", argv[i]);
        }
        return failed ? berth_error_plain(err, -failed, "some containers failed") : 0;
}

typedef struct StartFlags {
        bool attach;
        bool removed;   /* --rm: waited for and removed; exit_code is its */
        int exit_code;
} StartFlags;

static int start_one(Engine *e, EngineContainer *c, void *userdata, BerthError **err)
{
        bool attach = ((StartFlags *)userdata)->attach;
        int fd = -1, r;

        if (c->state == ENGINE_STATE_RUNNING && !attach)
                return 0; /* docker: starting a running container is no error */
        _cleanup_close_ int hold = -1;
        const EngineStartOptions o = { .attach = attach };
        /* --rm: held until the exit code is read (engine_container_hold()) */
        if (attach && c->run.auto_remove) {
                r = engine_container_hold(e, c, &hold, err);
                if (r < 0)
                        return r;
        }
        r = engine_container_start(e, c, &o, attach ? &fd : NULL, err);
        if (r < 0 || !attach)
                return r;
        AttachOptions ao = { .stdin = c->run.open_stdin, .tty = c->run.tty };
        bool detached;
        (void)attach_parse_detach_keys("ctrl-p,ctrl-q", ao.detach_keys, &ao.n_detach_keys);
        (void)attach_run(fd, &ao, &detached);
        safe_close(fd);
        if (hold >= 0 && !detached) {
                StartFlags *f = userdata;
                r = engine_container_wait(e, c, &f->exit_code, err);
                f->removed = true;
                if (r >= 0)
                        r = engine_container_remove(e, c, false, true, err);
        }
        return r < 0 ? r : 0;
}

int cmd_start(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "attach", no_argument, NULL, 'a' },
                { "interactive", no_argument, NULL, 'i' },
                {},
        };
        StartFlags f = {};
        int c, r;

        while ((c = getopt_long(argc, argv, "ai", options, NULL)) >= 0) {
                if (c == 'a' || c == 'i')
                        f.attach = true;
                else
                        return berth_error_plain(err, EINVAL, "usage: berth start [-a] "
                                                 "CONTAINER...");
        }
        r = for_each_container(ctx, argc, argv, start_one, &f, !f.attach, err);
        if (r >= 0 && f.removed)
                ctx->exit_code = f.exit_code;
        else if (r >= 0 && f.attach && optind < argc) {
                /* start -a: the exit status is the container's */
                _cleanup_engine_ Engine *e = NULL;
                _cleanup_engine_container_ EngineContainer *ct = NULL;
                int code = 0;
                if (berth_engine_open(ctx, &e, err) >= 0 &&
                    engine_container_lookup(e, argv[argc - 1], &ct, err) >= 0 &&
                    engine_container_wait(e, ct, &code, err) >= 0)
                        ctx->exit_code = code;
        }
        return r;
}

static int stop_one(Engine *e, EngineContainer *c, void *userdata, BerthError **err)
{
        return engine_container_stop(e, c, *(int *)userdata, err);
}

/* -t/--time SECONDS of stop and restart. */
static int parse_stop_timeout(int argc, char **argv, int *ret, BerthError **err)
{
        static const struct option options[] = {
                { "time", required_argument, NULL, 't' },
                { "timeout", required_argument, NULL, 't' },
                {},
        };
        int c;

        *ret = -1;
        while ((c = getopt_long(argc, argv, "t:", options, NULL)) >= 0)
                if (c != 't' || string_safe_atoi(optarg, ret) < 0 || *ret < -1)
                        return berth_error_plain(err, EINVAL, "usage: berth %s [-t SECONDS] "
                                                 "CONTAINER...", argv[0]);
        return 0;
}

int cmd_stop(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        int timeout, r = parse_stop_timeout(argc, argv, &timeout, err);
        return r < 0 ? r : for_each_container(ctx, argc, argv, stop_one, &timeout, true, err);
}

static int restart_one(Engine *e, EngineContainer *c, void *userdata, BerthError **err)
{
        int r = engine_container_stop(e, c, *(int *)userdata, err);
        if (r < 0)
                return r;
        (void)engine_container_refresh(e, c);
        return engine_container_start(e, c, NULL, NULL, err);
}

int cmd_restart(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        int timeout, r = parse_stop_timeout(argc, argv, &timeout, err);
        return r < 0 ? r : for_each_container(ctx, argc, argv, restart_one, &timeout, true, err);
}

static int kill_one(Engine *e, EngineContainer *c, void *userdata, BerthError **err)
{
        return engine_container_kill(e, c, *(int *)userdata, err);
}

int cmd_kill(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "signal", required_argument, NULL, 's' },
                {},
        };
        int sig = SIGKILL, c;

        while ((c = getopt_long(argc, argv, "s:", options, NULL)) >= 0) {
                if (c != 's')
                        return berth_error_plain(err, EINVAL, "usage: berth kill [-s SIGNAL] "
                                                 "CONTAINER...");
                sig = signal_from_string(optarg);
                if (sig <= 0)
                        return berth_error_plain(err, EINVAL, "--signal: unknown signal `%s`",
                                                 optarg);
        }
        return for_each_container(ctx, argc, argv, kill_one, &sig, true, err);
}

typedef struct RmFlags {
        bool force, volumes;
} RmFlags;

static int rm_one(Engine *e, EngineContainer *c, void *userdata, BerthError **err)
{
        const RmFlags *f = userdata;
        return engine_container_remove(e, c, f->force, f->volumes, err);
}

/* berth rm --auto-remove ID...: the shim's exit command for --rm (not for users). */
static int auto_remove(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        _cleanup_engine_ Engine *e = NULL;
        int r = berth_engine_open(ctx, &e, err);

        for (int i = optind; r >= 0 && i < argc; i++)
                r = engine_container_auto_remove(e, argv[i], err);
        return r;
}

int cmd_rm(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "force", no_argument, NULL, 'f' },
                { "volumes", no_argument, NULL, 'v' },
                { "auto-remove", no_argument, NULL, 'A' },
                {},
        };
        RmFlags f = {};
        bool autorm = false;
        int c;

        while ((c = getopt_long(argc, argv, "fv", options, NULL)) >= 0) {
                if (c == 'A')
                        autorm = true;
                else if (c == 'f')
                        f.force = true;
                else if (c == 'v')
                        f.volumes = true;
                else
                        return berth_error_plain(err, EINVAL, "usage: berth rm [-f] [-v] "
                                                 "CONTAINER...");
        }
        if (autorm)
                return auto_remove(ctx, argc, argv, err);
        return for_each_container(ctx, argc, argv, rm_one, &f, true, err);
}

static int wait_one(Engine *e, EngineContainer *c, void *userdata, BerthError **err)
{
        int code, r = engine_container_wait(e, c, &code, err);
        if (r >= 0)
                printf("%d\n", code);
        return r;
}

int cmd_wait(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        if (getopt_long(argc, argv, "", (const struct option[]){ {} }, NULL) >= 0)
                return berth_error_plain(err, EINVAL, "usage: berth wait CONTAINER...");
        return for_each_container(ctx, argc, argv, wait_one, NULL, false, err);
}

int berth_for_each_container(BerthContext *ctx, int argc, char **argv,
                             BerthContainerAction action, void *userdata, bool print_ref,
                             BerthError **err)
{
        return for_each_container(ctx, argc, argv, action, userdata, print_ref, err);
}
