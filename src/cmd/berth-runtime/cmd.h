/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The berth-runtime command line: global options and one function per verb. */
#pragma once

#include <stdbool.h>

#include "basic/error.h"

typedef struct GlobalOptions {
        const char *root;
        const char *log;
        const char *log_format;
        bool debug;
        bool systemd_cgroup;
        char **argv; /* the whole command line, to re-execute it (cloned_binary_ensure()) */
} GlobalOptions;

/* Every verb gets argv with argv[0] = the verb, returns an exit status, and reports failures
 * through err (printed by main). */
typedef int (*VerbFunc)(const GlobalOptions *g, int argc, char **argv, BerthError **err);

int cmd_create(const GlobalOptions *g, int argc, char **argv, BerthError **err);
int cmd_start(const GlobalOptions *g, int argc, char **argv, BerthError **err);
int cmd_run(const GlobalOptions *g, int argc, char **argv, BerthError **err);
int cmd_exec(const GlobalOptions *g, int argc, char **argv, BerthError **err);
int cmd_state(const GlobalOptions *g, int argc, char **argv, BerthError **err);
int cmd_kill(const GlobalOptions *g, int argc, char **argv, BerthError **err);
int cmd_delete(const GlobalOptions *g, int argc, char **argv, BerthError **err);
int cmd_pause(const GlobalOptions *g, int argc, char **argv, BerthError **err);
int cmd_resume(const GlobalOptions *g, int argc, char **argv, BerthError **err);
int cmd_update(const GlobalOptions *g, int argc, char **argv, BerthError **err);
int cmd_ps(const GlobalOptions *g, int argc, char **argv, BerthError **err);
int cmd_events(const GlobalOptions *g, int argc, char **argv, BerthError **err);
int cmd_list(const GlobalOptions *g, int argc, char **argv, BerthError **err);
int cmd_spec(const GlobalOptions *g, int argc, char **argv, BerthError **err);
int cmd_features(const GlobalOptions *g, int argc, char **argv, BerthError **err);
int cmd_version(const GlobalOptions *g, int argc, char **argv, BerthError **err);

/* Prints the usage of verb (`VERB --help`, `-h`) to stdout; returns 0, so a verb's option
 * loop can end with `return cmd_usage(argv[0])`. */
int cmd_usage(const char *verb);
/* For verbs without options of their own: handles -h/--help (prints the usage and returns 1)
 * and refuses any other option; returns 0 to go on, with optind at the first argument. */
int parse_no_options(int argc, char **argv, BerthError **err);
/* The same for verbs with one option, --NAME or -N (N its first letter): *ret_given is set
 * when it is given and, with ret_arg, it takes an argument, stored there. stop_at_id: options
 * end at the first argument (what follows is not ours). */
int parse_one_option(int argc, char **argv, const char *name, bool stop_at_id, const char **ret_arg,
                     bool *ret_given, BerthError **err);
/* For `VERB ID` without options: --help, the id, the container. Returns 1 with *ret loaded, 0
 * after --help, or a negative error. */
struct Container;
int load_container_arg(const GlobalOptions *g, int argc, char **argv, struct Container **ret,
                       BerthError **err);
/* `VERB ID` that only calls op on the container (pause, resume); returns the exit status. */
int run_on_container(const GlobalOptions *g, int argc, char **argv,
                     int (*op)(struct Container *c, BerthError **err), BerthError **err);

/* Shared by create and run: parses their common flags into o; returns optind, 0 when --help
 * printed the usage, or a negative error. */
struct CreateOptions;
int parse_create_options(const GlobalOptions *g, int argc, char **argv, bool run,
                         struct CreateOptions *o, bool *detach, bool *keep, BerthError **err);
/* Exactly one positional argument: the container id. */
int want_id(int argc, char **argv, int optind_, const char *verb, const char **ret,
            BerthError **err);
/* Prints a JSON object (owned by the caller) pretty-printed to stdout. */
struct json_object;
void print_json(struct json_object *o);
