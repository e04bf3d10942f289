/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>

#include "basic/macro.h"
#include "image/curl-dl.h"

RegistryCurl registry_curl;

static const struct {
        const char *symbol;
        size_t offset;
} symbols[] = {
        { "curl_global_init", offsetof(RegistryCurl, global_init) },
        { "curl_easy_init", offsetof(RegistryCurl, easy_init) },
        { "curl_easy_setopt", offsetof(RegistryCurl, easy_setopt) },
        { "curl_easy_perform", offsetof(RegistryCurl, easy_perform) },
        { "curl_easy_getinfo", offsetof(RegistryCurl, easy_getinfo) },
        { "curl_easy_cleanup", offsetof(RegistryCurl, easy_cleanup) },
        { "curl_easy_strerror", offsetof(RegistryCurl, easy_strerror) },
        { "curl_easy_escape", offsetof(RegistryCurl, easy_escape) },
        { "curl_free", offsetof(RegistryCurl, free) },
        { "curl_slist_append", offsetof(RegistryCurl, slist_append) },
        { "curl_slist_free_all", offsetof(RegistryCurl, slist_free_all) },
};

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const char *load_error; /* what went wrong, or NULL */

static void load(void)
{
        /* Never closed: the process keeps it once it talked to a registry. */
        void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);

        if (!h) {
                load_error = dlerror();
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(symbols); i++) {
                void *f = dlsym(h, symbols[i].symbol);
                if (!f) {
                        load_error = symbols[i].symbol;
                        return;
                }
                /* POSIX: a data pointer from dlsym() may be converted to a function pointer. */
                *(void **)((char *)&registry_curl + symbols[i].offset) = f;
        }
        if (registry_curl.global_init(CURL_GLOBAL_ALL) != CURLE_OK)
                load_error = "curl_global_init";
}

int registry_curl_load(BerthError **err)
{
        pthread_once(&load_once, load);
        if (load_error)
                return berth_error_plain(err, ELIBACC, "load libcurl.so.4: %s", load_error);
        return 0;
}
