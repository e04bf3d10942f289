/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basic/macro.h"
#include "image/progress.h"

typedef struct ProgressItem {
        char label[24];
        char state[24];
        uint64_t done;
        int64_t total;
} ProgressItem;

struct Progress {
        FILE *f;
        ProgressMode mode;
        size_t n;
        ProgressItem *items;
        pthread_mutex_t lock;
        bool drawn;
        uint64_t last_draw_ms;
};

static uint64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

Progress *progress_new(FILE *f, ProgressMode mode, size_t n_items)
{
        Progress *p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        p->f = f;
        p->mode = mode;
        p->n = n_items;
        p->items = calloc(n_items + 1, sizeof(ProgressItem));
        if (!p->items) {
                free(p);
                return NULL;
        }
        pthread_mutex_init(&p->lock, NULL);
        return p;
}

void progress_free(Progress *p)
{
        if (!p)
                return;
        pthread_mutex_destroy(&p->lock);
        free(p->items);
        free(p);
}

static void human(uint64_t v, char *buf, size_t size)
{
        if (v >= 1000 * 1000 * 1000)
                snprintf(buf, size, "%.1fGB", (double)v / 1e9);
        else if (v >= 1000 * 1000)
                snprintf(buf, size, "%.1fMB", (double)v / 1e6);
        else if (v >= 1000)
                snprintf(buf, size, "%.1fkB", (double)v / 1e3);
        else
                snprintf(buf, size, "%lluB", (unsigned long long)v);
}

static void draw(Progress *p)
{
        if (p->drawn)
                fprintf(p->f, "\033[%zuA", p->n);
        for (size_t i = 0; i < p->n; i++) {
                ProgressItem *it = &p->items[i];
                char bar[32], a[16], b[16];
                int width = 25, fill = 0;
                if (it->total > 0)
                        fill = (int)((double)it->done / (double)it->total * width);
                fill = MIN(MAX(fill, 0), width);
                memset(bar, '=', (size_t)fill);
                memset(bar + fill, ' ', (size_t)(width - fill));
                if (fill > 0 && fill < width)
                        bar[fill - 1] = '>';
                bar[width] = 0;
                human(it->done, a, sizeof(a));
                human(it->total > 0 ? (uint64_t)it->total : 0, b, sizeof(b));
                fprintf(p->f, "\r\033[K%-14s %-12s [%s] %s/%s\n", it->label, it->state, bar, a,
                        b);
        }
        fflush(p->f);
        p->drawn = true;
        p->last_draw_ms = now_ms();
}

void progress_label(Progress *p, size_t i, const char *label)
{
        if (!p || i >= p->n)
                return;
        pthread_mutex_lock(&p->lock);
        snprintf(p->items[i].label, sizeof(p->items[i].label), "%s", label);
        pthread_mutex_unlock(&p->lock);
}

void progress_state(Progress *p, size_t i, const char *state)
{
        if (!p || i >= p->n || p->mode == PROGRESS_NONE)
                return;
        pthread_mutex_lock(&p->lock);
        snprintf(p->items[i].state, sizeof(p->items[i].state), "%s", state);
        if (p->mode == PROGRESS_LINES) {
                fprintf(p->f, "%s: %s\n", p->items[i].label, state);
                fflush(p->f);
        } else
                draw(p);
        pthread_mutex_unlock(&p->lock);
}

void progress_bytes(Progress *p, size_t i, uint64_t done, int64_t total)
{
        if (!p || i >= p->n || p->mode != PROGRESS_TTY)
                return;
        pthread_mutex_lock(&p->lock);
        p->items[i].done = done;
        p->items[i].total = total;
        if (now_ms() - p->last_draw_ms >= 100)
                draw(p);
        pthread_mutex_unlock(&p->lock);
}

void progress_finish(Progress *p)
{
        if (!p || p->mode != PROGRESS_TTY)
                return;
        pthread_mutex_lock(&p->lock);
        draw(p);
        pthread_mutex_unlock(&p->lock);
}
