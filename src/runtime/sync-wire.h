/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bytes of one sync message ahead of its text, shared by sync.c and the freestanding exec
 * stub (which includes nothing else of ours).
 */
#pragma once

#include <stdint.h>

typedef struct SyncWire {
        uint32_t type;
        int32_t value;
} SyncWire;

/* exec stub -> runtime: value = errno of the container program's execve(), text = its path.
 * Numbered apart from the SyncType enum so the stub needs no more than this header. */
#define SYNC_EXEC_FAILED 100
