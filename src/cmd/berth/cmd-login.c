/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth login [-u USER] [-p PASS | --password-stdin] REGISTRY / berth logout REGISTRY */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "cmd/berth/registry-options.h"
#include "image/auth.h"
#include "image/registry.h"

static char *read_line(FILE *f, bool echo)
{
        struct termios old, t;
        bool tty = !echo && isatty(fileno(f)) && tcgetattr(fileno(f), &old) == 0;
        char *line = NULL;
        size_t n = 0;

        if (tty) {
                t = old;
                t.c_lflag &= ~(tcflag_t)ECHO;
                tcsetattr(fileno(f), TCSAFLUSH, &t);
        }
        ssize_t k = getline(&line, &n, f);
        if (tty) {
                tcsetattr(fileno(f), TCSAFLUSH, &old);
                fputc('\n', stderr);
        }
        if (k < 0) {
                free(line);
                return NULL;
        }
        line[strcspn(line, "\r\n")] = 0;
        return line;
}

int cmd_login(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "username", required_argument, NULL, 'u' },
                { "password", required_argument, NULL, 'p' },
                { "password-stdin", no_argument, NULL, 'S' },
                REGISTRY_LONG_OPTIONS,
                {},
        };
        _cleanup_free_ char *user = NULL, *pass = NULL, *creds = NULL;
        _cleanup_registry_ Registry *reg = NULL;
        RegistryOptions opts = { .tls_verify = -1 };
        bool from_stdin = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "u:p:", options, NULL)) >= 0) {
                r = registry_option(c, optarg, &opts, &creds, err);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                if (c == 'u')
                        user = strdup(optarg);
                else if (c == 'p')
                        pass = strdup(optarg);
                else if (c == 'S')
                        from_stdin = true;
                else
                        return berth_error_plain(err, EINVAL, "usage: berth login [-u USER] REGISTRY");
        }
        if (optind + 1 != argc)
                return berth_error_plain(err, EINVAL, "usage: berth login [-u USER] REGISTRY");
        if (!user) {
                fprintf(stderr, "Username: ");
                user = read_line(stdin, true);
        }
        if (!pass) {
                if (!from_stdin)
                        fprintf(stderr, "Password: ");
                pass = read_line(stdin, from_stdin);
        }
        if (isempty(user) || !pass)
                return berth_error_plain(err, EINVAL, "a user name and a password are needed");
        opts.username = user;
        opts.password = pass;
        registry_options_complete(&opts, ctx);
        r = registry_open(streq(argv[optind], "docker.io") ? "registry-1.docker.io" : argv[optind],
                          &opts, &reg, err);
        if (r < 0)
                return r;
        r = registry_ping(reg, err);
        if (r < 0)
                return berth_error_prefix(err, "log in to `%s`", argv[optind]);
        r = auth_store(opts.authfile, argv[optind], user, pass, err);
        if (r < 0)
                return r;
        printf("Login Succeeded\n");
        return 0;
}

int cmd_logout(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "authfile", required_argument, NULL, 'A' },
                {},
        };
        const char *authfile = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                if (c == 'A')
                        authfile = optarg;
                else
                        return berth_error_plain(err, EINVAL, "usage: berth logout REGISTRY");
        }
        if (optind + 1 != argc)
                return berth_error_plain(err, EINVAL, "usage: berth logout REGISTRY");
        r = auth_remove(authfile ?: ctx->env.authfile, argv[optind], err);
        if (r < 0)
                return r;
        if (r == 0)
                return berth_error_plain(err, ENOENT, "not logged in to `%s`", argv[optind]);
        printf("Removed login credentials for %s\n", argv[optind]);
        return 0;
}
