/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/alloc-util.h"
#include "basic/dir-fd.h"
#include "basic/dir-stack.h"
#include "basic/macro.h"

static int cmp_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

int dir_stack_read_names(int fd, char ***ret, size_t *ret_n)
{
        _cleanup_closedir_ DIR *d = NULL;
        char **names = NULL;
        size_t n = 0, alloc = 0;
        struct dirent *de;
        int r = dir_fd_opendir(fd, &d);

        if (r < 0)
                return r;
        for (;;) {
                errno = 0;
                de = readdir(d);
                if (!de) {
                        if (errno != 0) {
                                r = -errno;
                                free_names(names, n);
                                return r;
                        }
                        break;
                }
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (alloc_grow(&names, &alloc, n, sizeof(char *), 16) < 0 ||
                    !(names[n] = strdup(de->d_name))) {
                        free_names(names, n);
                        return -ENOMEM;
                }
                n++;
        }
        if (n > 1)
                qsort(names, n, sizeof(char *), cmp_names);
        *ret = names;
        *ret_n = n;
        return 0;
}

int dir_stack_push(DirStack *s, int fd, const char *name, bool read_names)
{
        DirFrame f = {};
        int r;

        if (fstat(fd, &f.st) < 0)
                return -errno;
        if (alloc_grow(&s->frames, &s->alloc, s->depth, sizeof(DirFrame), 16) < 0)
                return -ENOMEM;
        if (name) {
                f.name = strdup(name);
                if (!f.name)
                        return -ENOMEM;
        }
        if (read_names) {
                r = dir_stack_read_names(fd, &f.names, &f.n_names);
                if (r < 0) {
                        free(f.name);
                        return r;
                }
        }
        s->frames[s->depth++] = f;
        return 0;
}

const char *dir_stack_next(DirStack *s)
{
        DirFrame *f = dir_stack_top(s);
        return f && f->next < f->n_names ? f->names[f->next++] : NULL;
}

static void frame_free(DirFrame *f)
{
        free_names(f->names, f->n_names);
        free(f->name);
}

int dir_stack_pop(DirStack *s, int *fd)
{
        struct stat st;
        int up;

        if (s->depth < 2)
                return -EINVAL;
        up = dir_fd_open_at(*fd, "..", 0);
        if (up < 0)
                return up;
        if (fstat(up, &st) < 0) {
                safe_close(up);
                return -errno;
        }
        if (st.st_dev != s->frames[s->depth - 2].st.st_dev ||
            st.st_ino != s->frames[s->depth - 2].st.st_ino) {
                safe_close(up);
                return -ESTALE;
        }
        frame_free(&s->frames[--s->depth]);
        safe_close(*fd);
        *fd = up;
        return 0;
}

int dir_stack_enter(DirStack *s, int *fd, const char *name)
{
        int sub = dir_fd_open_at(*fd, name, O_NOFOLLOW);
        if (sub < 0)
                return sub;
        int r = dir_stack_push(s, sub, name, true);
        if (r < 0) {
                safe_close(sub);
                return r;
        }
        safe_close(*fd);
        *fd = sub;
        return 0;
}

void dir_stack_done(DirStack *s)
{
        for (size_t i = 0; i < s->depth; i++)
                frame_free(&s->frames[i]);
        free(s->frames);
        *s = (DirStack){};
}
