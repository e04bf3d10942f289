/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CNI runtime of cni.h: conflists, plugin calls, the result cache. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/time-util.h"
#include "basic/process-util.h"
#include "basic/string-util.h"
#include "network/cni.h"

#define CNI_CONFLIST_MAX ((size_t)1 << 20)
#define CNI_OUTPUT_MAX ((size_t)1 << 20)
#define CNI_STDERR_MAX ((size_t)16 << 10)
#define CNI_TIMEOUT_DEFAULT_USEC (60 * 1000000ULL)
#define CNI_PATH_ENV "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef enum CniCommand {
        CNI_ADD,
        CNI_CHECK,
        CNI_DEL,
} CniCommand;

static const char *const command_names[] = { "ADD", "CHECK", "DEL" };

/* Names that become file names and binary names: no path, no surprises. */
static bool is_safe_name(const char *s, size_t max)
{
        size_t n = strlen(s);

        if (n == 0 || n > max || s[0] == '.' || s[0] == '-')
                return false;
        for (const char *p = s; *p; p++)
                if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
                        return false;
        return true;
}

void cni_network_free(CniNetwork *n)
{
        if (!n)
                return;
        free(n->name);
        free(n->cni_version);
        json_object_put(n->conf);
        free(n);
}

int cni_network_parse(const char *data, size_t len, const char *what, CniNetwork **ret,
                      BerthError **err)
{
        _cleanup_cni_network_ CniNetwork *n = calloc(1, sizeof(*n));
        struct json_tokener *tok;
        struct json_object *v, *plugins;

        if (!n)
                return berth_error(err, ENOMEM, "%s", what);
        tok = json_tokener_new();
        if (!tok)
                return berth_error(err, ENOMEM, "%s", what);
        n->conf = json_tokener_parse_ex(tok, data, (int)len);
        if (!n->conf || json_tokener_get_error(tok) != json_tokener_success ||
            json_tokener_get_parse_end(tok) != len) {
                json_tokener_free(tok);
                return berth_error_plain(err, EINVAL, "%s: not a JSON document", what);
        }
        json_tokener_free(tok);
        if (!json_object_is_type(n->conf, json_type_object))
                return berth_error_plain(err, EINVAL, "%s: not a JSON object", what);
        if (!json_object_object_get_ex(n->conf, "name", &v) ||
            !json_object_is_type(v, json_type_string) ||
            !is_safe_name(json_object_get_string(v), 64))
                return berth_error_plain(err, EINVAL, "%s: `name`: a network name of letters, "
                                         "digits, `.`, `_` and `-` is required", what);
        n->name = strdup(json_object_get_string(v));
        if (!json_object_object_get_ex(n->conf, "cniVersion", &v) ||
            !json_object_is_type(v, json_type_string))
                return berth_error_plain(err, EINVAL, "%s: `cniVersion`: a string is required",
                                         what);
        n->cni_version = strdup(json_object_get_string(v));
        if (!n->name || !n->cni_version)
                return berth_error(err, ENOMEM, "%s", what);
        if (!json_object_object_get_ex(n->conf, "plugins", &plugins) ||
            !json_object_is_type(plugins, json_type_array) ||
            json_object_array_length(plugins) == 0 || json_object_array_length(plugins) > 32)
                return berth_error_plain(err, EINVAL, "%s: `plugins`: an array of 1 to 32 "
                                         "plugins is required", what);
        for (size_t i = 0; i < json_object_array_length(plugins); i++) {
                struct json_object *p = json_object_array_get_idx(plugins, i);
                if (!json_object_is_type(p, json_type_object) ||
                    !json_object_object_get_ex(p, "type", &v) ||
                    !json_object_is_type(v, json_type_string) ||
                    !is_safe_name(json_object_get_string(v), 64))
                        return berth_error_plain(err, EINVAL, "%s: `plugins[%zu].type`: a plugin "
                                                 "name of letters, digits, `.`, `_` and `-` is "
                                                 "required", what, i);
        }
        *ret = TAKE_PTR(n);
        return 0;
}

int cni_network_load(const char *path, CniNetwork **ret, BerthError **err)
{
        _cleanup_free_ char *data = NULL;
        size_t n = 0;
        int r;

        r = fs_read_full_file_limited(AT_FDCWD, path, CNI_CONFLIST_MAX, &data, &n, err);
        if (r < 0)
                return r;
        return cni_network_parse(data, n, path, ret, err);
}

/* The plugin binary: the first executable regular file of that name in the plugin dirs. */
static char *find_plugin(const CniOptions *o, const char *type)
{
        for (const char *const *d = o->plugin_dirs; d && *d; d++) {
                char *p = NULL;
                struct stat st;
                if (asprintf(&p, "%s/%s", *d, type) < 0)
                        return NULL;
                if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}

static char *plugin_path_env(const CniOptions *o)
{
        size_t len = strlen("CNI_PATH=") + 1;
        char *s;

        for (const char *const *d = o->plugin_dirs; d && *d; d++)
                len += strlen(*d) + 1;
        s = malloc(len);
        if (!s)
                return NULL;
        strcpy(s, "CNI_PATH=");
        for (const char *const *d = o->plugin_dirs; d && *d; d++) {
                if (d != o->plugin_dirs)
                        strcat(s, ":");
                strcat(s, *d);
        }
        return s;
}

/* The configuration one plugin reads on stdin. */
static struct json_object *plugin_config(const char *name, const char *version,
                                         struct json_object *plugin, struct json_object *prev,
                                         const CniAttachment *a)
{
        struct json_object *c = NULL, *caps, *rc = NULL;

        if (json_object_deep_copy(plugin, &c, NULL) < 0)
                return NULL;
        json_object_object_add(c, "name", json_object_new_string(name));
        json_object_object_add(c, "cniVersion", json_object_new_string(version));
        if (prev)
                json_object_object_add(c, "prevResult", json_object_get(prev));
        /* runtimeConfig: the capability arguments this plugin declares it takes. */
        if (a->capability_args && json_object_object_get_ex(plugin, "capabilities", &caps) &&
            json_object_is_type(caps, json_type_object)) {
                json_object_object_foreach(caps, key, on) {
                        struct json_object *v;
                        if (!json_object_get_boolean(on) ||
                            !json_object_object_get_ex(a->capability_args, key, &v))
                                continue;
                        if (!rc) {
                                rc = json_object_new_object();
                                json_object_object_add(c, "runtimeConfig", rc);
                        }
                        json_object_object_add(rc, key, json_object_get(v));
                }
        }
        return c;
}


/* Appends what fd has to *buf (at most max bytes); 0 at its end, 1 for more to come. */
static int drain(int fd, char **buf, size_t *n, size_t max)
{
        char chunk[4096];
        ssize_t r = read(fd, chunk, sizeof(chunk));

        if (r < 0)
                return errno == EAGAIN || errno == EINTR ? 1 : -errno;
        if (r == 0)
                return 0;
        if (*n + (size_t)r > max)
                return -EFBIG;
        char *p = realloc(*buf, *n + (size_t)r + 1);
        if (!p)
                return -ENOMEM;
        memcpy(p + *n, chunk, (size_t)r);
        *n += (size_t)r;
        p[*n] = 0;
        *buf = p;
        return 1;
}

typedef struct PluginRun {
        int status;             /* wait status */
        char *out, *errout;
        size_t n_out, n_err;
} PluginRun;

static void plugin_run_done(PluginRun *r)
{
        free(r->out);
        free(r->errout);
}

/* Runs plugin binary with env, config on stdin; its stdout and stderr come back. */
static int plugin_exec(const char *binary, char **env, const char *config, uint64_t timeout_usec,
                       PluginRun *ret)
{
        int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 };
        size_t written = 0, len = strlen(config);
        uint64_t deadline = time_monotonic_usec() + timeout_usec;
        bool out_open = true, err_open = true;
        pid_t pid;
        int r = 0;

        if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
                r = -errno;
                goto out;
        }
        pid_t parent = getpid();
        pid = fork();
        if (pid < 0) {
                r = -errno;
                goto out;
        }
        if (pid == 0) {
                /* A plugin outliving a killed caller would go on changing the host after the
                 * repair has run its DEL: it dies with the caller instead, and the DEL (with
                 * the result cached so far) undoes what it had done. */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                        _exit(127);
                if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(errp[1], 2) < 0)
                        _exit(127);
                process_close_fds_except(3, NULL, 0);
                execve(binary, (char *[]){ (char *)binary, NULL }, env);
                _exit(127);
        }
        in[0] = safe_close(in[0]);
        out[1] = safe_close(out[1]);
        errp[1] = safe_close(errp[1]);
        (void)fcntl(in[1], F_SETFL, O_NONBLOCK);
        (void)fcntl(out[0], F_SETFL, O_NONBLOCK);
        (void)fcntl(errp[0], F_SETFL, O_NONBLOCK);
        while (out_open || err_open) {
                struct pollfd p[3] = { { out[0], POLLIN, 0 }, { errp[0], POLLIN, 0 },
                                       { in[1], POLLOUT, 0 } };
                uint64_t now = time_monotonic_usec();
                int left = now >= deadline ? 0 : (int)((deadline - now) / 1000) + 1;

                if (!out_open)
                        p[0].fd = -1;
                if (!err_open)
                        p[1].fd = -1;
                if (in[1] < 0)
                        p[2].fd = -1;
                int n = poll(p, 3, left);
                if (n == 0) {
                        r = -ETIMEDOUT;
                        break;
                }
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                if (p[2].revents) {
                        ssize_t w = write(in[1], config + written, len - written);
                        if (w > 0)
                                written += (size_t)w;
                        if (w < 0 && errno != EAGAIN && errno != EINTR)
                                written = len; /* it does not read: stop offering */
                        if (written == len)
                                in[1] = safe_close(in[1]);
                }
                if (p[0].revents) {
                        int d = drain(out[0], &ret->out, &ret->n_out, CNI_OUTPUT_MAX);
                        if (d < 0) {
                                r = d;
                                break;
                        }
                        out_open = d > 0;
                }
                if (p[1].revents) {
                        int d = drain(errp[0], &ret->errout, &ret->n_err, CNI_STDERR_MAX);
                        err_open = d > 0; /* too much on stderr: the rest is dropped */
                }
        }
        if (r < 0)
                (void)kill(pid, SIGKILL);
        while (waitpid(pid, &ret->status, 0) < 0)
                if (errno != EINTR) {
                        ret->status = -1;
                        break;
                }
out:
        for (int i = 0; i < 2; i++) {
                safe_close(in[i]);
                safe_close(out[i]);
                safe_close(errp[i]);
        }
        return r;
}

/* One plugin call; on ADD/CHECK success *ret_result is its result (ADD) or NULL. */
static int call_plugin(CniCommand cmd, const char *net, const char *version,
                       struct json_object *plugin, struct json_object *prev,
                       const CniAttachment *a, const CniOptions *o,
                       struct json_object **ret_result, BerthError **err)
{
        _cleanup_free_ char *binary = NULL, *cni_path = NULL, *e_cmd = NULL, *e_id = NULL,
                            *e_netns = NULL, *e_if = NULL, *e_args = NULL;
        _cleanup_(plugin_run_done) PluginRun run = { 0 };
        struct json_object *config, *type;
        const char *type_name;
        int r;

        json_object_object_get_ex(plugin, "type", &type);
        type_name = json_object_get_string(type);
        binary = find_plugin(o, type_name);
        if (!binary)
                return berth_error_plain(err, ENOENT, "network `%s`: no plugin `%s` in the "
                                         "plugin directories", net, type_name);
        config = plugin_config(net, version, plugin, prev, a);
        if (!config)
                return berth_error(err, ENOMEM, "network `%s`", net);
        cni_path = plugin_path_env(o);
        if (!cni_path || asprintf(&e_cmd, "CNI_COMMAND=%s", command_names[cmd]) < 0 ||
            asprintf(&e_id, "CNI_CONTAINERID=%s", a->container_id) < 0 ||
            asprintf(&e_netns, "CNI_NETNS=%s", a->netns ?: "") < 0 ||
            asprintf(&e_if, "CNI_IFNAME=%s", a->ifname) < 0 ||
            asprintf(&e_args, "CNI_ARGS=%s", a->args ?: "") < 0) {
                json_object_put(config);
                return berth_error(err, ENOMEM, "network `%s`", net);
        }
        char *env[] = { CNI_PATH_ENV, e_cmd, e_id, e_netns, e_if, e_args, cni_path, NULL };
        r = plugin_exec(binary, env,
                        json_object_to_json_string_ext(config, JSON_C_TO_STRING_PLAIN),
                        o->timeout_usec ?: CNI_TIMEOUT_DEFAULT_USEC, &run);
        json_object_put(config);
        if (r < 0)
                return berth_error(err, -r, "network `%s`: plugin `%s` %s", net, type_name,
                                   command_names[cmd]);
        if (run.status != 0) {
                /* CNI's error result: {"code": N, "msg": "...", "details": "..."}. */
                struct json_object *e = run.out ? json_tokener_parse(run.out) : NULL, *m, *d;
                const char *msg = NULL, *details = NULL;
                if (json_object_is_type(e, json_type_object)) {
                        if (json_object_object_get_ex(e, "msg", &m))
                                msg = json_object_get_string(m);
                        if (json_object_object_get_ex(e, "details", &d))
                                details = json_object_get_string(d);
                }
                if (!msg && run.errout)
                        run.errout[strcspn(run.errout, "\n")] = 0;
                r = berth_error_plain(err, EIO, "network `%s`: plugin `%s` %s: %s%s%s%s", net,
                                      type_name, command_names[cmd],
                                      msg ?: run.errout ?: "it failed",
                                      details && *details ? " (" : "", details ?: "",
                                      details && *details ? ")" : "");
                json_object_put(e);
                return r;
        }
        if (cmd == CNI_ADD) {
                struct json_object *res = run.out ? json_tokener_parse(run.out) : NULL;
                if (!json_object_is_type(res, json_type_object)) {
                        json_object_put(res);
                        return berth_error_plain(err, EIO, "network `%s`: plugin `%s` ADD gave no "
                                                 "result", net, type_name);
                }
                *ret_result = res;
        }
        return 0;
}

static char *cache_path(const char *network, const CniAttachment *a, const CniOptions *o)
{
        char *p = NULL;

        if (!is_safe_name(a->container_id, 128) || !is_safe_name(a->ifname, 15))
                return NULL;
        return asprintf(&p, "%s/%s-%s-%s.json", o->cache_dir, network, a->container_id,
                        a->ifname) < 0 ? NULL : p;
}

static int cache_write(const CniNetwork *n, const CniAttachment *a, const CniOptions *o,
                       struct json_object *result, BerthError **err)
{
        _cleanup_free_ char *path = cache_path(n->name, a, o);
        struct json_object *c = json_object_new_object();
        const char *text;
        int r;

        if (!path || !c) {
                json_object_put(c);
                return berth_error_plain(err, EINVAL, "network `%s`: the container id `%s` or "
                                         "interface `%s` cannot name a cache file", n->name,
                                         a->container_id, a->ifname);
        }
        json_object_object_add(c, "kind", json_object_new_string("berthCniCacheV1"));
        json_object_object_add(c, "containerId", json_object_new_string(a->container_id));
        json_object_object_add(c, "ifName", json_object_new_string(a->ifname));
        json_object_object_add(c, "netns", json_object_new_string(a->netns ?: ""));
        json_object_object_add(c, "config", json_object_get(n->conf));
        if (a->capability_args)
                json_object_object_add(c, "capabilityArgs", json_object_get(a->capability_args));
        json_object_object_add(c, "result", json_object_get(result));
        (void)fs_mkdir_p(o->cache_dir, 0700);
        text = json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN);
        r = fs_write_file_atomic(path, text, strlen(text), 0600);
        json_object_put(c);
        return r < 0 ? berth_error(err, -r, "write `%s`", path) : 0;
}

static int cache_read(const char *network, const CniAttachment *a, const CniOptions *o,
                      struct json_object **ret, BerthError **err)
{
        _cleanup_free_ char *path = cache_path(network, a, o), *data = NULL;
        struct json_object *c;
        size_t n = 0;
        int r;

        if (!path)
                return -ENOENT;
        r = fs_read_full_file_limited(AT_FDCWD, path, CNI_CONFLIST_MAX * 2, &data, &n, NULL);
        if (r < 0)
                return r == -ENOENT ? -ENOENT : berth_error(err, -r, "read `%s`", path);
        c = json_tokener_parse(data);
        if (!json_object_is_type(c, json_type_object)) {
                json_object_put(c);
                return berth_error_plain(err, EINVAL, "`%s` is no CNI cache", path);
        }
        *ret = c;
        return 0;
}

int cni_cached_result(const char *network, const CniAttachment *a, const CniOptions *o,
                      struct json_object **ret, BerthError **err)
{
        struct json_object *c = NULL, *res;
        int r = cache_read(network, a, o, &c, err);

        if (r < 0)
                return r;
        if (!json_object_object_get_ex(c, "result", &res)) {
                json_object_put(c);
                return -ENOENT;
        }
        *ret = json_object_get(res);
        json_object_put(c);
        return 0;
}

static struct json_object *plugins_of(struct json_object *conf)
{
        struct json_object *p = NULL;
        json_object_object_get_ex(conf, "plugins", &p);
        return p;
}

/* portmap given no port mappings does nothing, ADD, CHECK or DEL (plugins 1.1: its result is
 * the previous one, and no iptables call): its exec (some 10 ms each way) is spared. The
 * container's ports never change, so a DEL skips it exactly when the ADD did. */
static bool plugin_skipped(struct json_object *plugin, const CniAttachment *a)
{
        struct json_object *type, *maps;

        if (!json_object_object_get_ex(plugin, "type", &type) ||
            !streq(json_object_get_string(type), "portmap") ||
            json_object_object_get_ex(plugin, "runtimeConfig", NULL))
                return false;
        return !a->capability_args ||
               !json_object_object_get_ex(a->capability_args, "portMappings", &maps) ||
               !json_object_is_type(maps, json_type_array) ||
               json_object_array_length(maps) == 0;
}

/* DEL of plugins [0, upto) in reverse order; every one runs, the first error is kept. */
static int del_plugins(const char *net, const char *version, struct json_object *plugins,
                       size_t upto, struct json_object *prev, const CniAttachment *a,
                       const CniOptions *o, BerthError **err)
{
        int ret = 0;

        for (size_t i = upto; i-- > 0;) {
                struct json_object *p = json_object_array_get_idx(plugins, i);
                BerthError *one = NULL;
                if (plugin_skipped(p, a))
                        continue;
                int r = call_plugin(CNI_DEL, net, version, p, prev, a, o, NULL, &one);
                if (r < 0 && ret == 0) {
                        ret = r;
                        if (err && !*err)
                                *err = one;
                        else
                                berth_error_free(&one);
                } else
                        berth_error_free(&one);
        }
        return ret;
}

int cni_add(const CniNetwork *n, const CniAttachment *a, const CniOptions *o,
            struct json_object **ret_result, BerthError **err)
{
        struct json_object *plugins = plugins_of(n->conf), *prev = NULL;
        size_t count = json_object_array_length(plugins);
        _cleanup_free_ char *cache = cache_path(n->name, a, o);
        int r;

        if (!cache) {
                return berth_error_plain(err, EINVAL, "network `%s`: the container id `%s` or "
                                         "interface `%s` is not a plain name", n->name,
                                         a->container_id, a->ifname);
        }
        size_t last = 0; /* the last plugin to run */
        for (size_t i = 0; i < count; i++)
                if (!plugin_skipped(json_object_array_get_idx(plugins, i), a))
                        last = i;
        for (size_t i = 0; i <= last && count > 0; i++) {
                struct json_object *res = NULL;
                if (plugin_skipped(json_object_array_get_idx(plugins, i), a))
                        continue;
                r = call_plugin(CNI_ADD, n->name, n->cni_version,
                                json_object_array_get_idx(plugins, i), prev, a, o, &res, err);
                if (r < 0) {
                        /* Undo what was added, up to and with the failed plugin. */
                        (void)del_plugins(n->name, n->cni_version, plugins, i + 1, prev, a, o,
                                          NULL);
                        (void)unlink(cache);
                        json_object_put(prev);
                        return r;
                }
                json_object_put(prev);
                prev = res;
                /* The result so far, cached before the next plugin runs: a caller killed
                 * during it leaves a DEL (its repair) what the plugins before had set up, the
                 * addresses above all, which firewall's and portmap's DEL need. */
                if (i < last)
                        (void)cache_write(n, a, o, prev, NULL);
        }
        r = cache_write(n, a, o, prev, err);
        if (r < 0) {
                (void)del_plugins(n->name, n->cni_version, plugins, count, prev, a, o, NULL);
                json_object_put(prev);
                return r;
        }
        if (ret_result)
                *ret_result = prev;
        else
                json_object_put(prev);
        return 0;
}

int cni_check(const CniNetwork *n, const CniAttachment *a, const CniOptions *o,
              BerthError **err)
{
        struct json_object *plugins = plugins_of(n->conf), *prev = NULL;
        int r;

        r = cni_cached_result(n->name, a, o, &prev, err);
        if (r == -ENOENT)
                return berth_error_plain(err, ENOENT, "network `%s`: `%s` was never added to it",
                                         n->name, a->container_id);
        if (r < 0)
                return r;
        for (size_t i = 0; i < json_object_array_length(plugins) && r >= 0; i++)
                if (!plugin_skipped(json_object_array_get_idx(plugins, i), a))
                        r = call_plugin(CNI_CHECK, n->name, n->cni_version,
                                        json_object_array_get_idx(plugins, i), prev, a, o, NULL,
                                        err);
        json_object_put(prev);
        return r;
}

int cni_del(const CniNetwork *n, const CniAttachment *a, const CniOptions *o, BerthError **err)
{
        _cleanup_cni_network_ CniNetwork *cached = NULL;
        _cleanup_free_ char *path = NULL;
        struct json_object *c = NULL, *conf, *res = NULL;
        const CniNetwork *use = n;
        int r;

        r = cache_read(n ? n->name : "", a, o, &c, err);
        if (r < 0 && r != -ENOENT)
                return r;
        if (r >= 0 && json_object_object_get_ex(c, "config", &conf)) {
                const char *text = json_object_to_json_string_ext(conf, JSON_C_TO_STRING_PLAIN);
                if (cni_network_parse(text, strlen(text), "the cached network", &cached, NULL) >= 0)
                        use = cached;
                json_object_object_get_ex(c, "result", &res);
        }
        if (!use) {
                json_object_put(c);
                return berth_error_plain(err, ENOENT, "network: nothing is known of `%s` "
                                         "(no cache, no configuration)", a->container_id);
        }
        r = del_plugins(use->name, use->cni_version, plugins_of(use->conf),
                        json_object_array_length(plugins_of(use->conf)), res, a, o, err);
        json_object_put(c);
        if (r < 0)
                return r;
        path = cache_path(use->name, a, o);
        if (path && unlink(path) < 0 && errno != ENOENT)
                return berth_error(err, errno, "remove `%s`", path);
        return 0;
}
