/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The progress callback of pull and push: bars on a terminal, lines otherwise, or nothing. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basic/macro.h"
#include "cmd/berth/progress-render.h"

typedef struct RenderItem {
        char label[24];
        char state[24];
        uint64_t done;
        int64_t total;
} RenderItem;

struct ProgressRender {
        FILE *f;
        ProgressMode mode;
        size_t n;
        RenderItem *items;
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

ProgressRender *progress_render_new(FILE *f, ProgressMode mode)
{
        ProgressRender *p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        p->f = f;
        p->mode = mode;
        pthread_mutex_init(&p->lock, NULL);
        return p;
}

void progress_render_free(ProgressRender *p)
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

static void draw(ProgressRender *p)
{
        if (p->drawn)
                fprintf(p->f, "\033[%zuA", p->n);
        for (size_t i = 0; i < p->n; i++) {
                RenderItem *it = &p->items[i];
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

static void on_label(ProgressRender *p, size_t i, const char *label)
{
        if (i >= p->n)
                return;
        snprintf(p->items[i].label, sizeof(p->items[i].label), "%s", label);
}

static void on_state(ProgressRender *p, size_t i, const char *state)
{
        if (i >= p->n || p->mode == PROGRESS_NONE)
                return;
        snprintf(p->items[i].state, sizeof(p->items[i].state), "%s", state);
        if (p->mode == PROGRESS_LINES) {
                fprintf(p->f, "%s: %s\n", p->items[i].label, state);
                fflush(p->f);
        } else
                draw(p);
}

static void on_bytes(ProgressRender *p, size_t i, uint64_t done, int64_t total)
{
        if (i >= p->n || p->mode != PROGRESS_TTY)
                return;
        p->items[i].done = done;
        p->items[i].total = total;
        if (now_ms() - p->last_draw_ms >= 100)
                draw(p);
}

void progress_render_event(void *userdata, const ProgressEvent *ev)
{
        ProgressRender *p = userdata;

        if (!p || p->mode == PROGRESS_NONE)
                return;
        /* Bytes come often and matter only to the bars: drop them before taking the lock. */
        if (ev->type == PROGRESS_EVENT_BYTES && p->mode != PROGRESS_TTY)
                return;
        pthread_mutex_lock(&p->lock);
        switch (ev->type) {
        case PROGRESS_EVENT_START:
                free(p->items);
                p->items = calloc(ev->n_items + 1, sizeof(RenderItem));
                p->n = p->items ? ev->n_items : 0;
                p->drawn = false;
                break;
        case PROGRESS_EVENT_LABEL:
                on_label(p, ev->item, ev->text);
                break;
        case PROGRESS_EVENT_STATE:
                on_state(p, ev->item, ev->text);
                break;
        case PROGRESS_EVENT_BYTES:
                on_bytes(p, ev->item, ev->done, ev->total);
                break;
        case PROGRESS_EVENT_FINISH:
                if (p->mode == PROGRESS_TTY)
                        draw(p);
                break;
        }
        pthread_mutex_unlock(&p->lock);
}
