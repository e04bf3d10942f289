/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * berth attach: this terminal (or these pipes) on a running container's stdio through its
 * shim's attach socket, as docker attach: output from now on (the log has what came before),
 * stdin when the container keeps it open, the detach keys leave it running, and otherwise the
 * container's exit code once it has exited.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "basic/macro.h"
#include "basic/socket-util.h"
#include "basic/string-util.h"
#include "cmd/berth/attach.h"
#include "cmd/berth/berth.h"
#include "engine/engine.h"

enum { OPT_NO_STDIN = 0x100, OPT_SIG_PROXY, OPT_DETACH_KEYS };

typedef struct Proxy {
        Engine *e;
        EngineContainer *c;
} Proxy;

static void proxy_signal(int sig, void *userdata)
{
        Proxy *p = userdata;
        (void)engine_container_kill(p->e, p->c, sig, NULL);
}

static int parse_bool(const char *s, bool *ret)
{
        if (streq(s, "true") || streq(s, "1")) {
                *ret = true;
                return 0;
        }
        if (streq(s, "false") || streq(s, "0")) {
                *ret = false;
                return 0;
        }
        return -EINVAL;
}

int cmd_attach(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "no-stdin", no_argument, NULL, OPT_NO_STDIN },
                { "sig-proxy", required_argument, NULL, OPT_SIG_PROXY },
                { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
                {},
        };
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_engine_container_ EngineContainer *c = NULL;
        _cleanup_free_ char *state = NULL, *sock = NULL;
        _cleanup_close_ int fd = -1;
        AttachOptions ao = { .sig_proxy = true };
        bool no_stdin = false, detached = false;
        const char *keys = "ctrl-p,ctrl-q";
        int opt, code = 0, r;

        while ((opt = getopt_long(argc, argv, "+", options, NULL)) >= 0) {
                switch (opt) {
                case OPT_NO_STDIN: no_stdin = true; break;
                case OPT_SIG_PROXY:
                        if (parse_bool(optarg, &ao.sig_proxy) < 0)
                                return berth_error_plain(err, EINVAL, "--sig-proxy: `%s` is not "
                                                         "true or false", optarg);
                        break;
                case OPT_DETACH_KEYS: keys = optarg; break;
                default:
                        return berth_error_plain(err, EINVAL, "unknown option (see --help)");
                }
        }
        if (argc - optind != 1)
                return berth_error_plain(err, EINVAL, "one container is needed: attach [OPTIONS] "
                                         "CONTAINER");
        if (attach_parse_detach_keys(keys, ao.detach_keys, &ao.n_detach_keys) < 0)
                return berth_error_plain(err, EINVAL, "--detach-keys: `%s` is no key sequence",
                                         keys);
        r = berth_engine_open(ctx, &e, err);
        if (r >= 0)
                r = engine_container_lookup(e, argv[optind], &c, err);
        if (r < 0)
                return r;
        if (c->state == ENGINE_STATE_PAUSED)
                return berth_error_plain(err, EBUSY, "container `%s` is paused: unpause it first",
                                         c->name);
        if (c->state != ENGINE_STATE_RUNNING && c->state != ENGINE_STATE_RESTARTING)
                return berth_error_plain(err, EINVAL, "container `%s` is not running: start it "
                                         "with -a to attach", c->name);
        state = engine_container_state_dir(e, c->id);
        if (!state || asprintf(&sock, "%s/attach.sock", state) < 0)
                return berth_error(err, ENOMEM, "attach");
        fd = socket_connect_unix(SOCK_STREAM | SOCK_CLOEXEC, sock);
        if (fd < 0)
                return berth_error(err, -fd, "connect to `%s`", sock);

        Proxy proxy = { e, c };
        ao.stdin = !no_stdin && c->run.open_stdin;
        ao.tty = c->run.tty;
        /* A terminal passes ^C on as a byte; Docker proxies signals only without one. */
        ao.sig_proxy = ao.sig_proxy && !c->run.tty;
        ao.on_signal = proxy_signal;
        ao.userdata = &proxy;
        r = attach_run(fd, &ao, &detached);
        if (r < 0)
                return berth_error(err, -r, "attach to `%s`", c->name);
        if (detached)
                return 0;
        r = engine_container_wait(e, c, &code, err);
        return berth_exit(ctx, code, r);
}
