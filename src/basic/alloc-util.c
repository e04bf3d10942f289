/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Growing arrays: see alloc-util.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "basic/alloc-util.h"

int alloc_grow(void *array, size_t *alloc, size_t n, size_t size, size_t first)
{
        void **p = array;
        if (n < *alloc)
                return 0;
        size_t a = *alloc ? *alloc * 2 : first;
        if (a <= n || a > SIZE_MAX / size)
                return -ENOMEM;
        void *q = realloc(*p, a * size);
        if (!q)
                return -ENOMEM;
        *p = q;
        *alloc = a;
        return 0;
}
