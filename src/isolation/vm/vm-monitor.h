/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The VM monitor: the host process that stands for a VM container's init. It is the pid in
 * state.json and behaves as the init would towards everything that only knows pids and files:
 * it owns <state>/exec.sock (so `start` works unchanged), forwards every signal it gets to the
 * container's process in the guest, relays the container's stdio, and exits with the
 * container's exit status (killed by the same signal when it was killed), so conmon, ctr and
 * `run` see a process exit as with process mode. qemu is its child and dies with it. exec and
 * ps reach it on <state>/vm.sock (vm-exec.c).
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "spec/runtime-spec.h"
#include "isolation/vm/vm-assets.h"
#include "isolation/vm/vm-proto.h"

#define VM_CONTROL_SOCKET "vm.sock"
#define VM_CONSOLE_LOG "console.log"
#define VM_OOM_FILE "oom" /* how many OOM kills the guest reported */
#define VM_TEMPLATE_LOG "vm-template.log" /* why the VM booted cold instead of from its template */
/* The guest kernel and agent, beside the container's memory limit, in the VM's memory. */
#define VM_MEMORY_OVERHEAD_MIB 128

typedef struct VmMonitorArgs {
        const char *id;
        int state_dirfd;           /* <root>/<id> */
        const char *rootfs;        /* absolute, on the host */
        char **shares;             /* host paths, shared as 9p tags m0, m1, ... */
        bool *shares_ro;
        const VmAssets *assets;
        const VmKv *create;        /* the VM_CREATE payload */
        unsigned memory_mib, vcpus;
        const char *template_dir;  /* vm-template.h; NULL: a cold boot */
        bool terminal;
        const char *console_socket; /* with terminal: the pty master goes there */
        int report_fd;             /* to create: "ok <guest pid>" or an error text, then EOF */
        int go_fd;                 /* from create: a byte once the monitor is in the cgroup */
        pid_t parent;              /* create: while it lives, the monitor may go on */
} VmMonitorArgs;

_Noreturn void vm_monitor_main(const VmMonitorArgs *a);

/* Control requests on vm.sock: one SOCK_SEQPACKET message "E" + kv (exec; with 3 fds: stdin,
 * stdout, stderr), "P" (ps) or "U" + kv (update: "memory", "pids"); replies "S <pid>" (started,
 * or updated), "E <errno> <text>" (failed), "X <wait status>" (exited), "R <pids>" (ps). */
#define VM_REQ_MAX (256 * 1024)

/* vm-create.c: the kv description of a process (VM_CREATE's and VM_EXEC's common part). */
int vm_plan_process(VmKv *kv, const SpecProcess *p);
/* The container's seccomp filter, compiled, for VM_CREATE and VM_EXEC alike. */
int vm_plan_seccomp(VmKv *kv, const Spec *s, BerthError **err);
