/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The `vm` isolation tier of berth-runtime: the same OCI command line, each container in its
 * own qemu micro-VM. Chosen per container by the annotation run.berth.isolation=vm, or for
 * every container by invoking the runtime as `berth-vm`. Only create, run, exec and ps differ
 * from process mode; state, start, kill, pause, resume, delete and list work on the VM
 * monitor (vm-monitor.h) as they work on an init. Most VMs are clones of a saved template VM
 * rather than booted (vm-template.h); the annotation run.berth.vm.template=off boots cold.
 */
#pragma once

#include <stdbool.h>

#include "basic/error.h"
#include "runtime/container.h"

#define VM_ANNOTATION "run.berth.isolation"

/* Whether create/run of o goes to a VM: argv0 is berth-vm, or the config's annotation says
 * "vm" (any other value but "process" is refused). */
int vm_wanted(const char *argv0, const CreateOptions *o, bool *ret, BerthError **err);
/* create: boots the VM and sets the container up in it, held before its program. */
int vm_container_create(const CreateOptions *o, BerthError **err);
int vm_container_run(const CreateOptions *o, bool detach, bool keep, int *ret_status,
                     BerthError **err);
/* A container created in VM mode: its state directory has the monitor's vm.sock. */
bool vm_container_is_vm(const Container *c);
/* exec: runs p in the container through the monitor; *ret_status is its exit status (or 0
 * when detached). */
int vm_container_exec(Container *c, const SpecProcess *p, const char *console_socket,
                      bool detach, const char *pid_file, int *ret_status, BerthError **err);
/* events: stats of the VM's cgroup on the host every interval, and an "oom" event for each
 * OOM kill in the guest, until the container stops. */
struct json_object;
int vm_container_events(Container *c, unsigned interval_ms,
                        int (*emit)(struct json_object *e, void *userdata), void *userdata,
                        BerthError **err);
/* update: memory and pids limits in the guest (memory within what the VM booted with), cpu on
 * the host's cgroup; anything else is refused. */
int vm_container_update(Container *c, const SpecResources *res, BerthError **err);
/* ps: the container's pids as the guest numbers them. */
int vm_container_pids(Container *c, char **ret, BerthError **err);
