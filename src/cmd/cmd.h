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

/* Shared by create and run: parses their common flags into o; returns optind or -1. */
struct CreateOptions;
int parse_create_options(const GlobalOptions *g, int argc, char **argv, bool run,
                         struct CreateOptions *o, bool *detach, bool *keep, BerthError **err);
/* Exactly one positional argument: the container id. */
int want_id(int argc, char **argv, int optind_, const char *verb, const char **ret,
            BerthError **err);
/* Prints a JSON object (owned by the caller) pretty-printed to stdout. */
struct json_object;
void print_json(struct json_object *o);
