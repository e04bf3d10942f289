/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A bounded set of threads working through indices: layers pulled, pushed or unpacked in
 * parallel. */
#pragma once

#include <stddef.h>

#include "basic/error.h"

#define PARALLEL_MAX_THREADS 16

typedef int (*ParallelFn)(void *userdata, size_t i, BerthError **err);

/*
 * Runs fn(userdata, i, err) for every i in [0, n) on up to max_threads threads (in the caller
 * when no thread can be started). After the first failure no new index is handed out; that
 * failure's result and error are what it returns. fn must be safe to call concurrently.
 */
int parallel_for(size_t n, size_t max_threads, ParallelFn fn, void *userdata, BerthError **err);
