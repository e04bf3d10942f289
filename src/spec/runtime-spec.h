/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The OCI runtime-spec 1.2 configuration (config.json) for Linux, as C types.
 *
 * Every optional scalar has a has_<name> flag; strings are NULL when absent, arrays come with a
 * count. All memory belongs to the Spec and is released by spec_free().
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "basic/error.h"

typedef struct SpecIdMapping {
        uint32_t container_id, host_id, size;
} SpecIdMapping;

typedef struct SpecMount {
        char *destination;
        char *type;
        char *source;
        char **options; /* NULL-terminated, may be NULL */
        SpecIdMapping *uid_mappings, *gid_mappings;
        size_t n_uid_mappings, n_gid_mappings;
} SpecMount;

typedef struct SpecRlimit {
        char *type; /* "RLIMIT_NOFILE" ... */
        int resource; /* the RLIMIT_* number, resolved by the parser */
        uint64_t hard, soft;
} SpecRlimit;

typedef struct SpecCapabilities {
        /* Each NULL-terminated list of "CAP_*" names, NULL when the set is absent. */
        char **bounding, **effective, **inheritable, **permitted, **ambient;
} SpecCapabilities;

typedef struct SpecUser {
        uint32_t uid, gid;
        bool has_umask;
        uint32_t umask;
        uint32_t *additional_gids;
        size_t n_additional_gids;
        char *username;
} SpecUser;

typedef struct SpecScheduler {
        char *policy; /* "SCHED_OTHER" ... */
        int32_t nice, priority;
        char **flags;
        uint64_t runtime, deadline, period;
} SpecScheduler;

typedef struct SpecProcess {
        bool terminal;
        bool has_console_size;
        uint32_t console_height, console_width;
        SpecUser user;
        char **args;
        char *command_line;
        char **env;
        char *cwd;
        SpecCapabilities *capabilities; /* NULL when absent */
        SpecRlimit *rlimits;
        size_t n_rlimits;
        bool no_new_privileges;
        char *apparmor_profile;
        bool has_oom_score_adj;
        int oom_score_adj;
        char *selinux_label;
        bool has_io_priority;
        char *io_priority_class; /* "IOPRIO_CLASS_RT" ... */
        int io_priority;
        SpecScheduler *scheduler;
        char *exec_cpu_affinity_initial, *exec_cpu_affinity_final;
} SpecProcess;

typedef struct SpecHook {
        char *path;
        char **args;
        char **env;
        bool has_timeout;
        int timeout; /* seconds, > 0 */
} SpecHook;

typedef struct SpecHookList {
        SpecHook *hooks;
        size_t n;
} SpecHookList;

typedef enum SpecHookKind {
        SPEC_HOOK_PRESTART,
        SPEC_HOOK_CREATE_RUNTIME,
        SPEC_HOOK_CREATE_CONTAINER,
        SPEC_HOOK_START_CONTAINER,
        SPEC_HOOK_POSTSTART,
        SPEC_HOOK_POSTSTOP,
        _SPEC_HOOK_MAX,
} SpecHookKind;

typedef enum SpecNamespaceType {
        SPEC_NS_PID,
        SPEC_NS_NETWORK,
        SPEC_NS_MOUNT,
        SPEC_NS_IPC,
        SPEC_NS_UTS,
        SPEC_NS_USER,
        SPEC_NS_CGROUP,
        SPEC_NS_TIME,
        _SPEC_NS_MAX,
} SpecNamespaceType;

typedef struct SpecNamespace {
        bool present; /* listed in linux.namespaces */
        char *path;   /* join this one instead of creating a new one */
} SpecNamespace;

typedef struct SpecDevice {
        char *type; /* "c", "b", "u" or "p" */
        char *path;
        int64_t major, minor;
        bool has_file_mode, has_uid, has_gid;
        uint32_t file_mode, uid, gid;
} SpecDevice;

typedef struct SpecDeviceCgroup {
        bool allow;
        char *type;   /* NULL means "a" */
        bool has_major, has_minor;
        int64_t major, minor; /* -1 or absent means all */
        char *access; /* NULL means "rwm" */
} SpecDeviceCgroup;

typedef struct SpecWeightDevice {
        int64_t major, minor;
        bool has_weight, has_leaf_weight;
        uint16_t weight, leaf_weight;
} SpecWeightDevice;

typedef struct SpecThrottleDevice {
        int64_t major, minor;
        uint64_t rate;
} SpecThrottleDevice;

typedef struct SpecKeyValue {
        char *key, *value;
} SpecKeyValue;

typedef struct SpecResources {
        SpecDeviceCgroup *devices;
        size_t n_devices;

        struct {
                bool present;
                bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp;
                int64_t limit, reservation, swap, kernel, kernel_tcp; /* -1 = unlimited */
                bool has_swappiness;
                uint64_t swappiness;
                bool has_disable_oom_killer, disable_oom_killer;
                bool has_use_hierarchy, use_hierarchy;
                bool check_before_update;
        } memory;

        struct {
                bool present;
                bool has_shares, has_quota, has_burst, has_period;
                uint64_t shares, burst, period;
                int64_t quota;
                bool has_realtime_runtime, has_realtime_period;
                int64_t realtime_runtime;
                uint64_t realtime_period;
                char *cpus, *mems;
                bool has_idle;
                int64_t idle;
        } cpu;

        struct {
                bool present;
                bool has_limit; /* optional since runtime-spec 1.2.1; absent = unchanged */
                int64_t limit;  /* <= 0 means unlimited */
        } pids;

        struct {
                bool present;
                bool has_weight, has_leaf_weight;
                uint16_t weight, leaf_weight;
                SpecWeightDevice *weight_device;
                size_t n_weight_device;
                SpecThrottleDevice *throttle_read_bps, *throttle_write_bps;
                SpecThrottleDevice *throttle_read_iops, *throttle_write_iops;
                size_t n_throttle_read_bps, n_throttle_write_bps;
                size_t n_throttle_read_iops, n_throttle_write_iops;
        } block_io;

        struct SpecHugepageLimit {
                char *page_size; /* "2MB" */
                uint64_t limit;
        } *hugepage_limits;
        size_t n_hugepage_limits;

        struct {
                bool present;
                bool has_class_id;
                uint32_t class_id;
                struct SpecNetPriority {
                        char *name;
                        uint32_t priority;
                } *priorities;
                size_t n_priorities;
        } network;

        struct SpecRdma {
                char *device;
                bool has_hca_handles, has_hca_objects;
                uint32_t hca_handles, hca_objects;
        } *rdma;
        size_t n_rdma;

        SpecKeyValue *unified;
        size_t n_unified;
} SpecResources;

typedef struct SpecSeccompArg {
        uint32_t index;
        uint64_t value, value_two;
        char *op; /* "SCMP_CMP_EQ" ... */
} SpecSeccompArg;

typedef struct SpecSeccompSyscall {
        char **names;
        char *action;
        bool has_errno_ret;
        uint32_t errno_ret;
        SpecSeccompArg *args;
        size_t n_args;
} SpecSeccompSyscall;

typedef struct SpecSeccomp {
        char *default_action;
        bool has_default_errno_ret;
        uint32_t default_errno_ret;
        char **architectures;
        char **flags;
        char *listener_path;
        char *listener_metadata;
        SpecSeccompSyscall *syscalls;
        size_t n_syscalls;
} SpecSeccomp;

typedef struct SpecLinux {
        SpecIdMapping *uid_mappings, *gid_mappings;
        size_t n_uid_mappings, n_gid_mappings;
        struct {
                bool has_monotonic, has_boottime;
                int64_t monotonic_secs, boottime_secs;
                uint32_t monotonic_nanosecs, boottime_nanosecs;
        } time_offsets;
        SpecKeyValue *sysctl;
        size_t n_sysctl;
        SpecResources *resources; /* NULL when absent */
        char *cgroups_path;
        SpecNamespace namespaces[_SPEC_NS_MAX];
        SpecDevice *devices;
        size_t n_devices;
        SpecSeccomp *seccomp; /* NULL when absent */
        char *rootfs_propagation;
        char **masked_paths;
        char **readonly_paths;
        char *mount_label;
        struct {
                bool present;
                char *clos_id, *l3_cache_schema, *mem_bw_schema;
                bool enable_cmt, enable_mbm;
        } intel_rdt;
        struct {
                bool present;
                char *domain; /* "LINUX" or "LINUX32" */
                char **flags;
        } personality;
} SpecLinux;

typedef struct Spec {
        char *oci_version;
        char *root_path; /* as written in config.json */
        bool root_readonly;
        SpecMount *mounts;
        size_t n_mounts;
        SpecProcess *process; /* NULL when absent (allowed for create without start) */
        char *hostname;
        char *domainname;
        SpecHookList hooks[_SPEC_HOOK_MAX];
        SpecKeyValue *annotations;
        size_t n_annotations;
        SpecLinux *linux_; /* NULL when absent */

        struct json_object *json; /* the parsed document, kept for state and features */
} Spec;

/*
 * Parses a config.json document. Unknown fields are ignored; a malformed document or a
 * wrong-typed value is refused with an error naming the JSON path, for example
 * "process.user.uid: expected an unsigned 32-bit integer, got string".
 */
int spec_parse(const char *data, size_t len, Spec **ret, BerthError **err);
/* Reads and parses path; every error starts with path ("/b/config.json: process.cwd: ..."), so
 * callers need not add it. */
int spec_load_file(const char *path, Spec **ret, BerthError **err);
void spec_free(Spec *s);
static inline void spec_freep(Spec **s)
{
        if (*s)
                spec_free(*s);
}
#define _cleanup_spec_ _cleanup_(spec_freep)

/* A linux.resources object on its own (`update -r FILE`); errors name "resources.<member>". */
int spec_parse_resources(const char *data, size_t len, SpecResources **ret, BerthError **err);
void spec_resources_free(SpecResources *r);
static inline void spec_resources_freep(SpecResources **r)
{
        if (*r)
                spec_resources_free(*r);
}
#define _cleanup_spec_resources_ _cleanup_(spec_resources_freep)

const char *spec_namespace_name(SpecNamespaceType t);       /* "pid", "network", ... */
int spec_namespace_from_name(const char *name);            /* SpecNamespaceType or -EINVAL */
const char *spec_hook_kind_name(SpecHookKind k);            /* "createRuntime", ... */

/* The default config.json of `berth-runtime spec`, as a JSON string the caller frees. */
char *spec_default_json(bool rootless);
