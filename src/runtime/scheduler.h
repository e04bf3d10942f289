/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* process.scheduler, process.ioPriority and process.execCPUAffinity. */
#pragma once

#include "basic/error.h"
#include "spec/runtime-spec.h"

/* Applies scheduler and I/O priority to the calling process (in the container, before exec). */
int scheduler_apply(const SpecProcess *p, BerthError **err);
/* Pins the calling process to the CPUs of a list like "0-3,7"; what names the field. */
int scheduler_set_affinity(const char *cpus, const char *what, BerthError **err);
