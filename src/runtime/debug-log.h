/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What `--debug` shows of the decisions create and exec take from the config, as runc logs
 * its steps: the namespaces made or joined, the rootfs and its mounts, how the program is
 * executed. Nothing is computed when debug logging is off. */
#pragma once

#include <stdbool.h>

#include "spec/runtime-spec.h"

void debug_log_create(const char *id, const Spec *spec, const char *rootfs, bool no_pivot,
                      bool intermediate);
void debug_log_process(const char *verb, const char *id, const SpecProcess *p, bool exec_stub);
