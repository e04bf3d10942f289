/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-item progress of a pull or push drawn from the library's events: bars redrawn in place on
 * a terminal, one plain line per state change otherwise, nothing when quiet. Safe to call from
 * several threads.
 */
#pragma once

#include <stdio.h>

#include "image/progress.h"

typedef enum ProgressMode {
        PROGRESS_NONE,
        PROGRESS_LINES,
        PROGRESS_TTY,
} ProgressMode;

typedef struct ProgressRender ProgressRender;

ProgressRender *progress_render_new(FILE *f, ProgressMode mode);
void progress_render_free(ProgressRender *p);
static inline void progress_render_freep(ProgressRender **p)
{
        progress_render_free(*p);
}
#define _cleanup_progress_render_ __attribute__((cleanup(progress_render_freep)))

/* The ProgressCallback; userdata is the ProgressRender. */
void progress_render_event(void *userdata, const ProgressEvent *ev);
