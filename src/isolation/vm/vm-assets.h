/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a VM boots from: qemu, the guest kernel and an initramfs holding berth-vm-agent and the
 * modules it loads. Chosen from /etc/berth/vm.conf ("key=value" lines: qemu, kernel, modules,
 * agent, cache) or found on the host: qemu-system-x86_64 in the search path, the newest /boot/vmlinuz-*,
 * its /lib/modules, the agent beside the runtime. The kernel is booted as an uncompressed ELF
 * through PVH when it can be extracted (TCG spends seconds decompressing a bzImage otherwise),
 * and both it and the initramfs are cached under the cache directory, keyed by their inputs.
 */
#pragma once

#include "basic/error.h"

#define VM_CONFIG_FILE "/etc/berth/vm.conf"
#define VM_CACHE_DIR "/var/cache/berth/vm"

typedef struct VmAssets {
        char *qemu;
        char *kernel; /* what -kernel gets */
        char *initrd;
        char *tsc_khz; /* the host TSC frequency for the guest's command line, or NULL */
} VmAssets;

/* Where qemu is looked for when vm.conf names none: the directories of a root's PATH (the
 * library reads no environment). */
#define VM_QEMU_SEARCH_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* search_path: ':'-separated directories where qemu is looked for (VM_QEMU_SEARCH_PATH). */
int vm_assets_get(const char *search_path, VmAssets *ret, BerthError **err);
void vm_assets_done(VmAssets *a);
