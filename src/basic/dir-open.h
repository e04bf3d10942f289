/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening directories: a DIR stream over a directory fd, a path made and opened in one step. */
#pragma once

#include <dirent.h>
#include <sys/types.h>

/* A DIR stream reading dfd's entries from the start, on an fd of its own (dfd stays open and
 * usable); NULL with errno set. */
DIR *dir_open_stream(int dfd);
/* Makes path and its parents (mode for the new ones) and opens it as a directory: the fd, or
 * negative errno. */
int dir_create_open(const char *path, mode_t mode);
