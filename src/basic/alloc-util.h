/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Growing arrays. */
#pragma once

#include <stddef.h>

/* Makes room in *array (of *alloc elements of size bytes) for one more past n: doubles it,
 * starting at first. Returns 0 or -ENOMEM (the array left as it was). */
int alloc_grow(void *array, size_t *alloc, size_t n, size_t size, size_t first);
