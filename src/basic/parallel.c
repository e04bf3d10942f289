/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one parallel worker loop: layers pulled, pushed and unpacked side by side. */
#include <pthread.h>
#include <stdbool.h>

#include "basic/macro.h"
#include "basic/parallel.h"

typedef struct Work {
        size_t n;
        ParallelFn fn;
        void *userdata;
        pthread_mutex_t lock;
        size_t next;
        int result;
        BerthError *err;
} Work;

static void *worker(void *p)
{
        Work *w = p;

        for (;;) {
                BerthError *err = NULL;
                pthread_mutex_lock(&w->lock);
                size_t i = w->next++;
                bool stop = i >= w->n || w->result < 0;
                pthread_mutex_unlock(&w->lock);
                if (stop)
                        return NULL;
                int r = w->fn(w->userdata, i, &err);
                if (r < 0) {
                        pthread_mutex_lock(&w->lock);
                        if (w->result >= 0) {
                                w->result = r;
                                w->err = TAKE_PTR(err);
                        }
                        pthread_mutex_unlock(&w->lock);
                        berth_error_free(&err);
                }
        }
}

int parallel_for(size_t n, size_t max_threads, ParallelFn fn, void *userdata, BerthError **err)
{
        Work w = { .n = n, .fn = fn, .userdata = userdata, .lock = PTHREAD_MUTEX_INITIALIZER };
        pthread_t threads[PARALLEL_MAX_THREADS];
        size_t want = MIN(n, MIN(max_threads, ELEMENTSOF(threads))), started = 0;

        /* One index (or one thread allowed): no thread to start. */
        for (; want > 1 && started < want; started++)
                if (pthread_create(&threads[started], NULL, worker, &w) != 0)
                        break;
        if (started == 0)
                worker(&w);
        for (size_t i = 0; i < started; i++)
                pthread_join(threads[i], NULL);
        if (w.result < 0) {
                if (err && !*err)
                        *err = TAKE_PTR(w.err);
                berth_error_free(&w.err);
                return w.result;
        }
        return 0;
}
