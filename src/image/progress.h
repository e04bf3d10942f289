/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-item progress of a pull or push: bars redrawn in place on a terminal, one plain line per
 * state change otherwise, nothing when quiet. Safe to call from several threads.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum ProgressMode {
        PROGRESS_NONE,
        PROGRESS_LINES,
        PROGRESS_TTY,
} ProgressMode;

typedef struct Progress Progress;

Progress *progress_new(FILE *f, ProgressMode mode, size_t n_items);
void progress_free(Progress *p);
void progress_label(Progress *p, size_t i, const char *label);
void progress_state(Progress *p, size_t i, const char *state);
void progress_bytes(Progress *p, size_t i, uint64_t done, int64_t total);
/* Final redraw. */
void progress_finish(Progress *p);
