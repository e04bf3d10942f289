/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the cgroup drivers share: the hierarchies a cgroup lives on, the file helpers that
 * turn a failed write into an error naming controller, file and value, and each driver's
 * entry points. Only files under src/runtime/cgroup/ include this.
 */
#pragma once

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/cgroup/cgroup.h"

/* The default cgroupsPath when config.json has none: "/berth/<id>". */
#define CGROUP_DEFAULT_PARENT "/berth"
#define CGROUP_SYSFS "/sys/fs/cgroup"

/* One mounted hierarchy: a v1 controller mount (possibly co-mounted) or the cgroup2 mount. */
typedef struct CgroupHierarchy {
        char *mount;        /* "/sys/fs/cgroup/memory", "/sys/fs/cgroup/unified" */
        char **controllers; /* v1: from the super options; v2: cgroup.controllers of the root */
        char *name;         /* v1 named hierarchy ("systemd"), else NULL */
        bool unified;
        /* Filled for a Cgroup: */
        char *rel;          /* the cgroup below the mount, "/berth/c1" */
        char *dir;          /* mount + rel */
        unsigned created;   /* trailing components of rel this cgroup created (0 after open) */
} CgroupHierarchy;

typedef struct CgroupHierarchies {
        CgroupLayout layout;
        CgroupHierarchy *h;
        size_t n;
} CgroupHierarchies;

struct Cgroup {
        CgroupLayout layout;
        char *path; /* the cgroup as given/resolved, "/berth/c1" */
        CgroupHierarchy *h;
        size_t n;
};

/* cgroup-layout.c */
int cgroup_hierarchies_detect(CgroupHierarchies *ret);
void cgroup_hierarchies_clear(CgroupHierarchies *hs);
void cgroup_hierarchy_clear(CgroupHierarchy *h);
const char *cgroup_layout_name(CgroupLayout l);
/* The hierarchy that holds controller (v1 first, then the unified one), or NULL. */
CgroupHierarchy *cgroup_find(Cgroup *cg, const char *controller);
CgroupHierarchy *cgroup_unified(Cgroup *cg);
bool cgroup_hierarchy_has(const CgroupHierarchy *h, const char *controller);
/* "unified", the v1 name ("systemd") or first controller: how errors name a hierarchy. */
const char *cgroup_hierarchy_label(const CgroupHierarchy *h);

/* cgroup-v1-rt.c: raises the parents this cgroup made (and /berth) so that it can get
 * runtime/period of realtime time (period 0: its current one). */
int cgroup_v1_rt_make_room(Cgroup *cg, CgroupHierarchy *h, int64_t runtime, uint64_t period,
                           BerthError **err);
/* Gives a cgroup's realtime time back before it is removed. */
void cgroup_v1_rt_release(CgroupHierarchy *h);

/* cgroup-path.c: the path below each hierarchy for a cgroupsPath, per hierarchy. */
int cgroup_resolve_path(const char *id, const char *cgroups_path, bool systemd, char **ret,
                        BerthError **err);
/* The caller's own cgroup on hierarchy h, from /proc/self/cgroup ("/" when not found). */
int cgroup_self_path(const CgroupHierarchy *h, char **ret);
/* The cgroup on h named in content, a /proc/<pid>/cgroup text; -ENOENT when none is. */
int cgroup_proc_path(const char *content, const CgroupHierarchy *h, char **ret);
int cgroup_path_join(const char *a, const char *b, char **ret);
/* One level down a relative path: skips the slashes at *p; at its end returns 0, else replaces
 * *dir with *dir/<the next component>, moves *p past that and returns 1 (-ENOMEM). */
int cgroup_path_descend(char **dir, const char **p);

/* cgroup-systemd.c */
int cgroup_systemd_check(const char *cgroups_path, BerthError **err);
bool cgroup_systemd_running(void);

/* cgroup-fs.c: reads and writes in one hierarchy's directory of the cgroup. */
bool cgroup_file_exists(const CgroupHierarchy *h, const char *file);
int cgroup_read(const CgroupHierarchy *h, const char *file, char **ret);
int cgroup_read_u64(const CgroupHierarchy *h, const char *file, uint64_t *ret);
/* Reads "key value" lines (memory.stat, cpu.stat, memory.events). -ENOENT if key is absent. */
int cgroup_read_keyed(const CgroupHierarchy *h, const char *file, const char *key, uint64_t *ret);
/* Writes value to file; on failure sets err to
 * `cgroup <controller>: write "<value>" to <file> of <path>: <strerror>`. */
int cgroup_write(Cgroup *cg, const CgroupHierarchy *h, const char *controller, const char *file,
                 const char *value, BerthError **err);
/* cgroup_write() through *fd, opened on first use and left open for the next value (the
 * caller closes it): for files that take one record per write(), like devices.allow. */
int cgroup_write_keep(Cgroup *cg, const CgroupHierarchy *h, const char *controller,
                      const char *file, int *fd, const char *value, BerthError **err);
int cgroup_writef(Cgroup *cg, const CgroupHierarchy *h, const char *controller, const char *file,
                  BerthError **err, const char *fmt, ...) _printf_(6, 7);
/* -ENOENT error for a knob the host lacks: names controller, file and the value wanted. */
int cgroup_missing(Cgroup *cg, const char *controller, const char *file, const char *value,
                   BerthError **err);
int cgroup_read_pids(const CgroupHierarchy *h, pid_t **ret, size_t *ret_n);

/* cgroup-resources.c: v1 values onto v2 files, as runc and crun document them. */
uint64_t cgroup_shares_to_weight(uint64_t shares);
uint64_t cgroup_blkio_weight_to_io_weight(uint64_t weight);
/* memory.swap.max from the spec's memory+swap total; -1 means "max". Returns 1 to write *ret,
 * 0 to leave swap alone, -EINVAL without a memory limit, -ERANGE when swap < limit. */
int cgroup_swap_to_v2(int64_t swap, int64_t limit, int64_t *ret);
/* "max" for negative values, else the number. buf of at least 24 bytes. */
const char *cgroup_fmt_max(int64_t v, char *buf, size_t size);
/* The controllers whose files v1 and v2 share (hugetlb's limit file aside, which h tells). */
int cgroup_cpuset(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err);
int cgroup_pids(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err);
int cgroup_hugetlb(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err);

/* cgroup-v1.c / cgroup-v2.c: one function per controller; update says it is `update`. */
int cgroup_v1_memory(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, bool update,
                     BerthError **err);
int cgroup_v1_cpu(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err);
int cgroup_v1_blkio(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err);
int cgroup_v1_devices(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err);
int cgroup_v1_rdma(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err);
int cgroup_v1_net_cls(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err);
int cgroup_v1_net_prio(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err);
/* v1 cpuset: a new child has empty cpus/mems; copy the parent's down every created level. */
int cgroup_v1_cpuset_init(CgroupHierarchy *h);
int cgroup_v1_freeze(Cgroup *cg, CgroupHierarchy *h, bool frozen, BerthError **err);
int cgroup_v1_is_frozen(CgroupHierarchy *h, bool *ret);

int cgroup_v2_memory(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, bool update,
                     BerthError **err);
int cgroup_v2_cpu(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err);
int cgroup_v2_io(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err);
int cgroup_v2_rdma(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err);
int cgroup_v2_unified(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err);
/* Enables every available controller in cgroup.subtree_control from the root down to the
 * parent of the cgroup, so the cgroup gets the controllers' files. */
int cgroup_v2_enable_controllers(CgroupHierarchy *h);
int cgroup_v2_freeze(Cgroup *cg, CgroupHierarchy *h, bool frozen, BerthError **err);
int cgroup_v2_is_frozen(CgroupHierarchy *h, bool *ret);

/* cgroup-devices-bpf.c */
struct bpf_insn;
/* The BPF_CGROUP_DEVICE program for the rules, as instructions (for tests and for loading). */
int cgroup_bpf_devices_program(const SpecDeviceCgroup *rules, size_t n_rules,
                               struct bpf_insn **ret, size_t *ret_n);
int cgroup_bpf_devices(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err);

/* cgroup-apply.c: every resource onto the hierarchy that holds its controller. */
int cgroup_apply(Cgroup *cg, const SpecResources *r, bool update, BerthError **err);

