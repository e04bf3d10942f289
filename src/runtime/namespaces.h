/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Namespaces of linux.namespaces: clone flags, joining by path, id maps and time offsets. */
#pragma once

#include <sys/types.h>

#include "basic/error.h"
#include "spec/runtime-spec.h"

int namespaces_clone_flag(SpecNamespaceType t);
/* The CLONE_NEW* flags of the namespaces the config asks to create (not join). */
unsigned long namespaces_new_flags(const SpecLinux *l);
/* Whether the namespaces must be joined by an intermediate process before the init is cloned:
 * joining pid or user, or creating a user namespace while joining others. */
bool namespaces_need_intermediate(const SpecLinux *l);
/* setns() into each namespace of `types` that the config joins by path. */
int namespaces_join(const SpecLinux *l, const SpecNamespaceType *types, size_t n, BerthError **err);
/* Writes uid_map and gid_map of pid from linux.uidMappings/gidMappings. */
int namespaces_write_id_maps(pid_t pid, const SpecLinux *l, BerthError **err);
/* The same through fds of the init's uid_map, gid_map and setgroups that the init opened
 * itself, for a runtime without CAP_SETUID (rootless): the kernel checks the opener, whose
 * own id may be mapped, and the init is non-dumpable, so its /proc files are root's. Writes
 * "deny" to setgroups first, as an unprivileged gid_map needs. */
int namespaces_write_id_maps_fds(const int fds[3], const SpecLinux *l, BerthError **err);
/* An fd of a new user namespace with these mappings, for an idmapped mount
 * (MOUNT_ATTR_IDMAP); what names the config field in errors ("mounts[2]"). */
int namespaces_userns_fd(const SpecIdMapping *uids, size_t n_uids, const SpecIdMapping *gids,
                         size_t n_gids, const char *what, int *ret, BerthError **err);
/* Creates a time namespace with linux.timeOffsets and enters it. */
int namespaces_enter_new_time(const SpecLinux *l, BerthError **err);
