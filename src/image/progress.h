/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Progress of a pull or push as events (items, their labels and states, bytes moved, the end)
 * handed to a callback the caller gives in the options: the CLI draws bars or lines from them,
 * an API server can send Docker's progress JSON from the same events. Events of different items
 * may come from several threads at once.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef enum ProgressEventType {
        PROGRESS_EVENT_START,  /* n_items items follow, numbered from 0 */
        PROGRESS_EVENT_LABEL,  /* item's name: text */
        PROGRESS_EVENT_STATE,  /* item's state: text ("Downloading", "Done", ...) */
        PROGRESS_EVENT_BYTES,  /* item moved done of total bytes (total -1: unknown) */
        PROGRESS_EVENT_FINISH, /* no more events */
} ProgressEventType;

typedef struct ProgressEvent {
        ProgressEventType type;
        size_t item;
        size_t n_items;
        const char *text;
        uint64_t done;
        int64_t total;
} ProgressEvent;

typedef void (*ProgressCallback)(void *userdata, const ProgressEvent *ev);

/* Where events go; a zeroed sink (no callback) drops them. */
typedef struct ProgressSink {
        ProgressCallback callback;
        void *userdata;
} ProgressSink;

void progress_start(const ProgressSink *s, size_t n_items);
void progress_label(const ProgressSink *s, size_t item, const char *label);
void progress_state(const ProgressSink *s, size_t item, const char *state);
void progress_bytes(const ProgressSink *s, size_t item, uint64_t done, int64_t total);
void progress_finish(const ProgressSink *s);

/* One item's byte count as a transfer callback (TransferProgress): userdata a ProgressItem. */
typedef struct ProgressItem {
        const ProgressSink *sink;
        size_t item;
} ProgressItem;
void progress_item_bytes(void *userdata, uint64_t done, int64_t total);

typedef struct ImageRecord ImageRecord;
/* Starts rec's layers plus extra more items, each layer labelled with its short digest. */
void progress_start_layers(const ProgressSink *s, const ImageRecord *rec, size_t extra);
