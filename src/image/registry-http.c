/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <curl/curl.h>
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "image/auth.h"
#include "image/curl-dl.h"
#include "image/registry-http.h"
void registry_http_request_done(Request *q)
{
        free(q->url);
        registry_curl.slist_free_all(q->headers);
        free(q->buf);
        berth_error_free(&q->sink_err);
        free(q->content_type);
        free(q->location);
        free(q->docker_digest);
        free(q->www_authenticate);
        free(q->range);
        *q = (Request){ .upload_fd = -1 };
}

int registry_http_init(BerthError **err)
{
        return registry_curl_load(err);
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
                registry_curl.easy_getinfo(q->curl, CURLINFO_RESPONSE_CODE, &q->status);
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
                berth_error_plain(&q->sink_err, EFBIG, "response is larger than %zu bytes", max);
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
        registry_curl.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, r->tls_verify ? 1L : 0L);
        registry_curl.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, r->tls_verify ? 2L : 0L);
}

/* GET realm?service=..&scope=.. with Basic credentials when we have them; the token is cached
 * under cache_key (the scope our requests name, NULL for the ping). */
static int fetch_token(Registry *r, const char *scope, const char *cache_key, BerthError **err)
{
        _cleanup_free_ char *url = NULL, *realm = NULL, *service = NULL;
        CURL *c = registry_curl.easy_init();
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
                registry_curl.easy_cleanup(c);
                return berth_error_plain(err, EACCES, "registry `%s` asked for a token without a realm",
                                   r->host);
        }
        char *esc_service = service ? registry_curl.easy_escape(c, service, 0) : NULL;
        char *esc_scope = scope ? registry_curl.easy_escape(c, scope, 0) : NULL;
        k = asprintf(&url, "%s%sservice=%s%s%s", realm, strchr(realm, '?') ? "&" : "?",
                     esc_service ?: "", esc_scope ? "&scope=" : "", esc_scope ?: "");
        registry_curl.free(esc_service);
        registry_curl.free(esc_scope);
        if (k < 0) {
                registry_curl.easy_cleanup(c);
                return berth_error(err, ENOMEM, "token");
        }
        registry_curl.easy_setopt(c, CURLOPT_URL, url);
        registry_curl.easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
        registry_curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
        registry_curl.easy_setopt(c, CURLOPT_WRITEDATA, &q);
        registry_curl.easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
        registry_curl.easy_setopt(c, CURLOPT_HEADERDATA, &q);
        registry_curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        registry_curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        registry_curl.easy_setopt(c, CURLOPT_TIMEOUT, 120L);
        registry_curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        setup_tls(r, c);
        if (r->username) {
                registry_curl.easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
                registry_curl.easy_setopt(c, CURLOPT_USERNAME, r->username);
                registry_curl.easy_setopt(c, CURLOPT_PASSWORD, r->password);
        }
        q.curl = c;
        cc = registry_curl.easy_perform(c);
        q.curl = NULL;
        registry_curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &q.status);
        registry_curl.easy_cleanup(c);
        if (cc != CURLE_OK) {
                k = berth_error_plain(err, EIO, "token request to `%s`: %s", realm,
                                registry_curl.easy_strerror(cc));
                goto out;
        }
        if (q.status == 401 || q.status == 403) {
                k = berth_error_plain(err, EACCES,
                                      "token server `%s` refused %s (HTTP %ld; log in with `berth "
                                      "login %s`)",
                                      realm, r->username ? "the credentials" : "anonymous access",
                                      q.status, r->host);
                goto out;
        }
        if (q.status != 200 || !q.buf || !(root = json_tokener_parse(q.buf))) {
                k = berth_error_plain(err, EPROTO, "token server `%s` answered HTTP %ld", realm, q.status);
                goto out;
        }
        v = jwalk_member(root, "token") ?: jwalk_member(root, "access_token");
        if (!v || !json_object_is_type(v, json_type_string)) {
                k = berth_error_plain(err, EPROTO, "token server `%s` sent no token", realm);
                goto out;
        }
        cache_token(r, cache_key, json_object_get_string(v));
        k = 0;
out:
        json_object_put(root);
        registry_http_request_done(&q);
        return k;
}

static int perform_once(Registry *r, Request *q, const char *authorization, CURLcode *ret_cc)
{
        CURL *c = registry_curl.easy_init();
        struct curl_slist *h = NULL;
        char ebuf[CURL_ERROR_SIZE] = "";

        if (!c)
                return -ENOMEM;
        for (struct curl_slist *i = q->headers; i; i = i->next)
                h = registry_curl.slist_append(h, i->data);
        if (authorization)
                h = registry_curl.slist_append(h, authorization);
        if (q->resume_from > 0) {
                char range[64];
                snprintf(range, sizeof(range), "Range: bytes=%llu-",
                         (unsigned long long)q->resume_from);
                h = registry_curl.slist_append(h, range);
        }
        registry_curl.easy_setopt(c, CURLOPT_URL, q->url);
        registry_curl.easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
        registry_curl.easy_setopt(c, CURLOPT_HTTPHEADER, h);
        registry_curl.easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
        registry_curl.easy_setopt(c, CURLOPT_HEADERDATA, q);
        registry_curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
        registry_curl.easy_setopt(c, CURLOPT_WRITEDATA, q);
        registry_curl.easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
        registry_curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        registry_curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        /* a stalled transfer: less than 1 byte/s for 60 s */
        registry_curl.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        registry_curl.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
        /* blob GETs redirect to storage; curl drops our Authorization on other hosts */
        registry_curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, streq(q->method, "GET") ? 1L : 0L);
        registry_curl.easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
        setup_tls(r, c);
        if (streq(q->method, "HEAD"))
                registry_curl.easy_setopt(c, CURLOPT_NOBODY, 1L);
        else if (streq(q->method, "PUT") || streq(q->method, "PATCH")) {
                registry_curl.easy_setopt(c, CURLOPT_UPLOAD, 1L);
                registry_curl.easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
                registry_curl.easy_setopt(c, CURLOPT_READDATA, q);
                registry_curl.easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)q->upload_len);
                if (streq(q->method, "PATCH"))
                        registry_curl.easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PATCH");
        } else if (streq(q->method, "POST")) {
                registry_curl.easy_setopt(c, CURLOPT_POST, 1L);
                registry_curl.easy_setopt(c, CURLOPT_POSTFIELDS, "");
                registry_curl.easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
        } else if (!streq(q->method, "GET"))
                registry_curl.easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);

        q->status = 0;
        q->upload_done = 0;
        q->curl = c;
        CURLcode cc = registry_curl.easy_perform(c);
        q->curl = NULL;
        long status = 0;
        registry_curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        q->status = status;
        *ret_cc = cc;
        registry_curl.easy_cleanup(c);
        registry_curl.slist_free_all(h);
        return 0;
}

const char *registry_http_error_text(Request *q, CURLcode cc)
{
        /* our own sink's failure says more than "write error" */
        if (q->sink_err && q->sink_err->msg)
                return q->sink_err->msg;
        return registry_curl.easy_strerror(cc);
}

/* One request with the auth dance: a 401 brings a challenge, we get a token (Bearer) or use
 * the credentials (Basic), and try once more. */
int registry_http_request(Registry *r, Request *q, CURLcode *ret_cc, BerthError **err)
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
                            auth_base64_encode(pair, strlen(pair), &b64) < 0 ||
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

int registry_http_error(Registry *r, Request *q, const char *what, BerthError **err)
{
        const char *msg = NULL;
        json_object *root = q->buf ? json_tokener_parse(q->buf) : NULL, *errs, *e, *m;
        int k;

        /* The distribution spec's {"errors": [{"message": ...}]}, read leniently. */
        if (root && (errs = jwalk_member(root, "errors")) &&
            json_object_is_type(errs, json_type_array) &&
            (e = json_object_array_get_idx(errs, 0)) && (m = jwalk_member(e, "message")))
                msg = json_object_get_string(m);
        int code = q->status == 401 || q->status == 403 ? EACCES
                   : q->status == 404                   ? ENOENT
                                                        : EPROTO;
        k = berth_error_plain(err, code, "%s: %s %s answered HTTP %ld%s%s%s%s%s", what, q->method,
                              q->url, q->status, msg ? ": " : "", msg ?: "",
                              q->status == 401 ? " (log in with `berth login " : "",
                              q->status == 401 ? r->host : "", q->status == 401 ? "`)" : "");
        json_object_put(root);
        return k;
}
