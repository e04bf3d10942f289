/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The registry client's API calls on top of registry-http.c: ping, manifests, blobs, pushes. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "image/auth.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "image/registry-config.h"
#include "image/curl-dl.h"
#include "image/registry-http.h"
#include "image/registry.h"

int registry_open(const char *host, const RegistryOptions *opts, Registry **ret, BerthError **err)
{
        Registry *r;
        int k;

        k = registry_http_init(err);
        if (k < 0)
                return k;
        r = calloc(1, sizeof(*r));
        if (!r)
                return berth_error(err, ENOMEM, "registry");
        pthread_mutex_init(&r->lock, NULL);
        r->host = strdup(host);
        /* the command line, else the registries file, else on except for localhost */
        int verify = opts ? opts->tls_verify : -1;
        if (verify < 0)
                verify = registry_config_tls_verify(opts ? opts->registries_conf : NULL, host);
        r->tls_verify = verify >= 0 ? verify != 0 : !reference_is_localhost(host);
        r->retries = opts && opts->retries > 0 ? opts->retries : 5;
        if (!r->host || asprintf(&r->base, "https://%s", host) < 0) {
                registry_free(r);
                return berth_error(err, ENOMEM, "registry");
        }
        if (opts && opts->username) {
                r->username = strdup(opts->username);
                r->password = strdup(opts->password ?: "");
        } else {
                /* docker.io is served by registry-1.docker.io but logged in to as docker.io */
                const char *auth_host = streq(host, "registry-1.docker.io") ? "docker.io" : host;
                k = auth_lookup(opts ? opts->authfile : NULL, opts ? opts->docker_config : NULL,
                                auth_host, &r->username, &r->password, err);
                if (k < 0) {
                        registry_free(r);
                        return k;
                }
        }
        *ret = r;
        return 0;
}

void registry_free(Registry *r)
{
        if (!r)
                return;
        free(r->host);
        free(r->base);
        free(r->username);
        if (r->password)
                explicit_bzero(r->password, strlen(r->password));
        free(r->password);
        free(r->auth_scheme);
        free(r->realm);
        free(r->service);
        for (size_t i = 0; i < r->n_tokens; i++) {
                free(r->tokens[i].scope);
                free(r->tokens[i].token);
        }
        free(r->tokens);
        pthread_mutex_destroy(&r->lock);
        free(r);
}

int registry_ping(Registry *r, BerthError **err)
{
        Request q = { .upload_fd = -1, .method = "GET", .buf_max = 1 << 16 };
        CURLcode cc;
        int k;

        for (int pass = 0; pass < 2; pass++) {
                free(q.url);
                if (asprintf(&q.url, "%s/v2/", r->base) < 0)
                        return berth_error(err, ENOMEM, "ping");
                k = registry_http_request(r, &q, &cc, err);
                if (k < 0)
                        goto out;
                if (cc == CURLE_OK)
                        break;
                /* Without TLS verification a plain-http registry is fine too. */
                if (pass == 0 && !r->tls_verify && startswith(r->base, "https://")) {
                        free(r->base);
                        if (asprintf(&r->base, "http://%s", r->host) < 0) {
                                r->base = NULL;
                                k = berth_error(err, ENOMEM, "ping");
                                goto out;
                        }
                        continue;
                }
                k = berth_error_plain(err, EHOSTUNREACH, "registry `%s`: %s", r->base,
                                registry_http_error_text(&q, cc));
                goto out;
        }
        if (q.status == 401 && r->username)
                k = berth_error_plain(err, EACCES,
                                      "registry `%s` refused the credentials of `%s` (log in again "
                                      "with `berth login %s`)",
                                      r->host, r->username, r->host);
        else if (q.status != 200 && q.status != 401)
                k = registry_http_error(r, &q, "registry ping", err);
        else
                k = 0;
out:
        registry_http_request_done(&q);
        return k;
}

static char *repo_scope(const char *repo, bool push)
{
        char *s = NULL;
        if (asprintf(&s, "repository:%s:%s", repo, push ? "pull,push" : "pull") < 0)
                return NULL;
        return s;
}

int registry_get_manifest(Registry *r, const char *repo, const char *reference, char **ret_data,
                          size_t *ret_len, char **ret_content_type,
                          char ret_digest[DIGEST_STRING_MAX], BerthError **err)
{
        _cleanup_free_ char *scope = repo_scope(repo, false);
        Request q = { .upload_fd = -1, .method = "GET", .buf_max = MANIFEST_MAX, .scope = scope };
        CURLcode cc = CURLE_OK;
        int k = 0;

        if (!scope || asprintf(&q.url, "%s/v2/%s/manifests/%s", r->base, repo, reference) < 0)
                return berth_error(err, ENOMEM, "manifest");
        q.headers = registry_curl.slist_append(NULL, "Accept: " MANIFEST_ACCEPT);
        for (int attempt = 0; attempt < r->retries; attempt++) {
                berth_error_free(&q.sink_err);
                k = registry_http_request(r, &q, &cc, err);
                if (k < 0)
                        goto out;
                if (cc == CURLE_OK && q.status < 500)
                        break;
                usleep(100000u << attempt);
        }
        if (q.sink_err) {
                k = berth_error_plain(err, EFBIG, "manifest `%s:%s` from `%s`: %s", repo, reference,
                                r->host, q.sink_err->msg);
                goto out;
        }
        if (cc != CURLE_OK) {
                k = berth_error_plain(err, EIO, "GET %s: %s", q.url, registry_http_error_text(&q, cc));
                goto out;
        }
        if (q.status != 200) {
                k = registry_http_error(r, &q, "manifest", err);
                goto out;
        }
        digest_sha256_buffer(q.buf ?: "", q.buf_len, ret_digest);
        if (startswith(reference, "sha256:") && !streq(reference, ret_digest)) {
                k = berth_error_plain(err, EUCLEAN, "manifest `%s@%s` from `%s` has digest %s", repo,
                                reference, r->host, ret_digest);
                goto out;
        }
        if (q.docker_digest && startswith(q.docker_digest, "sha256:") &&
            !streq(q.docker_digest, ret_digest)) {
                k = berth_error_plain(err, EUCLEAN,
                                "manifest `%s:%s` from `%s`: Docker-Content-Digest %s does not match "
                                "the content (%s)",
                                repo, reference, r->host, q.docker_digest, ret_digest);
                goto out;
        }
        *ret_data = q.buf ? TAKE_PTR(q.buf) : strdup("");
        *ret_len = q.buf_len;
        if (ret_content_type) {
                char *ct = q.content_type ? strdup(q.content_type) : NULL;
                if (ct)
                        ct[strcspn(ct, ";")] = 0;
                *ret_content_type = ct;
        }
        k = 0;
out:
        registry_http_request_done(&q);
        return k;
}

static bool transient(CURLcode cc, long status)
{
        if (cc == CURLE_OK)
                return status >= 500 || status == 429 || status == 408;
        return cc != CURLE_WRITE_ERROR && cc != CURLE_ABORTED_BY_CALLBACK &&
               cc != CURLE_UNSUPPORTED_PROTOCOL && cc != CURLE_URL_MALFORMAT;
}

int registry_fetch_blob(Registry *r, const char *repo, const char *digest, int64_t size,
                        ContentStore *cs, TransferProgress progress, void *userdata,
                        BerthError **err)
{
        _cleanup_content_writer_ ContentWriter *w = NULL;
        _cleanup_free_ char *scope = repo_scope(repo, false);
        Request q = { .upload_fd = -1, .method = "GET", .scope = scope };
        CURLcode cc = CURLE_OK;
        int k;

        if (content_store_has(cs, digest, NULL) > 0)
                return 0;
        if (!scope || asprintf(&q.url, "%s/v2/%s/blobs/%s", r->base, repo, digest) < 0)
                return berth_error(err, ENOMEM, "blob");
        k = content_writer_open(cs, digest, size, true, &w, err);
        if (k < 0)
                goto out;
        if (content_store_has(cs, digest, NULL) > 0) {
                k = 0; /* another pull finished it while we waited for the lock */
                content_writer_discard(w);
                goto out;
        }
        q.writer = w;
        q.progress = progress;
        q.userdata = userdata;
        q.total = size;
        for (int attempt = 0;; attempt++) {
                uint64_t before = content_writer_offset(w);
                q.resume_from = before;
                berth_error_free(&q.sink_err);
                if (size >= 0 && before == (uint64_t)size)
                        break; /* complete on disk already: only the commit is missing */
                k = registry_http_request(r, &q, &cc, err);
                if (k < 0)
                        goto out;
                if (q.sink_err) {
                        /* larger than announced, or a write error: never retried */
                        if (err && !*err)
                                *err = TAKE_PTR(q.sink_err);
                        content_writer_discard(w);
                        k = -EUCLEAN;
                        goto out;
                }
                if (cc == CURLE_OK && (q.status == 200 || q.status == 206))
                        break;
                if (q.status == 416) {
                        /* our partial file is bad or complete; start over */
                        k = content_writer_restart(w, err);
                        if (k < 0)
                                goto out;
                }
                if (!transient(cc, q.status) || attempt + 1 >= r->retries) {
                        if (cc != CURLE_OK)
                                k = berth_error_plain(err, EIO,
                                                "blob `%s` from `%s`: %s after %llu bytes (the "
                                                "partial download is kept for the next pull)",
                                                digest, r->host, registry_http_error_text(&q, cc),
                                                (unsigned long long)content_writer_offset(w));
                        else
                                k = registry_http_error(r, &q, "blob", err);
                        goto out;
                }
                /* Made progress: not counted as a failed attempt. */
                if (content_writer_offset(w) > before)
                        attempt = MAX(attempt - 1, -1);
                usleep(100000u << MIN(attempt + 1, 5));
        }
        k = content_writer_commit(w, NULL, err);
        if (k < 0) {
                content_writer_discard(w);
                berth_error_prefix(err, "blob from `%s/%s`", r->host, repo);
        }
out:
        registry_http_request_done(&q);
        return k;
}

int registry_blob_exists(Registry *r, const char *repo, const char *digest, BerthError **err)
{
        _cleanup_free_ char *scope = repo_scope(repo, true);
        Request q = { .upload_fd = -1, .method = "HEAD", .scope = scope };
        CURLcode cc;
        int k;

        if (!scope || asprintf(&q.url, "%s/v2/%s/blobs/%s", r->base, repo, digest) < 0)
                return berth_error(err, ENOMEM, "blob");
        k = registry_http_request(r, &q, &cc, err);
        if (k >= 0 && cc != CURLE_OK)
                k = berth_error_plain(err, EIO, "HEAD %s: %s", q.url, registry_http_error_text(&q, cc));
        else if (k >= 0)
                k = q.status == 200 ? 1 : q.status == 404 ? 0 : registry_http_error(r, &q, "blob", err);
        registry_http_request_done(&q);
        return k;
}

/* A Location header may be relative to the registry. */
static int absolute_location(Registry *r, const char *loc, char **ret)
{
        if (startswith(loc, "http://") || startswith(loc, "https://"))
                *ret = strdup(loc);
        else if (asprintf(ret, "%s%s%s", r->base, loc[0] == '/' ? "" : "/", loc) < 0)
                *ret = NULL;
        return *ret ? 0 : -ENOMEM;
}

/* Sends q; 0 when the transfer worked and the registry answered want (with a Location when
 * need_location), else the error saying which. */
static int request_expect(Registry *r, Request *q, long want, bool need_location,
                          const char *what, BerthError **err)
{
        CURLcode cc;
        int k = registry_http_request(r, q, &cc, err);
        if (k < 0)
                return k;
        if (cc != CURLE_OK)
                return berth_error_plain(err, EIO, "%s %s: %s", q->method, q->url,
                                         registry_http_error_text(q, cc));
        if (q->status != want || (need_location && !q->location))
                return registry_http_error(r, q, what, err);
        return 0;
}

int registry_push_blob(Registry *r, const char *repo, ContentStore *cs, const char *digest,
                       int64_t size, const char *mount_from, uint64_t chunk_size,
                       TransferProgress progress, void *userdata, BerthError **err)
{
        _cleanup_free_ char *scope = NULL, *location = NULL;
        _cleanup_close_ int fd = -1;
        Request q = { .upload_fd = -1 };
        CURLcode cc;
        int k;

        if (mount_from)
                k = asprintf(&scope, "repository:%s:pull,push repository:%s:pull", repo,
                             mount_from);
        else
                k = asprintf(&scope, "repository:%s:pull,push", repo);
        if (k < 0)
                return berth_error(err, ENOMEM, "push");

        /* POST: start an upload, or mount from another repository of the registry */
        q.method = "POST";
        q.scope = scope;
        if (mount_from)
                k = asprintf(&q.url, "%s/v2/%s/blobs/uploads/?mount=%s&from=%s", r->base, repo,
                             digest, mount_from);
        else
                k = asprintf(&q.url, "%s/v2/%s/blobs/uploads/", r->base, repo);
        if (k < 0)
                return berth_error(err, ENOMEM, "push");
        k = registry_http_request(r, &q, &cc, err);
        if (k < 0)
                goto out;
        if (cc != CURLE_OK) {
                k = berth_error_plain(err, EIO, "POST %s: %s", q.url, registry_http_error_text(&q, cc));
                goto out;
        }
        if (q.status == 201 && mount_from) {
                k = 1;
                goto out;
        }
        if (q.status != 202 || !q.location) {
                k = registry_http_error(r, &q, "blob upload", err);
                goto out;
        }
        if (absolute_location(r, q.location, &location) < 0) {
                k = berth_error(err, ENOMEM, "push");
                goto out;
        }
        k = content_store_open_blob(cs, digest, &fd, err);
        if (k < 0)
                goto out;

        uint64_t offset = 0, total = (uint64_t)size;
        if (chunk_size > 0) {
                while (offset < total) {
                        uint64_t n = MIN(chunk_size, total - offset);
                        char range[96];
                        registry_http_request_done(&q);
                        q = (Request){ .method = "PATCH", .scope = scope, .upload_fd = fd,
                                       .upload_offset = offset, .upload_len = n,
                                       .progress = progress, .userdata = userdata,
                                       .total = size };
                        q.url = strdup(location);
                        snprintf(range, sizeof(range), "Content-Range: %llu-%llu",
                                 (unsigned long long)offset, (unsigned long long)(offset + n - 1));
                        q.headers = registry_curl.slist_append(NULL, range);
                        q.headers = registry_curl.slist_append(q.headers,
                                                      "Content-Type: application/octet-stream");
                        k = request_expect(r, &q, 202, true, "blob chunk upload", err);
                        if (k < 0)
                                goto out;
                        free(location);
                        if (absolute_location(r, q.location, &location) < 0) {
                                location = NULL;
                                k = berth_error(err, ENOMEM, "push");
                                goto out;
                        }
                        offset += n;
                }
        }
        /* The final PUT: the whole blob (monolithic) or nothing more (chunked). */
        registry_http_request_done(&q);
        q = (Request){ .method = "PUT", .scope = scope, .upload_fd = fd, .upload_offset = offset,
                       .upload_len = total - offset, .progress = progress,
                       .userdata = userdata, .total = size };
        if (asprintf(&q.url, "%s%sdigest=%s", location, strchr(location, '?') ? "&" : "?",
                     digest) < 0) {
                k = berth_error(err, ENOMEM, "push");
                goto out;
        }
        q.headers = registry_curl.slist_append(NULL, "Content-Type: application/octet-stream");
        k = request_expect(r, &q, 201, false, "blob upload", err);
out:
        registry_http_request_done(&q);
        return k;
}

int registry_put_manifest(Registry *r, const char *repo, const char *reference, const char *data,
                          size_t len, const char *media_type, BerthError **err)
{
        _cleanup_free_ char *scope = repo_scope(repo, true), *ct = NULL;
        Request q = { .upload_fd = -1, .method = "PUT", .scope = scope, .upload_buf = data,
                      .upload_len = len };
        char digest[DIGEST_STRING_MAX];
        int k;

        if (!scope || asprintf(&q.url, "%s/v2/%s/manifests/%s", r->base, repo, reference) < 0 ||
            asprintf(&ct, "Content-Type: %s", media_type) < 0)
                return berth_error(err, ENOMEM, "manifest");
        q.headers = registry_curl.slist_append(NULL, ct);
        k = request_expect(r, &q, 201, false, "manifest upload", err);
        if (k < 0)
                goto out;
        digest_sha256_buffer(data, len, digest);
        if (q.docker_digest && !streq(q.docker_digest, digest)) {
                k = berth_error_plain(err, EUCLEAN, "registry `%s` stored manifest %s as %s", r->host,
                                digest, q.docker_digest);
                goto out;
        }
        k = 0;
out:
        registry_http_request_done(&q);
        return k;
}
