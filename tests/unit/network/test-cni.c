/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CNI driver with Debian's real plugins (bridge, host-local, loopback) on a network
 * namespace the test makes, in a subnet of its own: ADD gives the container an address, CHECK
 * passes, DEL removes the veth, the IPAM lease and the cache; an ADD that fails half way undoes
 * what it added; bad conflists are refused clearly. Needs root and containernetworking-plugins
 * (skipped otherwise).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/macro.h"
#include "network/cni.h"
#include "network/netns.h"
#include "tap.h"

static const char *const plugin_dirs[] = { "/usr/lib/cni", "/opt/cni/bin", NULL };
static char work[] = "/tmp/test-cni.XXXXXX";
static char netns_dir[256], cache_dir[256];

static bool usable(void)
{
        return geteuid() == 0 && access("/usr/lib/cni/bridge", X_OK) == 0;
}

static int setup(void)
{
        static bool made; /* the template's last letter may well be an X once filled in */

        if (!made && !mkdtemp(work))
                return -errno;
        made = true;
        snprintf(netns_dir, sizeof(netns_dir), "%s/netns", work);
        snprintf(cache_dir, sizeof(cache_dir), "%s/cache", work);
        return 0;
}

/* A bridge network of the test's own: its bridge name, subnet and lease directory. */
static char *conflist(const char *name, const char *bridge, const char *subnet, const char *type)
{
        char *s = NULL;
        if (asprintf(&s,
                     "{\"cniVersion\":\"1.0.0\",\"name\":\"%s\",\"plugins\":["
                     "{\"type\":\"%s\",\"bridge\":\"%s\",\"isGateway\":true,\"ipMasq\":false,"
                     "\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"%s\"}]],"
                     "\"dataDir\":\"%s/ipam\"}},"
                     "{\"type\":\"loopback\"}]}",
                     name, type, bridge, subnet, work) < 0)
                return NULL;
        return s;
}

static int lease_count(void)
{
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "ls %s/ipam/*/ | grep -c '^10\\.'", work);
        FILE *p = popen(cmd, "r");
        int n = 0;
        if (p) {
                if (fscanf(p, "%d", &n) != 1)
                        n = 0;
                pclose(p);
        }
        return n;
}

TEST(add_check_del)
{
        _cleanup_free_ char *text = NULL, *ns = NULL;
        _cleanup_cni_network_ CniNetwork *n = NULL;
        struct json_object *res = NULL, *ips;
        BerthError *err = NULL;
        char cmd[512];

        if (!usable())
                return TEST_SKIP;
        ASSERT_OK(setup());
        ASSERT_NOT_NULL(text = conflist("berthtest0", "berthtbr0", "10.199.77.0/24", "bridge"));
        ASSERT_OK(cni_network_parse(text, strlen(text), "test", &n, NULL));
        ASSERT_OK(netns_create(netns_dir, "c1", &ns, NULL));
        ASSERT_TRUE(netns_is_held(ns));
        CniAttachment a = { .container_id = "c1", .netns = ns, .ifname = "eth0" };
        CniOptions o = { .plugin_dirs = plugin_dirs, .cache_dir = cache_dir };

        if (cni_add(n, &a, &o, &res, &err) < 0)
                TAP_FAIL("ADD: %s", err->msg);
        ASSERT_TRUE(json_object_object_get_ex(res, "ips", &ips));
        ASSERT_CONTAINS(json_object_to_json_string(ips), "10.199.77.");
        json_object_put(res);
        snprintf(cmd, sizeof(cmd), "nsenter --net=%s ip -4 addr show eth0 | grep -q 10.199.77.",
                 ns);
        ASSERT_OK(system(cmd));
        snprintf(cmd, sizeof(cmd), "nsenter --net=%s ip link show lo | grep -q UP", ns);
        ASSERT_OK(system(cmd));
        ASSERT_EQ(lease_count(), 1);
        if (cni_check(n, &a, &o, &err) < 0)
                TAP_FAIL("CHECK: %s", err->msg);

        if (cni_del(n, &a, &o, &err) < 0)
                TAP_FAIL("DEL: %s", err->msg);
        ASSERT_EQ(lease_count(), 0);
        snprintf(cmd, sizeof(cmd), "nsenter --net=%s ip link show eth0 >/dev/null 2>&1", ns);
        ASSERT_TRUE(system(cmd) != 0);
        ASSERT_EQ(cni_cached_result("berthtest0", &a, &o, &res, NULL), -ENOENT);
        /* DEL again, with nothing cached: the plugins are asked again and do not mind. */
        ASSERT_OK(cni_del(n, &a, &o, NULL));
        ASSERT_OK(netns_remove(ns, NULL));
        ASSERT_FALSE(netns_is_held(ns));
        ASSERT_OK(netns_remove(ns, NULL));
        (void)!system("ip link del berthtbr0 2>/dev/null");
        return 0;
}

TEST(half_done_add_is_undone)
{
        /* host-local allocates, then the bridge fails (its bridge name is too long): the lease
         * must be given back. */
        _cleanup_free_ char *text = NULL, *ns = NULL;
        _cleanup_cni_network_ CniNetwork *n = NULL;
        BerthError *err = NULL;

        if (!usable())
                return TEST_SKIP;
        ASSERT_OK(setup());
        ASSERT_NOT_NULL(text = conflist("berthtest1", "this-bridge-name-is-too-long",
                                        "10.199.78.0/24", "bridge"));
        ASSERT_OK(cni_network_parse(text, strlen(text), "test", &n, NULL));
        ASSERT_OK(netns_create(netns_dir, "c2", &ns, NULL));
        CniAttachment a = { .container_id = "c2", .netns = ns, .ifname = "eth0" };
        CniOptions o = { .plugin_dirs = plugin_dirs, .cache_dir = cache_dir };

        ASSERT_TRUE(cni_add(n, &a, &o, NULL, &err) < 0);
        ASSERT_CONTAINS(err->msg, "network `berthtest1`: plugin `bridge` ADD: ");
        berth_error_free(&err);
        /* The lease directory exists (host-local ran) and holds no lease. */
        char dir[512];
        struct stat st;
        snprintf(dir, sizeof(dir), "%s/ipam/berthtest1", work);
        ASSERT_OK(stat(dir, &st));
        ASSERT_EQ(lease_count(), 0);
        ASSERT_OK(netns_remove(ns, NULL));
        return 0;
}

TEST(portmap_runs_only_with_port_mappings)
{
        /* A stand-in portmap that writes down each call: given no mappings it is not run,
         * ADD or DEL; given some, it is. */
        _cleanup_free_ char *ns = NULL, *log = NULL;
        _cleanup_cni_network_ CniNetwork *n = NULL;
        char dir[300], path[400], cmd[2048];
        BerthError *err = NULL;
        size_t len = 0;
        FILE *f;

        if (!usable())
                return TEST_SKIP;
        ASSERT_OK(setup());
        snprintf(dir, sizeof(dir), "%s/plugins", work);
        snprintf(path, sizeof(path), "%s/portmap.log", work);
        snprintf(cmd, sizeof(cmd),
                 "mkdir -p %s && ln -sf /usr/lib/cni/loopback %s/loopback && "
                 "printf '#!/bin/sh\\necho $CNI_COMMAND >> %s\\ncat >/dev/null\\n"
                 "echo {\\\\\"cniVersion\\\\\":\\\\\"1.0.0\\\\\"}\\n' > %s/portmap && "
                 "chmod 755 %s/portmap", dir, dir, path, dir, dir);
        ASSERT_OK(system(cmd));
        const char *text = "{\"cniVersion\":\"1.0.0\",\"name\":\"berthtest2\",\"plugins\":["
                           "{\"type\":\"loopback\"},{\"type\":\"portmap\",\"capabilities\":"
                           "{\"portMappings\":true}}]}";
        ASSERT_OK(cni_network_parse(text, strlen(text), "test", &n, NULL));
        ASSERT_OK(netns_create(netns_dir, "c4", &ns, NULL));
        const char *const dirs[] = { dir, NULL };
        CniOptions o = { .plugin_dirs = dirs, .cache_dir = cache_dir };
        CniAttachment a = { .container_id = "c4", .netns = ns, .ifname = "eth0" };

        if (cni_add(n, &a, &o, NULL, &err) < 0 || cni_del(n, &a, &o, &err) < 0)
                TAP_FAIL("without mappings: %s", err->msg);
        ASSERT_EQ(access(path, F_OK), -1);
        struct json_object *caps = json_tokener_parse(
                "{\"portMappings\":[{\"hostPort\":18080,\"containerPort\":80,"
                "\"protocol\":\"tcp\"}]}");
        a.capability_args = caps;
        if (cni_add(n, &a, &o, NULL, &err) < 0 || cni_del(n, &a, &o, &err) < 0)
                TAP_FAIL("with mappings: %s", err->msg);
        json_object_put(caps);
        f = fopen(path, "re");
        ASSERT_NOT_NULL(f);
        ASSERT_TRUE(getdelim(&log, &len, 0, f) > 0);
        fclose(f);
        ASSERT_STREQ(log, "ADD\nDEL\n");
        ASSERT_OK(netns_remove(ns, NULL));
        return 0;
}

TEST(bad_conflists_and_names)
{
        static const struct {
                const char *text, *why;
        } bad[] = {
                { "[]", "not a JSON object" },
                { "{\"cniVersion\":\"1.0.0\",\"name\":\"../x\",\"plugins\":[{\"type\":\"b\"}]}",
                  "`name`" },
                { "{\"name\":\"x\",\"plugins\":[{\"type\":\"b\"}]}", "`cniVersion`" },
                { "{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"plugins\":[]}", "`plugins`" },
                { "{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"plugins\":[{\"type\":\"/bin/sh\"}]}",
                  "`plugins[0].type`" },
                { "{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"plugins\":[{}]} trailing",
                  "not a JSON document" },
        };
        _cleanup_free_ char *ns = NULL;
        CniNetwork *n = NULL;
        BerthError *err = NULL;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ASSERT_EQ(cni_network_parse(bad[i].text, strlen(bad[i].text), "net.conflist", &n,
                                            &err), -EINVAL);
                if (!strstr(err->msg, bad[i].why))
                        TAP_FAIL("%s: %s", bad[i].text, err->msg);
                berth_error_free(&err);
        }
        ASSERT_OK(setup());
        ASSERT_EQ(netns_create(netns_dir, "../escape", &ns, &err), -EINVAL);
        berth_error_free(&err);

        const char *missing = "{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"plugins\":"
                              "[{\"type\":\"no-such-plugin\"}]}";
        ASSERT_OK(cni_network_parse(missing, strlen(missing), "t", &n, NULL));
        CniAttachment a = { .container_id = "c3", .netns = "/proc/self/ns/net", .ifname = "eth0" };
        CniOptions o = { .plugin_dirs = plugin_dirs, .cache_dir = cache_dir };
        ASSERT_EQ(cni_add(n, &a, &o, NULL, &err), -ENOENT);
        ASSERT_STREQ(err->msg, "network `x`: no plugin `no-such-plugin` in the plugin "
                               "directories");
        berth_error_free(&err);
        CniAttachment bad_id = { .container_id = "../c", .netns = "/x", .ifname = "eth0" };
        ASSERT_EQ(cni_add(n, &bad_id, &o, NULL, &err), -EINVAL);
        berth_error_free(&err);
        cni_network_free(n);

        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
        ASSERT_OK(system(cmd));
        return 0;
}
