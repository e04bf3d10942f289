/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcurl, loaded with dlopen() the first time a registry is opened. Linked directly, its
 * dependencies (gnutls, krb5, ldap, ssh2, ...) cost every berth command ~20 ms of loading and
 * initialisation, also the ones that never talk to a registry (run, ps, stop). The calls go
 * through registry_curl.<name>, with curl.h's own types.
 */
#pragma once

#include <curl/curl.h>

#include "basic/error.h"

typedef struct RegistryCurl {
        CURLcode (*global_init)(long flags);
        CURL *(*easy_init)(void);
        CURLcode (*easy_setopt)(CURL *c, CURLoption option, ...);
        CURLcode (*easy_perform)(CURL *c);
        CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
        void (*easy_cleanup)(CURL *c);
        const char *(*easy_strerror)(CURLcode code);
        char *(*easy_escape)(CURL *c, const char *s, int length);
        void (*free)(void *p);
        struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
        void (*slist_free_all)(struct curl_slist *l);
} RegistryCurl;

extern RegistryCurl registry_curl;

/* Loads libcurl and curl_global_init()s it, once per process (thread-safe). */
int registry_curl_load(BerthError **err);
