/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * create: the row (claimed as "creating" by this command), the container's directory, the
 * image's rootfs mounted in it with a writable layer, /etc/hosts, /etc/hostname and
 * /etc/resolv.conf, and config.json. A failure at any step undoes the steps before; a command
 * killed half way leaves a "creating" row the next command tears down (engine_repair()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/confine.h"
#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "basic/time-util.h"
#include "engine/engine-internal.h"
#include "engine/engine-network.h"
#include "engine/engine-seccomp.h"
#include "engine/engine-user.h"
#include "image/builtin-image.h"
#include "image/image-config.h"
#include "image/image-mount.h"
#include "image/image-store.h"

#define SECCOMP_PROFILE_MAX (1U << 20)

typedef struct Create {
        Engine *e;
        const EngineCreateOptions *o;
        char id[65];
        char *name;
        char *dir;          /* <root>/containers/<id> */
        char *rootfs;
        bool mounted;
        ImageRecord *image;
        ImageRunConfig *image_config;
        ExecUser user;
        MountSpec *mounts;
        size_t n_mounts;
        char **new_volumes; /* made by this create: removed again when it fails */
} Create;

static void create_done(Create *x)
{
        free(x->name);
        free(x->dir);
        free(x->rootfs);
        image_record_free(x->image);
        image_run_config_free(x->image_config);
        engine_user_done(&x->user);
        for (size_t i = 0; i < x->n_mounts; i++)
                mount_spec_done(&x->mounts[i]);
        free(x->mounts);
        strv_free(x->new_volumes);
}

static bool name_is_valid(const char *n)
{
        static const char first[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

        return n[0] && strchr(first, n[0]) && strlen(n) <= 128 &&
               strspn(n + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
                       strlen(n + 1);
}

/* Docker's kind of name: adjective_surname, from a short list of each. */
static int name_generate(char **ret)
{
        static const char *const left[] = {
                "brave", "calm", "eager", "gentle", "happy", "keen", "lucid", "merry", "nimble",
                "quiet", "sharp", "steady", "swift", "tender", "vivid", "witty",
        };
        static const char *const right[] = {
                "babbage", "curie", "darwin", "euler", "faraday", "gauss", "hopper", "kepler",
                "lovelace", "noether", "pascal", "ritchie", "shannon", "thompson", "turing",
                "wozniak",
        };
        uint8_t r[4];

        if (getrandom(r, sizeof(r), 0) != sizeof(r))
                return -errno;
        return asprintf(ret, "%s_%s%u", left[r[0] % ELEMENTSOF(left)],
                        right[r[1] % ELEMENTSOF(right)], (unsigned)(r[2] | r[3] << 8) % 100) < 0
                       ? -ENOMEM
                       : 0;
}

static int make_id(char id[static 65])
{
        uint8_t b[32];

        if (getrandom(b, sizeof(b), 0) != sizeof(b))
                return -errno;
        for (size_t i = 0; i < sizeof(b); i++)
                sprintf(id + 2 * i, "%02x", b[i]);
        return 0;
}

/* The image: its record and its run config. */
static int create_resolve_image(Create *x, BerthError **err)
{
        Engine *e = x->e;
        int r;

        r = image_resolve_or_builtin(e->cs, e->store, e->sn, e->builtin_layout, x->o->image,
                                     &x->image, err);
        if (r < 0)
                return r;
        return image_run_config_load(e->cs, x->image->id, &x->image_config, err);
}

/* The row, claimed by this command: from here on a failure undoes it. */
static int create_record(Create *x, BerthError **err)
{
        _cleanup_free_ char *config = NULL;
        char created[64];
        int r;

        if (x->o->name) {
                if (!name_is_valid(x->o->name[0] == '/' ? x->o->name + 1 : x->o->name))
                        return berth_error_plain(err, EINVAL,
                                                 "invalid container name `%s`: only "
                                                 "[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                                                 x->o->name);
                x->name = strdup(x->o->name[0] == '/' ? x->o->name + 1 : x->o->name);
        } else if (name_generate(&x->name) < 0)
                x->name = NULL;
        if (!x->name || make_id(x->id) < 0)
                return berth_error(err, ENOMEM, "create");
        r = engine_record_config_build(x->o, x->image_config, x->o->image, &config, err);
        if (r < 0)
                return r;
        time_format_rfc3339_now(created, sizeof(created));
        for (int attempt = 0;; attempt++) {
                _cleanup_error_ BerthError *e2 = NULL;
                r = engine_record_insert(x->e, x->id, x->name, x->o->image, x->image->id,
                                         created, config, x->o->name ? err : &e2);
                /* A generated name that is taken: another one. */
                if (r != -EEXIST || x->o->name || attempt > 20)
                        break;
                free(x->name);
                if (name_generate(&x->name) < 0)
                        return berth_error(err, ENOMEM, "create");
        }
        if (r < 0 && !(err && *err))
                return berth_error(err, r, "create");
        return r;
}

/* The directory and the image's rootfs in it. */
static int create_rootfs(Create *x, BerthError **err)
{
        Engine *e = x->e;
        int r;

        x->dir = engine_container_dir(e, x->id);
        if (!x->dir || asprintf(&x->rootfs, "%s/rootfs", x->dir) < 0)
                return berth_error(err, ENOMEM, "create");
        r = fs_mkdir_p(x->rootfs, 0700);
        if (r < 0)
                return berth_error(err, r, "create `%s`", x->rootfs);
        r = image_mount(e->cs, e->store, e->sn, e->builtin_layout, x->image->id, x->rootfs, NULL,
                        err);
        if (r < 0)
                return r;
        x->mounted = true;
        return 0;
}

/* The host's resolv.conf without loopback resolvers (they are the host's own, unreachable
 * from the container's network namespace). */
static int write_resolv_conf(int dirfd, BerthError **err)
{
        _cleanup_free_ char *host = NULL, *out = NULL;
        size_t len = 0, n = 0;
        int r;

        r = fs_read_full_file_limited(AT_FDCWD, "/etc/resolv.conf", 64 * 1024, &host, &len, NULL);
        out = calloc(1, len + 1);
        if (!out)
                return berth_error(err, ENOMEM, "resolv.conf");
        for (char *line = r >= 0 ? host : NULL, *next; line && *line; line = next) {
                next = strchrnul(line, '\n');
                size_t l = (size_t)(next - line);
                if (*next)
                        next++;
                char ns[64];
                if (sscanf(line, "nameserver %63s", ns) == 1 &&
                    (startswith(ns, "127.") || streq(ns, "::1")))
                        continue;
                memcpy(out + n, line, l);
                n += l;
                out[n++] = '\n';
        }
        r = fs_write_file_replace_at(dirfd, "resolv.conf", out, n, 0644);
        return r < 0 ? berth_error(err, r, "write resolv.conf") : 0;
}

static int create_etc_files(Create *x, const char *hostname, BerthError **err)
{
        _cleanup_close_ int dirfd = open(x->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_free_ char *hosts = NULL, *hn = NULL;
        int r;

        if (dirfd < 0)
                return berth_error(err, errno, "open `%s`", x->dir);
        if (asprintf(&hn, "%s\n", hostname) < 0 ||
            asprintf(&hosts, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                             "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\n"
                             "ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"
                             "127.0.1.1\t%s\n", hostname) < 0)
                return berth_error(err, ENOMEM, "create");
        r = fs_write_file_replace_at(dirfd, "hostname", hn, strlen(hn), 0644);
        if (r >= 0)
                r = fs_write_file_replace_at(dirfd, "hosts", hosts, strlen(hosts), 0644);
        if (r < 0)
                return berth_error(err, r, "write the container's /etc files");
        return write_resolv_conf(dirfd, err);
}

/* A volume mount's source becomes the volume's directory (the volume taken for this
 * container, made and filled from the image when new). */
static int create_volume_source(Create *x, int rootfd, MountSpec *s, BerthError **err)
{
        _cleanup_free_ char *created = NULL;
        char *source = NULL;
        int r;

        r = engine_volume_attach(x->e, x->id, rootfd, s, &source, &created, err);
        if (r < 0)
                return r;
        free(s->source);
        s->source = source;
        if (created && strv_push(&x->new_volumes, TAKE_PTR(created)) < 0)
                return berth_error(err, ENOMEM, "create");
        return 0;
}

static int create_add_mount(Create *x, MountSpec *s, BerthError **err)
{
        MountSpec *n = realloc(x->mounts, (x->n_mounts + 1) * sizeof(*n));

        if (!n) {
                mount_spec_done(s);
                return berth_error(err, ENOMEM, "create");
        }
        x->mounts = n;
        x->mounts[x->n_mounts++] = *s;
        *s = (MountSpec){};
        return 0;
}

/* Whether a mount already covers target (compared as cleaned paths: "/data/" is "/data"). */
static bool create_has_target(Create *x, const char *target)
{
        _cleanup_free_ char *t = strdup(target);

        if (!t)
                return false;
        confine_clean_path(t);
        for (size_t i = 0; i < x->n_mounts; i++) {
                _cleanup_free_ char *m = strdup(x->mounts[i].target);
                if (!m)
                        return false;
                confine_clean_path(m);
                if (streq(m, t))
                        return true;
        }
        return false;
}

/* -v, --mount and --tmpfs, then an anonymous volume for each of the image's Volumes that no
 * mount covers (as docker). */
static int create_mounts(Create *x, int rootfd, BerthError **err)
{
        STRV_FOREACH(m, x->o->mounts) {
                MountSpec s = {};
                int r;

                if (startswith(*m, "v:"))
                        r = mount_spec_parse_volume(*m + 2, &s, err);
                else if (startswith(*m, "m:"))
                        r = mount_spec_parse_mount(*m + 2, &s, err);
                else
                        r = mount_spec_parse_tmpfs(*m + 2, &s, err);
                if (r < 0)
                        return r;
                if (s.kind == MOUNT_SPEC_VOLUME)
                        r = create_volume_source(x, rootfd, &s, err);
                if (r >= 0 && s.kind == MOUNT_SPEC_BIND) {
                        struct stat st;
                        if (stat(s.source, &st) < 0)
                                r = berth_error(err, errno, "bind source `%s`", s.source);
                }
                if (r < 0) {
                        mount_spec_done(&s);
                        return r;
                }
                r = create_add_mount(x, &s, err);
                if (r < 0)
                        return r;
        }
        STRV_FOREACH(path, x->image_config->volumes) {
                MountSpec s = { .kind = MOUNT_SPEC_VOLUME };
                int r;

                if ((*path)[0] != '/' || create_has_target(x, *path))
                        continue;
                s.target = strdup(*path);
                if (!s.target)
                        return berth_error(err, ENOMEM, "create");
                r = create_volume_source(x, rootfd, &s, err);
                if (r >= 0)
                        r = create_add_mount(x, &s, err);
                if (r < 0) {
                        mount_spec_done(&s);
                        return berth_error_prefix(err, "the image's volume `%s`", *path);
                }
        }
        return 0;
}

/* The seccomp profile for this container's capabilities: the default, a file, or none. */
static int create_seccomp(Create *x, const EngineSpecOptions *spec, char **ret,
                          BerthError **err)
{
        _cleanup_strv_free_ char **caps = NULL;
        _cleanup_free_ char *profile = NULL;
        const char *p = x->o->seccomp_profile;
        size_t len;
        int r;

        *ret = NULL;
        if (spec->privileged || (p && streq(p, "unconfined")))
                return 0;
        if (p) {
                r = fs_read_full_file_limited(AT_FDCWD, p, SECCOMP_PROFILE_MAX, &profile, &len,
                                              err);
                if (r < 0)
                        return berth_error_prefix(err, "--security-opt seccomp");
        }
        r = engine_spec_capabilities(spec, &caps, err);
        if (r < 0)
                return r;
        r = engine_seccomp_render(profile, caps, NULL, NULL, ret, err);
        return r < 0 ? berth_error_prefix(err, "seccomp profile `%s`", p ?: "default") : 0;
}

static int create_config(Create *x, BerthError **err)
{
        _cleanup_free_ char *json = NULL, *seccomp = NULL, *cgroups = NULL, *path = NULL,
                            *netns = NULL;
        _cleanup_close_ int rootfd = -1;
        EngineSpecOptions spec = x->o->spec;
        char hostname[13];
        int r;

        rootfd = open(x->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return berth_error(err, errno, "open `%s`", x->rootfs);
        r = engine_user_resolve(rootfd, x->o->user ? x->o->user : x->image_config->user,
                                x->o->group_add, &x->user, err);
        if (r < 0)
                return r;
        r = create_mounts(x, rootfd, err);
        if (r < 0)
                return r;
        snprintf(hostname, sizeof(hostname), "%.12s", x->id);
        if (!spec.hostname && !(spec.netns && streq(spec.netns, "host")))
                spec.hostname = hostname;
        r = create_etc_files(x, spec.hostname ? spec.hostname : hostname, err);
        if (r < 0)
                return r;
        if (!(spec.netns && streq(spec.netns, "host")) || x->o->net) {
                r = engine_network_setup(x->e, x->id, x->name,
                                         spec.hostname ? spec.hostname : hostname, x->o->net,
                                         x->image_config, &netns, err);
                if (r < 0)
                        return r;
                if (netns)
                        spec.netns = netns;
        }
        spec.rootfs = x->rootfs;
        spec.image = x->image_config;
        spec.user = &x->user;
        spec.mounts = x->mounts;
        spec.n_mounts = x->n_mounts;
        spec.etc_dir = x->dir;
        spec.init_path = x->o->init ? x->e->init_path : NULL;
        if (x->o->init && !spec.init_path)
                return berth_error_plain(err, ENOENT, "--init: berth-init was not found");
        cgroups = engine_container_cgroup(x->id);
        if (!cgroups)
                return berth_error(err, ENOMEM, "create");
        spec.cgroups_path = cgroups;
        r = create_seccomp(x, &spec, &seccomp, err);
        if (r < 0)
                return r;
        spec.seccomp_json = seccomp;
        r = engine_spec_build(&spec, &json, err);
        if (r < 0)
                return r;
        if (asprintf(&path, "%s/config.json", x->dir) < 0)
                return berth_error(err, ENOMEM, "create");
        r = fs_write_file_atomic(path, json, strlen(json), 0600);
        return r < 0 ? berth_error(err, r, "write `%s`", path) : 0;
}

int engine_container_create(Engine *e, const EngineCreateOptions *o, char **ret_id,
                            BerthError **err)
{
        _cleanup_(create_done) Create x = { .e = e, .o = o };
        bool recorded = false;
        int r;

        if (!o->image)
                return berth_error_plain(err, EINVAL, "an image is needed");
        engine_repair(e);
        r = create_resolve_image(&x, err);
        if (r >= 0)
                r = create_record(&x, err);
        recorded = r >= 0;
        if (r >= 0)
                r = create_rootfs(&x, err);
        if (r >= 0)
                r = create_config(&x, err);
        if (r >= 0)
                r = engine_record_set_state(e, x.id, "ready", err);
        if (r < 0) {
                if (recorded)
                        (void)engine_container_teardown(e, x.id, NULL);
                /* The volumes this create made go too (its rows' links went with the
                 * container's row). */
                engine_volume_remove_unused(e, x.new_volumes);
                return r;
        }
        engine_container_created(e, x.id);
        *ret_id = strdup(x.id);
        return *ret_id ? 0 : berth_error(err, ENOMEM, "create");
}
