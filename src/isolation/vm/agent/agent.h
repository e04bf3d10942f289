/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth-vm-agent: the guest's PID 1. Shared between its files; libc and basic only, linked statically. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define AGENT_ROOTFS "/run/berth/rootfs"
#define AGENT_PORT_NAME "berth.agent"
#define AGENT_MAX_ITEMS 4096 /* args, env, mounts: more is a broken host */

/* A process to run, as the host described it (kv keys in parentheses). */
typedef struct AgentProcess {
        char **argv;   /* (arg) */
        char **env;    /* (env) */
        size_t n_argv, n_env;
        const char *cwd;  /* (cwd) */
        uid_t uid;        /* (uid) */
        gid_t gid;        /* (gid) */
        gid_t *gids;      /* (gid+) */
        size_t n_gids;
        bool terminal;    /* (terminal) */
        unsigned rows, cols; /* (rows, cols) */
        bool has_umask;
        mode_t umask_;     /* (umask) */
        bool no_new_privileges; /* (nnp) */
        bool has_caps;          /* (caps: "bounding effective permitted inheritable ambient",
                                 * hex masks); absent: the process keeps every capability */
        uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
        const char *seccomp_hex; /* (seccomp): the compiled filter, struct sock_filter in hex */
} AgentProcess;

typedef struct AgentMount {
        const char *destination, *type, *source, *options; /* (mount: dest\x1ftype\x1fsrc\x1fopts) */
} AgentMount;

typedef struct AgentContainer {
        AgentProcess proc;
        AgentMount *mounts;
        size_t n_mounts;
        const char *hostname;  /* (hostname) */
        bool readonly_root;    /* (rootro) */
        int64_t memory_limit;  /* (memory): bytes, -1 none */
        int64_t pids_limit;    /* (pids): -1 none */
        const char **masked, **readonly; /* (mask, ropath) */
        size_t n_masked, n_readonly;
} AgentContainer;

/* agent-boot.c: the guest's own mounts and modules, the port to the host. */
int agent_boot(void);
int agent_open_port(void);
/* A clone of the template VM was resumed (VM_RESUMED's text): the host's wall clock, and
 * random bytes credited to the guest's pool so clones do not share the template's. */
void agent_resumed(const char *text);
/* agent-spec.c: parses a VM_CREATE / VM_EXEC payload (pointers into data). */
int agent_parse_container(char *data, size_t len, AgentContainer *ret, const char **ret_error);
void agent_container_done(AgentContainer *c);
/* agent-mount.c: in the container's new mount namespace, mounts everything and pivots. */
int agent_setup_rootfs(const AgentContainer *c, const char **ret_what);
/* Mount option words to flags and data ("nosuid,size=64m" -> MS_NOSUID, "size=64m"). */
int agent_parse_mount_options(const char *opts, unsigned long *ret_flags,
                              unsigned long *ret_propagation, char **ret_data, bool *ret_bind);
/* agent-log.c */
void agent_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
