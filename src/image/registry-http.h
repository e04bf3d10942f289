/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The HTTP half of the registry client, shared by its API calls (registry.c): one request with
 * libcurl, bodies streamed into a content writer or a buffer, uploads from a file or a buffer,
 * and the distribution spec's auth dance (a 401's WWW-Authenticate challenge answered with Basic
 * credentials or a Bearer token from the realm, tokens cached per scope).
 */
#pragma once

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "image/registry.h"

#define MANIFEST_MAX (4u << 20)
#define ERROR_BODY_MAX (16u << 10)
#define USER_AGENT "berth/" BERTH_VERSION

typedef struct Request {
        CURL *curl; /* while a transfer runs */
        const char *method;
        char *url;
        const char *scope;
        struct curl_slist *headers;
        /* upload: from fd at offset, length bytes; or a buffer */
        int upload_fd;
        uint64_t upload_offset, upload_len, upload_done;
        const char *upload_buf;
        bool has_body;
        /* download: into a writer (2xx only) or a buffer */
        ContentWriter *writer;
        uint64_t resume_from;
        char *buf;
        size_t buf_len, buf_max;
        BerthError *sink_err;
        TransferProgress progress;
        void *userdata;
        int64_t total;
        /* results */
        long status;
        char *content_type;
        char *location;
        char *docker_digest;
        char *www_authenticate;
        char *range;
} Request;

/* Loads libcurl (curl-dl.h): before any request. */
int registry_http_init(BerthError **err);
void registry_http_request_done(Request *q);
/* Performs q, with a retry after a 401 once credentials or a token are in hand. *ret_cc is
 * curl's result; q->status the HTTP status. */
int registry_http_request(Registry *r, Request *q, CURLcode *ret_cc, BerthError **err);
/* An error naming the request, with the registry's own message when it sent one. */
int registry_http_error(Registry *r, Request *q, const char *what, BerthError **err);
const char *registry_http_error_text(Request *q, CURLcode cc);
