/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A bridge network's static iptables rules (firewall.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/process-util.h"
#include "basic/string-util.h"
#include "network/firewall.h"

#define SAVE_MAX ((size_t)64 << 20)
/* Host-wide, as the default network's chains are shared by every store: two berths declaring
 * one chain at once would each empty what the other had written. */
#define LOCK_PATH "/run/lock/berth-firewall.lock"
#define LOCK_PATH_FALLBACK "/run/berth-firewall.lock"

typedef struct Table {
        const char *name;     /* filter, nat */
        const char *builtin;  /* FORWARD, POSTROUTING */
        const char *hook;     /* BERTH-FORWARD, BERTH-POSTROUTING */
        char prefix;          /* F, N: BERTH-F-<bridge> */
        bool insert;          /* hooked first (-I) or last (-A) */
} Table;

static const Table tables[] = {
        { "filter", "FORWARD", "BERTH-FORWARD", 'F', true },
        { "nat", "POSTROUTING", "BERTH-POSTROUTING", 'N', false },
};

static bool has_family(const NetworkConf *c, int family)
{
        for (unsigned i = 0; i < c->n_subnets; i++)
                if (c->subnets[i].family == family)
                        return true;
        return false;
}

/* How many lines of table's section of iptables-save's output f says yes to (at most one when
 * first_only). */
static unsigned saved_match(const char *saved, const char *table,
                            bool (*f)(const char *line, size_t len, const void *arg),
                            const void *arg, bool first_only)
{
        bool in = false;
        unsigned n = 0;

        for (const char *l = saved ?: ""; *l;) {
                const char *end = strchrnul(l, '\n');
                size_t len = (size_t)(end - l);
                if (*l == '*')
                        in = len - 1 == strlen(table) && strncmp(l + 1, table, len - 1) == 0;
                else if (in && f(l, len, arg)) {
                        n++;
                        if (first_only)
                                break;
                }
                l = *end ? end + 1 : end;
        }
        return n;
}

static bool line_is(const char *line, size_t len, const void *arg)
{
        return len == strlen(arg) && strncmp(line, arg, len) == 0;
}

/* ":CHAIN POLICY [n:m]" */
static bool chain_is(const char *line, size_t len, const void *arg)
{
        size_t n = strlen(arg);
        return len > n + 1 && line[0] == ':' && strncmp(line + 1, arg, n) == 0 &&
               line[n + 1] == ' ';
}

typedef struct OtherRule {
        const char *prefix;   /* "-A BERTH-FORWARD " */
        const char *mine;     /* "-A BERTH-FORWARD -j BERTH-F-br0" */
} OtherRule;

/* A rule of the hook chain that is not the jump to this network's chain. */
static bool other_rule(const char *line, size_t len, const void *arg)
{
        const OtherRule *o = arg;
        return len > strlen(o->prefix) && strncmp(line, o->prefix, strlen(o->prefix)) == 0 &&
               !line_is(line, len, o->mine);
}

static bool saved_has_line(const char *saved, const char *table, const char *line)
{
        return saved_match(saved, table, line_is, line, true) > 0;
}

static bool saved_has_chain(const char *saved, const char *table, const char *chain)
{
        return saved_match(saved, table, chain_is, chain, true) > 0;
}

/* How often line is there (a rule may have been added twice by hand). */
static unsigned saved_count(const char *saved, const char *table, const char *line)
{
        return saved_match(saved, table, line_is, line, false);
}

static void chain_name(const Table *t, const NetworkConf *c, char buf[static 32])
{
        snprintf(buf, 32, "BERTH-%c-%s", t->prefix, c->bridge);
}

/* The rules of a network's chain in one table. */
static void write_rules(FILE *f, const Table *t, const NetworkConf *c, int family,
                        const char *chain)
{
        const char *br = c->bridge;

        if (t->prefix == 'F') {
                if (c->internal) {
                        fprintf(f, "-A %s -i %s -o %s -j ACCEPT\n", chain, br, br);
                        fprintf(f, "-A %s -i %s -j DROP\n", chain, br);
                        fprintf(f, "-A %s -o %s -j DROP\n", chain, br);
                        return;
                }
                /* replies, published ports (portmap's DNAT), and all that leaves the bridge
                 * (out of the host, or to a peer on the bridge) */
                fprintf(f, "-A %s -o %s -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n",
                        chain, br);
                fprintf(f, "-A %s -o %s -m conntrack --ctstate DNAT -j ACCEPT\n", chain, br);
                fprintf(f, "-A %s -i %s -j ACCEPT\n", chain, br);
                return;
        }
        for (unsigned i = 0; i < c->n_subnets; i++) {
                char sub[64];
                if (c->subnets[i].family != family)
                        continue;
                network_subnet_format(&c->subnets[i], sub, sizeof(sub));
                /* out of the subnet, as the bridge plugin's ipMasq: multicast is not
                 * masqueraded */
                fprintf(f, "-A %s -s %s ! -d %s ! -o %s -j MASQUERADE\n", chain, sub,
                        family == AF_INET ? "224.0.0.0/4" : "ff00::/8", br);
                /* hairpin: a container to a published port of the host, DNATed back into the
                 * bridge, maybe to itself; the answer must come back through the host */
                fprintf(f, "-A %s -s %s -o %s -m conntrack --ctstate DNAT -j MASQUERADE\n",
                        chain, sub, br);
        }
        /* 127.0.0.1 to a published port (OUTPUT's DNAT, route_localnet on the bridge): the
         * container cannot answer to 127.0.0.1. portmap's snat would do these two per
         * container, in some 10 iptables calls more each way; Docker without its userland
         * proxy has them as rules of the network. */
        if (family == AF_INET)
                fprintf(f, "-A %s -s 127.0.0.0/8 -o %s -j MASQUERADE\n", chain, br);
}

static int script_close(FILE *f, char **buf, bool empty, char **ret)
{
        if (fclose(f) != 0) {
                free(*buf);
                return -ENOMEM;
        }
        if (empty) {
                free(*buf);
                *buf = NULL;
        }
        *ret = *buf;
        return 0;
}

int network_firewall_apply_script(const NetworkConf *c, int family, const char *saved,
                                  char **ret)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        *ret = NULL;
        if (!has_family(c, family))
                return 0;
        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(tables); i++) {
                const Table *t = &tables[i];
                char chain[32], hook[96], jump[96];
                if (t->prefix == 'N' && c->internal)
                        continue;
                chain_name(t, c, chain);
                snprintf(hook, sizeof(hook), "-A %s -j %s", t->builtin, t->hook);
                snprintf(jump, sizeof(jump), "-A %s -j %s", t->hook, chain);
                fprintf(f, "*%s\n", t->name);
                if (!saved_has_chain(saved, t->name, t->hook))
                        fprintf(f, ":%s - [0:0]\n", t->hook);
                /* declared: made, or emptied when it is there (--noflush) */
                fprintf(f, ":%s - [0:0]\n", chain);
                if (!saved_has_line(saved, t->name, hook))
                        fprintf(f, "%s %s -j %s\n", t->insert ? "-I" : "-A", t->builtin,
                                t->hook);
                if (!saved_has_line(saved, t->name, jump))
                        fprintf(f, "%s\n", jump);
                write_rules(f, t, c, family, chain);
                fprintf(f, "COMMIT\n");
        }
        return script_close(f, &buf, false, ret);
}

int network_firewall_remove_script(const NetworkConf *c, int family, const char *saved,
                                   char **ret)
{
        char *buf = NULL;
        size_t size = 0;
        bool any = false;
        FILE *f;

        *ret = NULL;
        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(tables); i++) {
                const Table *t = &tables[i];
                char chain[32], hook[96], jump[96], prefix[64];
                bool has_chain, last;
                unsigned jumps;
                chain_name(t, c, chain);
                snprintf(hook, sizeof(hook), "-A %s -j %s", t->builtin, t->hook);
                snprintf(jump, sizeof(jump), "-A %s -j %s", t->hook, chain);
                snprintf(prefix, sizeof(prefix), "-A %s ", t->hook);
                has_chain = saved_has_chain(saved, t->name, chain);
                jumps = saved_count(saved, t->name, jump);
                if (!has_chain && jumps == 0)
                        continue;
                any = true;
                /* Berth's hook goes with the last network's chain. */
                last = saved_has_chain(saved, t->name, t->hook) &&
                       saved_match(saved, t->name, other_rule,
                                   &(OtherRule){ .prefix = prefix, .mine = jump }, true) == 0;
                fprintf(f, "*%s\n", t->name);
                for (unsigned k = 0; k < jumps; k++)
                        fprintf(f, "-D %s -j %s\n", t->hook, chain);
                if (has_chain)
                        fprintf(f, "-F %s\n-X %s\n", chain, chain);
                if (last) {
                        for (unsigned k = saved_count(saved, t->name, hook); k > 0; k--)
                                fprintf(f, "-D %s -j %s\n", t->builtin, t->hook);
                        fprintf(f, "-X %s\n", t->hook);
                }
                fprintf(f, "COMMIT\n");
        }
        return script_close(f, &buf, !any, ret);
}

int network_bridge_route_localnet(const char *bridge)
{
        char path[128], now[4] = "";
        _cleanup_close_ int fd = -1;

        if (!*bridge || strchr(bridge, '/') || strlen(bridge) > 15)
                return -EINVAL;
        snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/route_localnet", bridge);
        fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (read(fd, now, sizeof(now) - 1) > 0 && now[0] == '1')
                return 0;
        if (lseek(fd, 0, SEEK_SET) < 0 || write(fd, "1", 1) != 1)
                return -errno;
        return 0;
}

/* ---- running iptables-save and iptables-restore ---- */

static char *find_tool(const char *name)
{
        static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin",
                                            "/usr/local/sbin", NULL };

        for (const char *const *d = dirs; *d; d++) {
                char *p = NULL;
                if (asprintf(&p, "%s/%s", *d, name) < 0)
                        return NULL;
                if (access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}

/* Runs tool with args and input on stdin (or /dev/null); stdout into *ret (when ret), stderr
 * into *ret_err (its lines on one). Returns the exit status, or -errno. */
static int run_tool(const char *tool, const char *const *args, const char *input, char **ret,
                    char **ret_err)
{
        _cleanup_free_ char *path = find_tool(tool);
        char *argv[16];
        size_t n = 0;
        int status;

        if (!path)
                return -ENOENT;
        argv[n++] = path;
        for (const char *const *a = args; *a && n < ELEMENTSOF(argv) - 1; a++)
                argv[n++] = (char *)*a;
        argv[n] = NULL;
        status = process_run_output(argv,
                                    (char *[]){ (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                                                (char *)"LC_ALL=C", NULL },
                                    false, input, SAVE_MAX, ret, ret_err);
        /* iptables-restore says where on a second line ("line 3: ...") */
        if (ret_err && *ret_err)
                for (char *p = *ret_err; (p = strchr(p, '\n'));)
                        *p = p[1] ? ' ' : 0;
        return status;
}

static int lock_take(void)
{
        int fd = open(LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

        if (fd < 0)
                fd = open(LOCK_PATH_FALLBACK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        while (flock(fd, LOCK_EX) < 0)
                if (errno != EINTR) {
                        int r = -errno;
                        close(fd);
                        return r;
                }
        return fd;
}

typedef int (*ScriptFn)(const NetworkConf *c, int family, const char *saved, char **ret);

/* iptables-save, the script, iptables-restore of it: for one family, under the lock. */
static int firewall_run(const NetworkConf *c, int family, ScriptFn script, bool missing_ok,
                        BerthError **err)
{
        const char *save = family == AF_INET ? "iptables-save" : "ip6tables-save",
                   *restore = family == AF_INET ? "iptables-restore" : "ip6tables-restore";
        _cleanup_free_ char *saved = NULL, *text = NULL, *msg = NULL;
        _cleanup_close_ int lock = -1;
        int r;

        lock = lock_take();
        if (lock < 0)
                return berth_error(err, lock, "network `%s`: lock `%s`", c->name, LOCK_PATH);
        r = run_tool(save, (const char *[]){ NULL }, NULL, &saved, &msg);
        if (r == -ENOENT && missing_ok)
                return 0;
        if (r < 0)
                return berth_error(err, r, "network `%s`: %s", c->name, save);
        if (r != 0)
                return berth_error_plain(err, EIO, "network `%s`: %s: %s", c->name, save,
                                         msg ?: "it failed");
        r = script(c, family, saved, &text);
        if (r < 0)
                return berth_error(err, r, "network `%s`", c->name);
        if (!text)
                return 0;
        free(msg);
        msg = NULL;
        r = run_tool(restore, (const char *[]){ "--noflush", "--wait", NULL }, text, NULL, &msg);
        if (r < 0)
                return berth_error(err, r, "network `%s`: %s", c->name, restore);
        if (r != 0)
                return berth_error_plain(err, EIO, "network `%s`: its firewall rules: %s: %s",
                                         c->name, restore, msg ?: "it failed");
        return 0;
}

int network_firewall_apply(const NetworkConf *c, BerthError **err)
{
        int r = firewall_run(c, AF_INET, network_firewall_apply_script, false, err);

        if (r >= 0 && has_family(c, AF_INET6))
                r = firewall_run(c, AF_INET6, network_firewall_apply_script, false, err);
        return r;
}

int network_firewall_remove(const NetworkConf *c, BerthError **err)
{
        int r = firewall_run(c, AF_INET, network_firewall_remove_script, true, err);

        if (r < 0)
                return r;
        /* Without an IPv6 subnet there is nothing of c's in ip6tables, which may well be
         * missing or refuse to run (IPv6 off): looked at all the same, nothing is required. */
        if (!has_family(c, AF_INET6)) {
                (void)firewall_run(c, AF_INET6, network_firewall_remove_script, true, NULL);
                return 0;
        }
        return firewall_run(c, AF_INET6, network_firewall_remove_script, false, err);
}
