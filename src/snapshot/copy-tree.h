/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copies a directory tree with owners, modes, times, xattrs, devices and hardlinks kept. */
#pragma once

/* Copies the contents of src_fd into dst_fd (an existing directory). */
int copy_tree(int src_fd, int dst_fd);
