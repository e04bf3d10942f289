/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The reader of line-reader.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/line-reader.h"

/* More rotated files than a writer keeps are not looked for. */
#define ROTATED_MAX 100
#define CHUNK (64 * 1024)

struct LineReader {
        char *path;
        size_t max_line;
        char **queue;           /* rotated files still to read, oldest first */
        size_t n_queue, next;
        int fd;
        bool current;           /* fd is (or was, until a rotation) path itself */
        dev_t dev;
        ino_t ino;
        off_t offset;
        char *buf;              /* a line being gathered */
        size_t have;
        bool skipping;          /* the rest of a line that was too long */
};

int line_reader_open(const char *path, size_t max_line, LineReader **ret)
{
        _cleanup_(line_reader_freep) LineReader *r = calloc(1, sizeof(*r));
        struct stat st;

        if (!r)
                return -ENOMEM;
        r->fd = -1;
        r->max_line = max_line;
        r->path = strdup(path);
        r->buf = malloc(max_line + 1);
        if (!r->path || !r->buf)
                return -ENOMEM;
        size_t n = 0;
        while (n < ROTATED_MAX) {
                char *p;
                if (asprintf(&p, "%s.%zu", path, n + 1) < 0)
                        return -ENOMEM;
                bool there = stat(p, &st) == 0 && S_ISREG(st.st_mode);
                free(p);
                if (!there)
                        break;
                n++;
        }
        r->queue = calloc(n + 1, sizeof(char *));
        if (!r->queue)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (asprintf(&r->queue[i], "%s.%zu", path, n - i) < 0)
                        return -ENOMEM;
        r->n_queue = n;
        *ret = TAKE_PTR(r);
        return 0;
}

void line_reader_free(LineReader *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n_queue; i++)
                free(r->queue[i]);
        free(r->queue);
        safe_close(r->fd);
        free(r->path);
        free(r->buf);
        free(r);
}

static int file_open(LineReader *r, const char *path, bool current)
{
        struct stat st;
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                safe_close(fd);
                return -EINVAL;
        }
        safe_close(r->fd);
        r->fd = fd;
        r->current = current;
        r->dev = st.st_dev;
        r->ino = st.st_ino;
        r->offset = 0;
        r->have = 0;
        r->skipping = false;
        return 0;
}

/* Splits data into lines for f. */
static int feed(LineReader *r, const char *data, size_t n, LineReaderFunc f, void *userdata,
                size_t *lines)
{
        while (n > 0) {
                const char *nl = memchr(data, '\n', n);
                size_t take = nl ? (size_t)(nl - data) : n;

                if (!r->skipping) {
                        if (r->have + take > r->max_line) {
                                r->skipping = true;
                                r->have = 0;
                        } else {
                                memcpy(r->buf + r->have, data, take);
                                r->have += take;
                        }
                }
                if (!nl)
                        return 0;
                data += take + 1;
                n -= take + 1;
                if (r->skipping) {
                        r->skipping = false;
                        continue;
                }
                r->buf[r->have] = 0;
                size_t len = r->have;
                r->have = 0;
                (*lines)++;
                int k = f(r->buf, len, userdata);
                if (k != 0)
                        return k;
        }
        return 0;
}

/* Whether path is no longer the file r->fd reads (a rotation), or shrank (a truncation). */
static int rotated(LineReader *r, bool *ret_truncated)
{
        struct stat st, own;

        *ret_truncated = false;
        if (stat(r->path, &st) < 0)
                return 0; /* renamed away, none there yet: wait for it */
        if (st.st_dev != r->dev || st.st_ino != r->ino)
                return 1;
        if (fstat(r->fd, &own) == 0 && own.st_size < r->offset)
                *ret_truncated = true;
        return 0;
}

int line_reader_read(LineReader *r, LineReaderFunc f, void *userdata, size_t *ret_lines)
{
        _cleanup_free_ char *chunk = malloc(CHUNK);
        size_t lines = 0;
        int k;

        if (ret_lines)
                *ret_lines = 0;
        if (!chunk)
                return -ENOMEM;
        for (;;) {
                if (r->fd < 0) {
                        if (r->next < r->n_queue) {
                                k = file_open(r, r->queue[r->next++], false);
                                if (k < 0)
                                        continue; /* rotated away meanwhile */
                        } else {
                                k = file_open(r, r->path, true);
                                if (k == -ENOENT)
                                        break;
                                if (k < 0)
                                        return k;
                        }
                }
                ssize_t n = read(r->fd, chunk, CHUNK);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno != EAGAIN)
                        return -errno;
                if (n > 0) {
                        r->offset += n;
                        k = feed(r, chunk, (size_t)n, f, userdata, &lines);
                        if (k != 0) {
                                if (ret_lines)
                                        *ret_lines = lines;
                                return k < 0 ? k : 1;
                        }
                        continue;
                }
                /* The end of this file. */
                if (!r->current) {
                        r->fd = safe_close(r->fd); /* a rotated file: on to the next */
                        continue;
                }
                bool truncated;
                if (rotated(r, &truncated)) {
                        r->fd = safe_close(r->fd);
                        continue;
                }
                if (truncated) {
                        (void)lseek(r->fd, 0, SEEK_SET);
                        r->offset = 0;
                        r->have = 0;
                        r->skipping = false;
                        continue;
                }
                break;
        }
        if (ret_lines)
                *ret_lines = lines;
        return 0;
}

struct json_object *line_reader_parse_object(const char *line, size_t n)
{
        struct json_tokener *tok;
        struct json_object *root;
        size_t end;

        if (n > INT_MAX || !(tok = json_tokener_new()))
                return NULL;
        root = json_tokener_parse_ex(tok, line, (int)n);
        end = json_tokener_get_error(tok) == json_tokener_success
                      ? json_tokener_get_parse_end(tok)
                      : 0;
        json_tokener_free(tok);
        while (end > 0 && end < n && (line[end] == ' ' || line[end] == '\t' || line[end] == '\r'))
                end++;
        if (end != n || !json_object_is_type(root, json_type_object)) {
                json_object_put(root);
                return NULL;
        }
        return root;
}
