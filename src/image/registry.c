/* SPDX-License-Identifier: LGPL-2.1-or-later */
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
#include "image/registry.h"
#include "content/plain-error.h"

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

static void request_done(Request *q)
{
        free(q->url);
        curl_slist_free_all(q->headers);
        free(q->buf);
        berth_error_free(&q->sink_err);
        free(q->content_type);
        free(q->location);
        free(q->docker_digest);
        free(q->www_authenticate);
        free(q->range);
        *q = (Request){ .upload_fd = -1 };
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
        curl_global_init(CURL_GLOBAL_ALL);
}

int registry_open(const char *host, const RegistryOptions *opts, Registry **ret, BerthError **err)
{
        Registry *r;
        int k;

        pthread_once(&curl_once, curl_init_once);
        r = calloc(1, sizeof(*r));
        if (!r)
                return berth_error(err, ENOMEM, "registry");
        pthread_mutex_init(&r->lock, NULL);
        r->host = strdup(host);
        r->tls_verify = opts && opts->tls_verify >= 0 ? opts->tls_verify != 0
                                                      : !reference_is_localhost(host);
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
                k = auth_lookup(opts ? opts->authfile : NULL, auth_host, &r->username,
                                &r->password, err);
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

static char *dup_trimmed(const char *s, size_t n)
{
        while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n' || s[n - 1] == ' '))
                n--;
        while (n > 0 && *s == ' ') {
                s++;
                n--;
        }
        return strndup(s, n);
}

static size_t header_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
        Request *q = userdata;
        size_t n = size * nmemb;
        const char *colon = memchr(data, ':', n);
        char **slot = NULL;

        if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
                /* a new response (after a redirect or 100-continue): forget the last one's */
                free(q->location);
                q->location = NULL;
                free(q->www_authenticate);
                q->www_authenticate = NULL;
                return n;
        }
        if (!colon)
                return n;
        size_t klen = (size_t)(colon - data);
        if (klen == 12 && strncasecmp(data, "content-type", 12) == 0)
                slot = &q->content_type;
        else if (klen == 8 && strncasecmp(data, "location", 8) == 0)
                slot = &q->location;
        else if (klen == 21 && strncasecmp(data, "docker-content-digest", 21) == 0)
                slot = &q->docker_digest;
        else if (klen == 16 && strncasecmp(data, "www-authenticate", 16) == 0)
                slot = &q->www_authenticate;
        else if (klen == 5 && strncasecmp(data, "range", 5) == 0)
                slot = &q->range;
        if (slot) {
                free(*slot);
                *slot = dup_trimmed(colon + 1, n - klen - 1);
        }
        return n;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
        Request *q = userdata;
        size_t n = size * nmemb;

        if (q->curl)
                curl_easy_getinfo(q->curl, CURLINFO_RESPONSE_CODE, &q->status);
        if (q->writer && q->status >= 200 && q->status < 300) {
                if (q->resume_from > 0 && q->status == 200) {
                        /* The server ignored our Range and sends everything again. */
                        if (content_writer_restart(q->writer, &q->sink_err) < 0)
                                return 0;
                        q->resume_from = 0;
                }
                if (content_writer_write(q->writer, data, n, &q->sink_err) < 0)
                        return 0;
                if (q->progress)
                        q->progress(q->userdata, content_writer_offset(q->writer), q->total);
                return n;
        }
        size_t max = q->buf_max ?: ERROR_BODY_MAX;
        if (q->buf_len + n > max) {
                if (!q->buf_max)
                        return n; /* a body we only keep for error messages: the start is enough */
                error_plain(&q->sink_err, EFBIG, "Response is larger than %zu bytes", max);
                return 0;
        }
        char *nb = realloc(q->buf, q->buf_len + n + 1);
        if (!nb)
                return 0;
        q->buf = nb;
        memcpy(q->buf + q->buf_len, data, n);
        q->buf_len += n;
        q->buf[q->buf_len] = 0;
        return n;
}

static size_t read_cb(char *buffer, size_t size, size_t nitems, void *userdata)
{
        Request *q = userdata;
        size_t want = MIN(size * nitems, (size_t)(q->upload_len - q->upload_done));
        ssize_t n;

        if (want == 0)
                return 0;
        if (q->upload_buf) {
                memcpy(buffer, q->upload_buf + q->upload_done, want);
                n = (ssize_t)want;
        } else {
                n = pread(q->upload_fd, buffer, want, (off_t)(q->upload_offset + q->upload_done));
                if (n <= 0)
                        return CURL_READFUNC_ABORT;
        }
        q->upload_done += (uint64_t)n;
        if (q->progress)
                q->progress(q->userdata, q->upload_offset + q->upload_done, q->total);
        return (size_t)n;
}

/* Records the challenge of a 401. */
static void remember_challenge(Registry *r, const char *header)
{
        AuthChallenge c = {};

        if (!header || auth_challenge_parse(header, &c) < 0)
                return;
        pthread_mutex_lock(&r->lock);
        free(r->auth_scheme);
        free(r->realm);
        free(r->service);
        r->auth_scheme = TAKE_PTR(c.scheme);
        r->realm = TAKE_PTR(c.realm);
        r->service = TAKE_PTR(c.service);
        pthread_mutex_unlock(&r->lock);
        auth_challenge_done(&c);
}

static char *cached_token(Registry *r, const char *scope)
{
        char *t = NULL;
        pthread_mutex_lock(&r->lock);
        for (size_t i = 0; i < r->n_tokens; i++)
                if (streq(r->tokens[i].scope, scope ?: "")) {
                        t = strdup(r->tokens[i].token);
                        break;
                }
        pthread_mutex_unlock(&r->lock);
        return t;
}

static void cache_token(Registry *r, const char *scope, const char *token)
{
        pthread_mutex_lock(&r->lock);
        for (size_t i = 0; i < r->n_tokens; i++)
                if (streq(r->tokens[i].scope, scope ?: "")) {
                        char *t = strdup(token);
                        if (t) {
                                free(r->tokens[i].token);
                                r->tokens[i].token = t;
                        }
                        goto out;
                }
        RegistryToken *n = realloc(r->tokens, (r->n_tokens + 1) * sizeof(*n));
        if (n) {
                r->tokens = n;
                n[r->n_tokens] = (RegistryToken){ strdup(scope ?: ""), strdup(token) };
                if (n[r->n_tokens].scope && n[r->n_tokens].token)
                        r->n_tokens++;
        }
out:
        pthread_mutex_unlock(&r->lock);
}

static void setup_tls(Registry *r, CURL *c)
{
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, r->tls_verify ? 1L : 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, r->tls_verify ? 2L : 0L);
}

/* GET realm?service=..&scope=.. with Basic credentials when we have them; the token is cached
 * under cache_key (the scope our requests name, NULL for the ping). */
static int fetch_token(Registry *r, const char *scope, const char *cache_key, BerthError **err)
{
        _cleanup_free_ char *url = NULL, *realm = NULL, *service = NULL;
        CURL *c = curl_easy_init();
        Request q = { .upload_fd = -1, .buf_max = 1 << 20 };
        json_object *root = NULL, *v;
        CURLcode cc;
        int k;

        if (!c)
                return berth_error(err, ENOMEM, "curl");
        pthread_mutex_lock(&r->lock);
        realm = r->realm ? strdup(r->realm) : NULL;
        service = r->service ? strdup(r->service) : NULL;
        pthread_mutex_unlock(&r->lock);
        if (!realm) {
                curl_easy_cleanup(c);
                return error_plain(err, EACCES, "Registry %s asked for a token without a realm",
                                   r->host);
        }
        char *esc_service = service ? curl_easy_escape(c, service, 0) : NULL;
        char *esc_scope = scope ? curl_easy_escape(c, scope, 0) : NULL;
        k = asprintf(&url, "%s%sservice=%s%s%s", realm, strchr(realm, '?') ? "&" : "?",
                     esc_service ?: "", esc_scope ? "&scope=" : "", esc_scope ?: "");
        curl_free(esc_service);
        curl_free(esc_scope);
        if (k < 0) {
                curl_easy_cleanup(c);
                return berth_error(err, ENOMEM, "token");
        }
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &q);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &q);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        setup_tls(r, c);
        if (r->username) {
                curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
                curl_easy_setopt(c, CURLOPT_USERNAME, r->username);
                curl_easy_setopt(c, CURLOPT_PASSWORD, r->password);
        }
        q.curl = c;
        cc = curl_easy_perform(c);
        q.curl = NULL;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &q.status);
        curl_easy_cleanup(c);
        if (cc != CURLE_OK) {
                k = error_plain(err, EIO, "Token request to %s failed: %s", realm,
                                curl_easy_strerror(cc));
                goto out;
        }
        if (q.status == 401 || q.status == 403) {
                k = error_plain(err, EACCES, "Token server %s refused %s (HTTP %ld)", realm,
                                r->username ? "the credentials" : "anonymous access", q.status);
                goto out;
        }
        if (q.status != 200 || !q.buf || !(root = json_tokener_parse(q.buf))) {
                k = error_plain(err, EPROTO, "Token server %s answered HTTP %ld", realm, q.status);
                goto out;
        }
        if (!(json_object_object_get_ex(root, "token", &v) ||
              json_object_object_get_ex(root, "access_token", &v)) ||
            !json_object_is_type(v, json_type_string)) {
                k = error_plain(err, EPROTO, "Token server %s sent no token", realm);
                goto out;
        }
        cache_token(r, cache_key, json_object_get_string(v));
        k = 0;
out:
        json_object_put(root);
        request_done(&q);
        return k;
}

static int perform_once(Registry *r, Request *q, const char *authorization, CURLcode *ret_cc)
{
        CURL *c = curl_easy_init();
        struct curl_slist *h = NULL;
        char ebuf[CURL_ERROR_SIZE] = "";

        if (!c)
                return -ENOMEM;
        for (struct curl_slist *i = q->headers; i; i = i->next)
                h = curl_slist_append(h, i->data);
        if (authorization)
                h = curl_slist_append(h, authorization);
        if (q->resume_from > 0) {
                char range[64];
                snprintf(range, sizeof(range), "Range: bytes=%llu-",
                         (unsigned long long)q->resume_from);
                h = curl_slist_append(h, range);
        }
        curl_easy_setopt(c, CURLOPT_URL, q->url);
        curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, q);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, q);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        /* a stalled transfer: less than 1 byte/s for 60 s */
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
        /* blob GETs redirect to storage; curl drops our Authorization on other hosts */
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, streq(q->method, "GET") ? 1L : 0L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
        setup_tls(r, c);
        if (streq(q->method, "HEAD"))
                curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        else if (streq(q->method, "PUT") || streq(q->method, "PATCH")) {
                curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
                curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
                curl_easy_setopt(c, CURLOPT_READDATA, q);
                curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)q->upload_len);
                if (streq(q->method, "PATCH"))
                        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PATCH");
        } else if (streq(q->method, "POST")) {
                curl_easy_setopt(c, CURLOPT_POST, 1L);
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
                curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
        } else if (!streq(q->method, "GET"))
                curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);

        q->status = 0;
        q->upload_done = 0;
        q->curl = c;
        CURLcode cc = curl_easy_perform(c);
        q->curl = NULL;
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        q->status = status;
        *ret_cc = cc;
        curl_easy_cleanup(c);
        curl_slist_free_all(h);
        return 0;
}

static const char *curl_error_text(Request *q, CURLcode cc)
{
        /* our own sink's failure says more than "write error" */
        if (q->sink_err && q->sink_err->msg)
                return q->sink_err->msg;
        return curl_easy_strerror(cc);
}

/* One request with the auth dance: a 401 brings a challenge, we get a token (Bearer) or use
 * the credentials (Basic), and try once more. */
static int do_request(Registry *r, Request *q, CURLcode *ret_cc, BerthError **err)
{
        for (int attempt = 0; attempt < 3; attempt++) {
                _cleanup_free_ char *authz = NULL, *token = NULL, *scheme = NULL;
                CURLcode cc;

                pthread_mutex_lock(&r->lock);
                scheme = r->auth_scheme ? strdup(r->auth_scheme) : NULL;
                pthread_mutex_unlock(&r->lock);
                if (scheme && strcasecmp(scheme, "bearer") == 0 &&
                    (token = cached_token(r, q->scope))) {
                        if (asprintf(&authz, "Authorization: Bearer %s", token) < 0)
                                return berth_error(err, ENOMEM, "request");
                } else if (scheme && strcasecmp(scheme, "basic") == 0 && r->username) {
                        _cleanup_free_ char *pair = NULL, *b64 = NULL;
                        if (asprintf(&pair, "%s:%s", r->username, r->password) < 0 ||
                            base64_encode(pair, strlen(pair), &b64) < 0 ||
                            asprintf(&authz, "Authorization: Basic %s", b64) < 0)
                                return berth_error(err, ENOMEM, "request");
                }
                free(q->buf);
                q->buf = NULL;
                q->buf_len = 0;
                int k = perform_once(r, q, authz, &cc);
                if (k < 0)
                        return berth_error(err, k, "%s %s", q->method, q->url);
                *ret_cc = cc;
                if (cc != CURLE_OK || q->status != 401)
                        return 0;
                if (!q->www_authenticate)
                        return 0;
                remember_challenge(r, q->www_authenticate);
                pthread_mutex_lock(&r->lock);
                bool bearer = r->auth_scheme && strcasecmp(r->auth_scheme, "bearer") == 0;
                bool basic = r->auth_scheme && strcasecmp(r->auth_scheme, "basic") == 0;
                pthread_mutex_unlock(&r->lock);
                if (bearer) {
                        if (attempt > 0 && token)
                                return 0; /* a fresh token was refused: give up */
                        AuthChallenge ch = {};
                        const char *scope = q->scope;
                        /* the ping names no scope: take the challenge's, if any */
                        if (!scope && auth_challenge_parse(q->www_authenticate, &ch) >= 0)
                                scope = ch.scope;
                        k = fetch_token(r, scope, q->scope, err);
                        auth_challenge_done(&ch);
                        if (k < 0)
                                return k;
                } else if (!basic || !r->username || authz)
                        return 0;
                /* rewind what the failed attempt consumed */
                if (q->writer && content_writer_offset(q->writer) != q->resume_from) {
                        k = content_writer_restart(q->writer, err);
                        if (k < 0)
                                return k;
                        q->resume_from = 0;
                }
        }
        return 0;
}

static int http_error(Registry *r, Request *q, const char *what, BerthError **err)
{
        const char *msg = NULL;
        json_object *root = q->buf ? json_tokener_parse(q->buf) : NULL, *errs, *e, *m;
        int k;

        if (root && json_object_object_get_ex(root, "errors", &errs) &&
            (e = json_object_array_get_idx(errs, 0)) &&
            json_object_object_get_ex(e, "message", &m))
                msg = json_object_get_string(m);
        int code = q->status == 401 || q->status == 403 ? EACCES
                   : q->status == 404                   ? ENOENT
                                                        : EPROTO;
        k = error_plain(err, code, "%s: %s %s answered HTTP %ld%s%s", what, q->method, q->url,
                        q->status, msg ? ": " : "", msg ?: "");
        json_object_put(root);
        return k;
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
                k = do_request(r, &q, &cc, err);
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
                k = error_plain(err, EHOSTUNREACH, "Registry %s: %s", r->base,
                                curl_error_text(&q, cc));
                goto out;
        }
        if (q.status == 401 && r->username)
                k = error_plain(err, EACCES, "Registry %s refused the credentials of '%s'",
                                r->host, r->username);
        else if (q.status != 200 && q.status != 401)
                k = http_error(r, &q, "Registry ping", err);
        else
                k = 0;
out:
        request_done(&q);
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
        q.headers = curl_slist_append(NULL, "Accept: " MANIFEST_ACCEPT);
        for (int attempt = 0; attempt < r->retries; attempt++) {
                berth_error_free(&q.sink_err);
                k = do_request(r, &q, &cc, err);
                if (k < 0)
                        goto out;
                if (cc == CURLE_OK && q.status < 500)
                        break;
                usleep(100000u << attempt);
        }
        if (q.sink_err) {
                k = error_plain(err, EFBIG, "Manifest %s:%s from %s: %s", repo, reference,
                                r->host, q.sink_err->msg);
                goto out;
        }
        if (cc != CURLE_OK) {
                k = error_plain(err, EIO, "GET %s: %s", q.url, curl_error_text(&q, cc));
                goto out;
        }
        if (q.status != 200) {
                k = http_error(r, &q, "Manifest", err);
                goto out;
        }
        sha256_buffer(q.buf ?: "", q.buf_len, ret_digest);
        if (startswith(reference, "sha256:") && !streq(reference, ret_digest)) {
                k = error_plain(err, EUCLEAN, "Manifest %s@%s from %s has digest %s", repo,
                                reference, r->host, ret_digest);
                goto out;
        }
        if (q.docker_digest && startswith(q.docker_digest, "sha256:") &&
            !streq(q.docker_digest, ret_digest)) {
                k = error_plain(err, EUCLEAN,
                                "Manifest %s:%s from %s: Docker-Content-Digest %s does not match "
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
        request_done(&q);
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
                k = do_request(r, &q, &cc, err);
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
                                k = error_plain(err, EIO,
                                                "Blob %s from %s: %s after %llu bytes (the "
                                                "partial download is kept for the next pull)",
                                                digest, r->host, curl_error_text(&q, cc),
                                                (unsigned long long)content_writer_offset(w));
                        else
                                k = http_error(r, &q, "Blob", err);
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
                berth_error_prefix(err, "Blob from %s/%s", r->host, repo);
        }
out:
        request_done(&q);
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
        k = do_request(r, &q, &cc, err);
        if (k >= 0 && cc != CURLE_OK)
                k = error_plain(err, EIO, "HEAD %s: %s", q.url, curl_error_text(&q, cc));
        else if (k >= 0)
                k = q.status == 200 ? 1 : q.status == 404 ? 0 : http_error(r, &q, "Blob", err);
        request_done(&q);
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
        k = do_request(r, &q, &cc, err);
        if (k < 0)
                goto out;
        if (cc != CURLE_OK) {
                k = error_plain(err, EIO, "POST %s: %s", q.url, curl_error_text(&q, cc));
                goto out;
        }
        if (q.status == 201 && mount_from) {
                k = 1;
                goto out;
        }
        if (q.status != 202 || !q.location) {
                k = http_error(r, &q, "Blob upload", err);
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
                        request_done(&q);
                        q = (Request){ .method = "PATCH", .scope = scope, .upload_fd = fd,
                                       .upload_offset = offset, .upload_len = n,
                                       .progress = progress, .userdata = userdata,
                                       .total = size };
                        q.url = strdup(location);
                        snprintf(range, sizeof(range), "Content-Range: %llu-%llu",
                                 (unsigned long long)offset, (unsigned long long)(offset + n - 1));
                        q.headers = curl_slist_append(NULL, range);
                        q.headers = curl_slist_append(q.headers,
                                                      "Content-Type: application/octet-stream");
                        k = do_request(r, &q, &cc, err);
                        if (k < 0)
                                goto out;
                        if (cc != CURLE_OK) {
                                k = error_plain(err, EIO, "PATCH %s: %s", q.url,
                                                curl_error_text(&q, cc));
                                goto out;
                        }
                        if (q.status != 202 || !q.location) {
                                k = http_error(r, &q, "Blob chunk upload", err);
                                goto out;
                        }
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
        request_done(&q);
        q = (Request){ .method = "PUT", .scope = scope, .upload_fd = fd, .upload_offset = offset,
                       .upload_len = total - offset, .progress = progress,
                       .userdata = userdata, .total = size };
        if (asprintf(&q.url, "%s%sdigest=%s", location, strchr(location, '?') ? "&" : "?",
                     digest) < 0) {
                k = berth_error(err, ENOMEM, "push");
                goto out;
        }
        q.headers = curl_slist_append(NULL, "Content-Type: application/octet-stream");
        k = do_request(r, &q, &cc, err);
        if (k < 0)
                goto out;
        if (cc != CURLE_OK) {
                k = error_plain(err, EIO, "PUT %s: %s", q.url, curl_error_text(&q, cc));
                goto out;
        }
        if (q.status != 201) {
                k = http_error(r, &q, "Blob upload", err);
                goto out;
        }
        k = 0;
out:
        request_done(&q);
        return k;
}

int registry_put_manifest(Registry *r, const char *repo, const char *reference, const char *data,
                          size_t len, const char *media_type, BerthError **err)
{
        _cleanup_free_ char *scope = repo_scope(repo, true), *ct = NULL;
        Request q = { .upload_fd = -1, .method = "PUT", .scope = scope, .upload_buf = data,
                      .upload_len = len };
        char digest[DIGEST_STRING_MAX];
        CURLcode cc;
        int k;

        if (!scope || asprintf(&q.url, "%s/v2/%s/manifests/%s", r->base, repo, reference) < 0 ||
            asprintf(&ct, "Content-Type: %s", media_type) < 0)
                return berth_error(err, ENOMEM, "manifest");
        q.headers = curl_slist_append(NULL, ct);
        k = do_request(r, &q, &cc, err);
        if (k < 0)
                goto out;
        if (cc != CURLE_OK) {
                k = error_plain(err, EIO, "PUT %s: %s", q.url, curl_error_text(&q, cc));
                goto out;
        }
        if (q.status != 201) {
                k = http_error(r, &q, "Manifest upload", err);
                goto out;
        }
        sha256_buffer(data, len, digest);
        if (q.docker_digest && !streq(q.docker_digest, digest)) {
                k = error_plain(err, EUCLEAN, "Registry %s stored manifest %s as %s", r->host,
                                digest, q.docker_digest);
                goto out;
        }
        k = 0;
out:
        request_done(&q);
        return k;
}
