/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>

#include "basic/macro.h"
#include "image/libarchive-dl.h"

#define LIBARCHIVE_DEFINE(name) typeof(name) *sym_##name;
LIBARCHIVE_SYMBOLS(LIBARCHIVE_DEFINE)
#undef LIBARCHIVE_DEFINE

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const char *load_error; /* what went wrong, or NULL */

static void load(void)
{
        /* Never closed: the process keeps it once it read or wrote a tar. */
        void *h = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);

        if (!h) {
                load_error = dlerror();
                return;
        }
        /* POSIX: a data pointer from dlsym() may be converted to a function pointer. */
#define LIBARCHIVE_LOOKUP(name)                                 \
        sym_##name = (typeof(name) *)dlsym(h, #name);           \
        if (!sym_##name) {                                      \
                load_error = #name;                             \
                return;                                         \
        }
        LIBARCHIVE_SYMBOLS(LIBARCHIVE_LOOKUP)
#undef LIBARCHIVE_LOOKUP
}

int libarchive_load(BerthError **err)
{
        pthread_once(&load_once, load);
        if (load_error)
                return berth_error_plain(err, ELIBACC, "load libarchive.so.13: %s", load_error);
        return 0;
}
