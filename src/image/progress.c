/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Progress events handed to the caller's callback (see progress.h). */
#include <stdio.h>

#include "content/digest.h"
#include "image/image-store.h"
#include "image/progress.h"

static void emit(const ProgressSink *s, const ProgressEvent *ev)
{
        if (s && s->callback)
                s->callback(s->userdata, ev);
}

void progress_start(const ProgressSink *s, size_t n_items)
{
        emit(s, &(ProgressEvent){ .type = PROGRESS_EVENT_START, .n_items = n_items });
}

void progress_label(const ProgressSink *s, size_t item, const char *label)
{
        emit(s, &(ProgressEvent){ .type = PROGRESS_EVENT_LABEL, .item = item, .text = label });
}

void progress_state(const ProgressSink *s, size_t item, const char *state)
{
        emit(s, &(ProgressEvent){ .type = PROGRESS_EVENT_STATE, .item = item, .text = state });
}

void progress_bytes(const ProgressSink *s, size_t item, uint64_t done, int64_t total)
{
        emit(s, &(ProgressEvent){ .type = PROGRESS_EVENT_BYTES,
                                  .item = item,
                                  .done = done,
                                  .total = total });
}

void progress_finish(const ProgressSink *s)
{
        emit(s, &(ProgressEvent){ .type = PROGRESS_EVENT_FINISH });
}

void progress_item_bytes(void *userdata, uint64_t done, int64_t total)
{
        const ProgressItem *it = userdata;

        progress_bytes(it->sink, it->item, done, total);
}

void progress_start_layers(const ProgressSink *s, const ImageRecord *rec, size_t extra)
{
        progress_start(s, rec->n_layers + extra);
        for (size_t i = 0; i < rec->n_layers; i++) {
                char label[24];
                snprintf(label, sizeof(label), "%.12s", digest_hex(rec->layers[i].digest));
                progress_label(s, i, label);
        }
}
