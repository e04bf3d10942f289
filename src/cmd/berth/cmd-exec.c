/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * berth exec: docker's flags into the engine's exec; without -t the process gets this
 * process's stdio as it is, with -t the pty master the runtime hands over is relayed to and
 * from the terminal (pty-relay.c).
 * Exit codes as docker's: the process's, 126 or 127 when it could not be run or found, 1 for
 * other errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/attach.h"
#include "cmd/berth/berth.h"
#include "cmd/berth/env-flags.h"
#include "cmd/berth/pty-relay.h"
#include "engine/engine-exec.h"
#include "engine/engine.h"

enum { OPT_ENV_FILE = 0x100, OPT_PRIVILEGED, OPT_DETACH_KEYS, OPT_HELP };

static const struct option exec_options[] = {
        { "interactive", no_argument, NULL, 'i' },
        { "tty", no_argument, NULL, 't' },
        { "detach", no_argument, NULL, 'd' },
        { "env", required_argument, NULL, 'e' },
        { "env-file", required_argument, NULL, OPT_ENV_FILE },
        { "user", required_argument, NULL, 'u' },
        { "workdir", required_argument, NULL, 'w' },
        { "privileged", no_argument, NULL, OPT_PRIVILEGED },
        { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
        { "help", no_argument, NULL, OPT_HELP },
        {},
};

typedef struct ExecFlags {
        EngineExecOptions o;
        PtyRelayOptions pty;
        char **env;
} ExecFlags;

static void exec_flags_done(ExecFlags *f)
{
        strv_free(f->env);
}

/* Flags into f; *ret_code the exit code of an error (docker: 125 for a flag it does not know,
 * 1 for the rest). */
static int exec_parse(int argc, char **argv, ExecFlags *f, int *ret_code, BerthError **err)
{
        int c, r;

        (void)attach_parse_detach_keys("ctrl-p,ctrl-q", f->pty.detach_keys,
                                       &f->pty.n_detach_keys);
        optind = 0;
        while ((c = getopt_long(argc, argv, "+itde:u:w:", exec_options, NULL)) >= 0) {
                switch (c) {
                case 'i': f->pty.interactive = true; break;
                case 't': f->o.tty = true; break;
                case 'd': f->o.detach = true; break;
                case 'e':
                        if (env_flags_add(&f->env, optarg) < 0)
                                return berth_error(err, ENOMEM, "-e");
                        break;
                case OPT_ENV_FILE:
                        r = env_flags_add_file(&f->env, optarg, err);
                        if (r < 0)
                                return r;
                        break;
                case 'u': f->o.user = optarg; break;
                case 'w': f->o.workdir = optarg; break;
                case OPT_PRIVILEGED: f->o.privileged = true; break;
                case OPT_DETACH_KEYS:
                        if (attach_parse_detach_keys(optarg, f->pty.detach_keys,
                                                     &f->pty.n_detach_keys) < 0)
                                return berth_error_plain(err, EINVAL, "--detach-keys: `%s` is no "
                                                         "key sequence", optarg);
                        break;
                default:
                        *ret_code = 125;
                        return berth_error_plain(err, EINVAL, "unknown option (see --help)");
                }
        }
        if (argc - optind < 2)
                return berth_error_plain(err, EINVAL, "a container and a command are needed: "
                                         "exec [OPTIONS] CONTAINER COMMAND [ARG...]");
        /* Docker: with -d the process has no terminal to hold, so -t does nothing. */
        if (f->o.detach)
                f->o.tty = false;
        f->o.env = f->env;
        f->o.argv = argv + optind + 1;
        f->o.stdio[0] = f->pty.interactive ? STDIN_FILENO : -1;
        f->o.stdio[1] = STDOUT_FILENO;
        f->o.stdio[2] = STDERR_FILENO;
        return 0;
}

/* --help before the container (after it, it is the command's). */
bool cmd_exec_wants_help(int argc, char **argv)
{
        int c, saved = opterr;
        bool help = false;

        opterr = 0;
        optind = 0;
        /* exec has no -h of its own (unlike run): it is help, as in docker */
        while ((c = getopt_long(argc, argv, "+itde:u:w:h", exec_options, NULL)) >= 0)
                if (c == OPT_HELP || c == 'h')
                        help = true;
        opterr = saved;
        optind = 0;
        return help;
}

int cmd_exec(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        _cleanup_(exec_flags_done) ExecFlags f = {};
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_engine_container_ EngineContainer *c = NULL;
        _cleanup_engine_exec_ EngineExec *x = NULL;
        int code = 1, r;

        r = exec_parse(argc, argv, &f, &code, err);
        if (r < 0)
                return berth_exit(ctx, code, r);
        r = berth_engine_open(ctx, &e, err);
        if (r >= 0)
                r = engine_container_lookup(e, argv[optind], &c, err);
        if (r < 0)
                return berth_exit(ctx, 1, r);
        if (!f.o.tty) {
                r = engine_container_exec(e, c, &f.o, &code, err);
                return berth_exit(ctx, code, r);
        }
        struct winsize ws;
        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) {
                f.o.rows = ws.ws_row;
                f.o.cols = ws.ws_col;
        }
        r = engine_exec_start(e, c, &f.o, &x, &code, err);
        if (r < 0)
                return berth_exit(ctx, code, r);
        if (pty_relay(engine_exec_console(x), &f.pty))
                return 0;
        r = engine_exec_wait(x, &code, err);
        return berth_exit(ctx, code, r);
}
