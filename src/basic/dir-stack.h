/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Depth-first walks of directory trees without recursion: the stack of directories being
 * walked lives on the heap, and only the current directory is open. Going up opens ".." and
 * checks that it is the directory we came from, so a tree as deep as its file system allows
 * costs neither C stack nor one fd per level (a 2000-level chain would need either).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

typedef struct DirFrame {
        char **names; /* the directory's entries, sorted, without "." and ".." */
        size_t n_names, next;
        struct stat st; /* of the directory itself */
        char *name; /* its name in its parent; NULL for the top */
} DirFrame;

typedef struct DirStack {
        DirFrame *frames;
        size_t depth, alloc;
} DirStack;

/* The entries of directory fd (which stays open), sorted; *ret_n their number. */
int dir_stack_read_names(int fd, char ***ret, size_t *ret_n);

/* Pushes directory fd, entered as name (NULL for the top), reading its entries when
 * read_names. */
int dir_stack_push(DirStack *s, int fd, const char *name, bool read_names);
/* The next entry of the top directory, NULL when it has no more. */
const char *dir_stack_next(DirStack *s);
static inline DirFrame *dir_stack_top(DirStack *s)
{
        return s->depth ? &s->frames[s->depth - 1] : NULL;
}
/* Pops the top directory, whose fd is *fd: *fd becomes the directory below, opened through
 * ".." and checked to be the one pushed there (-ESTALE when it moved). The old *fd is closed;
 * on failure *fd is left alone. Not for the last frame. */
int dir_stack_pop(DirStack *s, int *fd);
/* Opens directory name in *fd (not following a symlink) and pushes it, reading its entries:
 * *fd becomes it and the old *fd is closed. On failure *fd is left alone. */
int dir_stack_enter(DirStack *s, int *fd, const char *name);
void dir_stack_done(DirStack *s);
