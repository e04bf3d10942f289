/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `inspect` of a container: Docker's document, from the row (Config, HostConfig as stored at
 * create), the shim's state (State, Health) and the paths the engine keeps. The CLI prints it
 * and the Docker API can serve it as it is. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/engine-internal.h"
#include "engine/engine-network.h"
#include "engine/mount-spec.h"

#define HEALTH_MAX (64 * 1024)
#define ZERO_TIME "0001-01-01T00:00:00Z" /* Go's zero time, Docker's "never" */

static void add(struct json_object *o, const char *key, struct json_object *v)
{
        json_object_object_add(o, key, v);
}

static struct json_object *str(const char *s)
{
        return json_object_new_string(s ? s : "");
}

static struct json_object *state_json(const EngineContainer *c)
{
        struct json_object *s = json_object_new_object();

        add(s, "Status", str(engine_state_name(c->state)));
        add(s, "Running", json_object_new_boolean(c->state == ENGINE_STATE_RUNNING ||
                                                  c->state == ENGINE_STATE_PAUSED));
        add(s, "Paused", json_object_new_boolean(c->state == ENGINE_STATE_PAUSED));
        add(s, "Restarting", json_object_new_boolean(c->state == ENGINE_STATE_RESTARTING));
        add(s, "OOMKilled", json_object_new_boolean(c->oom_killed));
        add(s, "Dead", json_object_new_boolean(c->state == ENGINE_STATE_DEAD));
        add(s, "Pid", json_object_new_int(c->pid));
        /* The engine's 255 while it runs is "unknown yet": Docker says 0 until it exits. */
        add(s, "ExitCode", json_object_new_int(c->state == ENGINE_STATE_EXITED ||
                                                               c->state == ENGINE_STATE_DEAD ||
                                                               c->state == ENGINE_STATE_RESTARTING
                                                       ? c->exit_code
                                                       : 0));
        add(s, "Error", str(""));
        add(s, "StartedAt", str(c->started_at ? c->started_at : ZERO_TIME));
        add(s, "FinishedAt", str(c->finished_at ? c->finished_at : ZERO_TIME));
        /* health.json is the shim's: taken only when it is an object of a sane size. */
        if (c->health && strlen(c->health) <= HEALTH_MAX) {
                struct json_object *h = jwalk_parse_object(c->health, strlen(c->health));
                if (h)
                        add(s, "Health", h);
        }
        return s;
}

/* Path and Args: the entrypoint and the command as one argv, its first word the Path. */
static void path_args(struct json_object *doc, struct json_object *cfg)
{
        struct json_object *args = json_object_new_array();
        const char *path = NULL;
        static const char *const keys[] = { "Entrypoint", "Cmd" };

        for (size_t k = 0; k < ELEMENTSOF(keys) && cfg; k++) {
                struct json_object *a = jwalk_member(cfg, keys[k]);
                if (!a || !json_object_is_type(a, json_type_array))
                        continue;
                for (size_t i = 0; i < json_object_array_length(a); i++) {
                        struct json_object *v = json_object_array_get_idx(a, i);
                        if (!json_object_is_type(v, json_type_string))
                                continue;
                        if (!path)
                                path = json_object_get_string(v);
                        else
                                json_object_array_add(args, json_object_get(v));
                }
        }
        add(doc, "Path", str(path));
        add(doc, "Args", args);
}

/* Docker's Mounts from what was asked for at create (the stored HostConfig's "Binds": "v:",
 * "m:" and "t:" entries, see host_config_json()). */
static struct json_object *mounts_json(struct json_object *host)
{
        struct json_object *out = json_object_new_array();
        struct json_object *binds = host ? jwalk_member(host, "Binds") : NULL;

        for (size_t i = 0; binds && json_object_is_type(binds, json_type_array) &&
                           i < json_object_array_length(binds);
             i++) {
                struct json_object *b = json_object_array_get_idx(binds, i);
                const char *s = json_object_is_type(b, json_type_string) ? json_object_get_string(b)
                                                                         : "";
                _cleanup_error_ BerthError *err = NULL;
                MountSpec m = {};
                int r;

                if (startswith(s, "v:"))
                        r = mount_spec_parse_volume(s + 2, &m, &err);
                else if (startswith(s, "m:"))
                        r = mount_spec_parse_mount(s + 2, &m, &err);
                else if (startswith(s, "t:"))
                        r = mount_spec_parse_tmpfs(s + 2, &m, &err);
                else
                        continue;
                if (r < 0)
                        continue;
                struct json_object *o = json_object_new_object();
                add(o, "Type", str(m.kind == MOUNT_SPEC_BIND     ? "bind"
                                   : m.kind == MOUNT_SPEC_TMPFS ? "tmpfs"
                                                                : "volume"));
                if (m.kind == MOUNT_SPEC_VOLUME)
                        add(o, "Name", str(m.source));
                add(o, "Source", str(m.kind == MOUNT_SPEC_BIND ? m.source : ""));
                add(o, "Destination", str(m.target));
                add(o, "Mode", str(m.readonly ? "ro" : ""));
                add(o, "RW", json_object_new_boolean(!m.readonly));
                add(o, "Propagation", str(m.kind == MOUNT_SPEC_BIND
                                                  ? (m.propagation ? m.propagation : "rprivate")
                                                  : ""));
                json_object_array_add(out, o);
                mount_spec_done(&m);
        }
        return out;
}

/* Docker's HostConfig from the stored one, whose "Binds" holds every -v, --mount and --tmpfs
 * as given behind a "v:", "m:" or "t:": Binds gets the named and bind -v strings (null when
 * none), Mounts the --mount ones as objects, Tmpfs the --tmpfs ones by target. */
static struct json_object *host_config_json(struct json_object *stored)
{
        struct json_object *host = NULL, *raw, *binds, *mounts, *tmpfs;

        if (!stored || json_object_deep_copy(stored, &host, NULL) < 0 || !host)
                return json_object_new_object();
        raw = jwalk_member(stored, "Binds");
        binds = json_object_new_array();
        mounts = json_object_new_array();
        tmpfs = json_object_new_object();
        for (size_t i = 0; raw && json_object_is_type(raw, json_type_array) &&
                           i < json_object_array_length(raw);
             i++) {
                struct json_object *b = json_object_array_get_idx(raw, i);
                const char *s = json_object_is_type(b, json_type_string) ? json_object_get_string(b)
                                                                         : "";
                _cleanup_error_ BerthError *err = NULL;
                MountSpec m = {};

                if (startswith(s, "v:")) {
                        /* an anonymous volume is Config.Volumes' alone, as in Docker */
                        if (mount_spec_parse_volume(s + 2, &m, &err) == 0 && m.source)
                                json_object_array_add(binds, json_object_new_string(s + 2));
                } else if (startswith(s, "m:")) {
                        if (mount_spec_parse_mount(s + 2, &m, &err) == 0) {
                                struct json_object *o = json_object_new_object();
                                add(o, "Type", str(m.kind == MOUNT_SPEC_BIND ? "bind"
                                                   : m.kind == MOUNT_SPEC_TMPFS ? "tmpfs"
                                                                                : "volume"));
                                if (m.source)
                                        add(o, "Source", str(m.source));
                                add(o, "Target", str(m.target));
                                if (m.readonly)
                                        add(o, "ReadOnly", json_object_new_boolean(true));
                                json_object_array_add(mounts, o);
                        }
                } else if (startswith(s, "t:")) {
                        const char *colon = strchr(s + 2, ':');
                        _cleanup_free_ char *target = colon ? strndup(s + 2, colon - (s + 2))
                                                            : strdup(s + 2);
                        if (target)
                                add(tmpfs, target, str(colon ? colon + 1 : ""));
                }
                mount_spec_done(&m);
        }
        add(host, "Binds", json_object_array_length(binds) ? binds : NULL);
        if (!json_object_array_length(binds))
                json_object_put(binds);
        if (json_object_array_length(mounts))
                add(host, "Mounts", mounts);
        else
                json_object_put(mounts);
        if (json_object_object_length(tmpfs))
                add(host, "Tmpfs", tmpfs);
        else
                json_object_put(tmpfs);
        return host;
}

static struct json_object *network_settings_json(void)
{
        struct json_object *n = json_object_new_object();

        add(n, "Bridge", str(""));
        add(n, "SandboxID", str(""));
        add(n, "HairpinMode", json_object_new_boolean(false));
        add(n, "Ports", json_object_new_object());
        add(n, "SandboxKey", str(""));
        add(n, "Gateway", str(""));
        add(n, "IPAddress", str(""));
        add(n, "IPPrefixLen", json_object_new_int(0));
        add(n, "MacAddress", str(""));
        add(n, "Networks", json_object_new_object());
        return n;
}

static char *bundle_file(const Engine *e, const char *id, const char *name)
{
        _cleanup_free_ char *dir = engine_container_dir(e, id);
        char *p;

        return dir && asprintf(&p, "%s/%s", dir, name) >= 0 ? p : NULL;
}

int engine_container_inspect(Engine *e, EngineContainer *c, struct json_object **ret,
                             BerthError **err)
{
        _cleanup_(jwalk_putp) struct json_object *doc = json_object_new_object();
        _cleanup_(jwalk_putp) struct json_object *stored = NULL;
        _cleanup_free_ char *log = engine_container_log_path(e, c->id),
                            *resolv = bundle_file(e, c->id, "resolv.conf"),
                            *hostname = bundle_file(e, c->id, "hostname"),
                            *hosts = bundle_file(e, c->id, "hosts"), *name = NULL;
        struct json_object *cfg = NULL, *host = NULL;

        if (!doc || !log || !resolv || !hostname || !hosts || asprintf(&name, "/%s", c->name) < 0)
                return berth_error(err, ENOMEM, "inspect `%s`", c->name);
        stored = jwalk_parse_object(c->config, strlen(c->config));
        if (!stored)
                return berth_error_plain(err, EBADMSG, "inspect `%s`: its stored config is no "
                                         "JSON object", c->name);
        cfg = jwalk_member(stored, "Config");
        host = jwalk_member(stored, "HostConfig");
        if (cfg && !json_object_is_type(cfg, json_type_object))
                cfg = NULL;
        if (host && !json_object_is_type(host, json_type_object))
                host = NULL;

        add(doc, "Id", str(c->id));
        add(doc, "Created", str(c->created));
        path_args(doc, cfg);
        add(doc, "State", state_json(c));
        add(doc, "Image", str(c->image_id));
        add(doc, "ResolvConfPath", str(resolv));
        add(doc, "HostnamePath", str(hostname));
        add(doc, "HostsPath", str(hosts));
        add(doc, "LogPath", str(log));
        add(doc, "Name", str(name));
        add(doc, "RestartCount", json_object_new_int((int)c->restart_count));
        add(doc, "Driver", str(e->sn ? snapshotter_name(e->sn) : e->snapshotter.name));
        add(doc, "Platform", str("linux"));
        add(doc, "MountLabel", str(""));
        add(doc, "ProcessLabel", str(""));
        add(doc, "AppArmorProfile", str(""));
        add(doc, "ExecIDs", NULL);
        add(doc, "HostConfig", host_config_json(host));
        add(doc, "Mounts", mounts_json(host));
        add(doc, "Config", cfg ? json_object_get(cfg) : json_object_new_object());
        add(doc, "NetworkSettings", network_settings_json());
        engine_network_inspect_container(e, c->id, doc);
        *ret = TAKE_PTR(doc);
        return 0;
}
