/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VM templating: one VM per shape (qemu, kernel, initramfs with its agent, memory size, vCPUs)
 * is booted until its agent says hello, before any rootfs is mounted, and saved: its RAM in a
 * file (<cache>/template-<key>/mem, the memory backend with share=on) and its device state in
 * a migration stream (state, x-ignore-shared keeps the RAM out of it). Every later VM of that
 * shape maps the file privately (share=off: pages stay shared in the page cache until the
 * guest writes them) and loads the stream instead of booting. The qemu side is QMP on a
 * socket passed to qemu as a chardev.
 */
#pragma once

#include <stdbool.h>

#include "isolation/vm/vm-assets.h"

#define VM_TEMPLATE_MEM "mem"
#define VM_TEMPLATE_STATE "state"
/* Set to "off" in a container's annotations to boot its VM cold. */
#define VM_TEMPLATE_ANNOTATION "run.berth.vm.template"

/* <cache>/template-<key> for this shape (the cache is the kernel's directory): malloc'd. */
char *vm_template_dir(const VmAssets *as, unsigned memory_mib, unsigned vcpus);
/* Takes <dir>.lock (flock, blocking); returns its fd or -errno. */
int vm_template_lock(const char *dir);

/* Keeps at most VM_TEMPLATE_MAX templates in dir's cache directory: the oldest made others
 * go (a running clone keeps its mapping of the unlinked memory file). Best effort. */
#define VM_TEMPLATE_MAX 8
void vm_template_prune(const char *dir);

/* QMP on fd (our end of qemu's control chardev): the greeting and qmp_capabilities. */
int vm_qmp_open(int fd, int timeout_ms);
/* The template VM, booted and its agent ready: stopped, saved into state_fd, told to quit. */
int vm_qmp_save(int fd, int state_fd, int timeout_ms);
/* A clone started with -incoming defer: loads the stream from qemu's own fd number
 * qemu_state_fd, then runs. */
int vm_qmp_load(int fd, int qemu_state_fd, int timeout_ms);
