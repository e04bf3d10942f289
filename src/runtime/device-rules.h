/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device cgroup rules a container gets: its config's, then the devices every container
 * needs (as runc allows them). A node of linux.devices gets no rule of its own: the config's
 * rules decide its access, as in runc, so `--device X:Y:r` stays read-only. */
#pragma once

#include "spec/runtime-spec.h"

/* Fills *copy with res (may be NULL) whose device list is extended; *ret_rules must be freed
 * with free() (the strings in it are not owned). Returns -ENOMEM or 0. */
int device_rules_effective(const Spec *spec, SpecResources *copy, SpecDeviceCgroup **ret_rules);
