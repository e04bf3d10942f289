/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup library against the real host (run as root): each test creates its cgroups under
 * /berth-test-<pid>/ on every hierarchy, applies limits, reads the files back, runs children in
 * them and removes everything again, even when an assertion fails (the Ctx cleanup).
 *
 * The same binary covers every layout: the host's own (hybrid here), pure v1 by re-running
 * itself in a private mount namespace with /sys/fs/cgroup/unified unmounted (pure_v1_layout),
 * and pure v2 inside the micro-VM of tests/vm/run-cgroup-v2.sh. BERTH_TEST_EXPECT_LAYOUT=v1|
 * hybrid|v2 makes layout_detect check the detected layout.
 */
#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "basic/error.h"
#include "basic/fs-util.h"
#include "basic/string-util.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/cgroup/cgroup-internal.h"
#include "tap.h"

/* Prints the error object's message when a cgroup call fails. */
#define ASSERT_CG(e)                                                                               \
        do {                                                                                       \
                int _r = (e);                                                                      \
                if (_r < 0)                                                                        \
                        TAP_FAIL("%s failed: %d (%s)", #e, _r, err ? err->msg : strerror(-_r));    \
        } while (0)

static CgroupLayout host_layout(void)
{
        CgroupLayout l = CGROUP_LAYOUT_V1;
        (void)cgroup_detect_layout(&l);
        return l;
}

static bool is_root(void)
{
        return geteuid() == 0 && access("/sys/fs/cgroup", W_OK) == 0;
}

static char *test_path(const char *name)
{
        char buf[256];
        snprintf(buf, sizeof(buf), "/berth-test-%d/%s", (int)getpid(), name);
        char *p = strdup(buf);
        if (!p)
                abort();
        return p;
}

/* True when rel exists on no mounted hierarchy. */
static bool gone_everywhere(const char *rel)
{
        CgroupHierarchies hs = {};
        bool gone = true;

        if (cgroup_hierarchies_detect(&hs) < 0)
                return false;
        for (size_t i = 0; i < hs.n; i++) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s%s", hs.h[i].mount, rel) < 0)
                        abort();
                if (access(p, F_OK) == 0) {
                        printf("# left behind: %s\n", p);
                        gone = false;
                }
        }
        cgroup_hierarchies_clear(&hs);
        return gone;
}

static int read_cg_file(Cgroup *cg, const char *controller, const char *file, char **ret)
{
        const char *dir = cgroup_controller_dir(cg, controller);
        _cleanup_free_ char *p = NULL;

        if (!dir)
                return -ENOENT;
        if (asprintf(&p, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        int r = fs_read_full_file(p, ret, NULL);
        if (r >= 0)
                (*ret)[strcspn(*ret, "\n")] = 0;
        return r;
}

static bool cg_file_exists(Cgroup *cg, const char *controller, const char *file)
{
        const char *dir = cgroup_controller_dir(cg, controller);
        _cleanup_free_ char *p = NULL;

        if (!dir || asprintf(&p, "%s/%s", dir, file) < 0)
                return false;
        return access(p, F_OK) == 0;
}

static bool controller_on_v2(Cgroup *cg, const char *controller)
{
        CgroupHierarchy *h = cgroup_find(cg, controller);
        return h && h->unified;
}

/* A test's cgroup and child, both gone when the test returns, pass or fail. */
typedef struct Ctx {
        Cgroup *cg;
        pid_t child;
        int go; /* write end: one byte lets the child run its job */
        char *path;
} Ctx;

static void ctx_done(Ctx *c)
{
        if (c->child > 0)
                kill(c->child, SIGKILL);
        safe_close(c->go);
        /* destroy before waitpid: a child frozen in the cgroup dies only once thawed */
        if (c->cg) {
                BerthError *err = NULL;
                if (cgroup_destroy(c->cg, &err) < 0)
                        printf("# cleanup: %s\n", err->msg);
                berth_error_free(&err);
                cgroup_free(c->cg);
        }
        if (c->child > 0)
                waitpid(c->child, NULL, 0);
        if (c->path) {
                /* The parent of every test cgroup: gone with its last child. */
                _cleanup_free_ char *parent = strndup(c->path, strrchr(c->path, '/') - c->path);
                if (!gone_everywhere(c->path) || !gone_everywhere(parent))
                        printf("# cleanup: %s left behind\n", c->path);
                free(c->path);
        }
}
#define _cleanup_ctx_ _cleanup_(ctx_done)
#define CTX_INIT { .go = -1 }

typedef int (*ChildJob)(void);

/* Forks a child that waits for a byte on a pipe, then runs job and exits with its result. */
static pid_t spawn(ChildJob job, int *ret_go)
{
        int p[2];

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                char c;
                close(p[1]);
                if (read(p[0], &c, 1) != 1)
                        _exit(99);
                _exit(job ? job() : 0);
        }
        close(p[0]);
        *ret_go = p[1];
        return pid;
}

static int go(Ctx *c)
{
        int r = write(c->go, "x", 1) == 1 ? 0 : -errno;
        c->go = safe_close(c->go);
        return r;
}

/* Bounded: a child still running after 30 s is a failure, never a hung test. */
static int wait_child(Ctx *c, int *ret_status)
{
        int st = 0;
        for (int i = 0; i < 3000; i++) {
                pid_t p = waitpid(c->child, &st, WNOHANG);
                if (p < 0)
                        return -errno;
                if (p == c->child) {
                        c->child = 0;
                        *ret_status = st;
                        return 0;
                }
                usleep(10000);
        }
        printf("# child %d did not exit within 30 s\n", (int)c->child);
        return -ETIMEDOUT;
}

static int job_sleep(void)
{
        for (;;)
                pause();
        return 0;
}

/* ---- pure functions ---- */

TEST(layout_detect)
{
        CgroupLayout l;
        const char *want = getenv("BERTH_TEST_EXPECT_LAYOUT");

        ASSERT_OK(cgroup_detect_layout(&l));
        printf("# layout: %s\n", cgroup_layout_to_string(l));
        if (want)
                ASSERT_STREQ(cgroup_layout_to_string(l), want);
        return 0;
}

TEST(shares_to_weight)
{
        ASSERT_EQ(cgroup_shares_to_weight(0), 0);
        ASSERT_EQ(cgroup_shares_to_weight(2), 1);
        ASSERT_EQ(cgroup_shares_to_weight(1024), 100);
        ASSERT_EQ(cgroup_shares_to_weight(262144), 10000);
        ASSERT_EQ(cgroup_shares_to_weight(1000000), 10000);
        ASSERT_TRUE(cgroup_shares_to_weight(512) < 100 && cgroup_shares_to_weight(512) > 1);
        ASSERT_TRUE(cgroup_shares_to_weight(2048) > 100);
        for (uint64_t s = 2; s < 262144; s += 997)
                ASSERT_TRUE(cgroup_shares_to_weight(s) <= cgroup_shares_to_weight(s + 997));
        return 0;
}

TEST(blkio_weight_to_io_weight)
{
        ASSERT_EQ(cgroup_blkio_weight_to_io_weight(0), 0);
        ASSERT_EQ(cgroup_blkio_weight_to_io_weight(10), 1);
        ASSERT_EQ(cgroup_blkio_weight_to_io_weight(1000), 10000);
        ASSERT_EQ(cgroup_blkio_weight_to_io_weight(500), 1 + 490 * 9999 / 990);
        return 0;
}

TEST(swap_to_v2)
{
        int64_t v;

        ASSERT_EQ(cgroup_swap_to_v2(200, 100, &v), 1);
        ASSERT_EQ(v, 100);
        ASSERT_EQ(cgroup_swap_to_v2(100, 100, &v), 1);
        ASSERT_EQ(v, 0);
        ASSERT_EQ(cgroup_swap_to_v2(-1, 100, &v), 1);
        ASSERT_EQ(v, -1);
        ASSERT_EQ(cgroup_swap_to_v2(0, -1, &v), 1);
        ASSERT_EQ(v, -1);
        ASSERT_EQ(cgroup_swap_to_v2(0, 100, &v), 0);
        ASSERT_EQ(cgroup_swap_to_v2(50, 100, &v), -ERANGE);
        ASSERT_EQ(cgroup_swap_to_v2(50, -1, &v), -EINVAL);
        return 0;
}

TEST(path_resolution)
{
        _cleanup_error_ BerthError *err = NULL;
        _cleanup_free_ char *p = NULL;

        ASSERT_CG(cgroup_resolve_path("c1", NULL, false, &p, &err));
        ASSERT_STREQ(p, "/berth/c1");
        free(p);
        p = NULL;
        ASSERT_CG(cgroup_resolve_path("c1", "/a/b", false, &p, &err));
        ASSERT_STREQ(p, "/a/b");
        free(p);
        p = NULL;
        ASSERT_CG(cgroup_resolve_path("c1", "a/b", false, &p, &err));
        ASSERT_STREQ(p, "a/b");
        ASSERT_EQ(cgroup_resolve_path("c1", "/a/../../etc", false, &p, &err), -EINVAL);
        ASSERT_CONTAINS(err->msg, "`..`");
        berth_error_free(&err);
        ASSERT_EQ(cgroup_resolve_path("c1", "system.slice:berth:c1", false, &p, &err), -EINVAL);
        ASSERT_CONTAINS(err->msg, "--systemd-cgroup");
        berth_error_free(&err);
        ASSERT_EQ(cgroup_resolve_path("../x", NULL, false, &p, &err), -EINVAL);
        berth_error_free(&err);

        _cleanup_free_ char *j = NULL;
        ASSERT_OK(cgroup_path_join("/", "a", &j));
        ASSERT_STREQ(j, "/a");
        free(j);
        ASSERT_OK(cgroup_path_join("/x/y/", "/a/b", &j));
        ASSERT_STREQ(j, "/x/y/a/b");
        free(j);
        j = NULL;
        return 0;
}

TEST(systemd_driver_error)
{
        _cleanup_error_ BerthError *err = NULL;
        Cgroup *cg = NULL;

        ASSERT_EQ(cgroup_create("c1", "bad-form", true, NULL, 0, &cg, &err), -EINVAL);
        ASSERT_CONTAINS(err->msg, "slice:prefix:name");
        berth_error_free(&err);
        ASSERT_FAIL(cgroup_create("c1", "system.slice:berth:c1", true, NULL, 0, &cg, &err));
        ASSERT_NULL(cg);
        if (!cgroup_systemd_running())
                ASSERT_CONTAINS(err->msg, "systemd is not running");
        else
                ASSERT_CONTAINS(err->msg, "not supported by this build");
        return 0;
}

TEST(parse_size)
{
        int64_t v;

        ASSERT_OK(cgroup_parse_size("1234", &v));
        ASSERT_EQ(v, 1234);
        ASSERT_OK(cgroup_parse_size("64m", &v));
        ASSERT_EQ(v, 64 << 20);
        ASSERT_OK(cgroup_parse_size("1.5G", &v));
        ASSERT_EQ(v, 3 << 29);
        ASSERT_OK(cgroup_parse_size("2kb", &v));
        ASSERT_EQ(v, 2048);
        ASSERT_OK(cgroup_parse_size("2KiB", &v));
        ASSERT_EQ(v, 2048);
        ASSERT_OK(cgroup_parse_size("-1", &v));
        ASSERT_EQ(v, -1);
        ASSERT_FAIL(cgroup_parse_size("", &v));
        ASSERT_FAIL(cgroup_parse_size("-2", &v));
        ASSERT_FAIL(cgroup_parse_size("12x", &v));
        ASSERT_FAIL(cgroup_parse_size("m", &v));
        ASSERT_FAIL(cgroup_parse_size("99999999p", &v));
        return 0;
}

TEST(update_flags)
{
        _cleanup_error_ BerthError *err = NULL;
        SpecResources r = {};

        ASSERT_CG(cgroup_update_flag(&r, "--memory", "64m", &err));
        ASSERT_CG(cgroup_update_flag(&r, "memory-swap", "-1", &err));
        ASSERT_CG(cgroup_update_flag(&r, "--cpu-quota", "-1", &err));
        ASSERT_CG(cgroup_update_flag(&r, "--cpu-period", "100000", &err));
        ASSERT_CG(cgroup_update_flag(&r, "--cpu-share", "512", &err));
        ASSERT_CG(cgroup_update_flag(&r, "--pids-limit", "20", &err));
        ASSERT_CG(cgroup_update_flag(&r, "--cpuset-cpus", "0", &err));
        ASSERT_CG(cgroup_update_flag(&r, "--cpuset-cpus", "0-1", &err));
        ASSERT_CG(cgroup_update_flag(&r, "--blkio-weight", "300", &err));
        ASSERT_TRUE(r.memory.has_limit && r.memory.limit == 64 << 20);
        ASSERT_TRUE(r.memory.has_swap && r.memory.swap == -1);
        ASSERT_TRUE(r.cpu.has_quota && r.cpu.quota == -1);
        ASSERT_TRUE(r.cpu.has_period && r.cpu.period == 100000);
        ASSERT_TRUE(r.cpu.has_shares && r.cpu.shares == 512);
        ASSERT_TRUE(r.pids.has_limit && r.pids.limit == 20);
        ASSERT_STREQ(r.cpu.cpus, "0-1");
        ASSERT_TRUE(r.block_io.has_weight && r.block_io.weight == 300);
        free(r.cpu.cpus);
        ASSERT_TRUE(cgroup_update_flag_known("--pids-limit"));
        ASSERT_FALSE(cgroup_update_flag_known("--bogus"));
        ASSERT_EQ(cgroup_update_flag(&r, "--memory", "lots", &err), -EINVAL);
        ASSERT_STREQ(err->msg, "update: invalid value `lots` for --memory");
        berth_error_free(&err);
        ASSERT_EQ(cgroup_update_flag(&r, "--blkio-weight", "5", &err), -EINVAL);
        berth_error_free(&err);
        ASSERT_EQ(cgroup_update_flag(&r, "--bogus", "1", &err), -EINVAL);
        ASSERT_CONTAINS(err->msg, "unknown flag --bogus");
        return 0;
}

TEST(features_object)
{
        struct json_object *o = NULL, *v;

        ASSERT_OK(cgroup_features(&o));
        bool ok = json_object_object_get_ex(o, "v1", &v) && json_object_get_boolean(v) &&
                  json_object_object_get_ex(o, "v2", &v) && json_object_get_boolean(v) &&
                  json_object_object_get_ex(o, "systemd", &v) && !json_object_get_boolean(v) &&
                  json_object_object_get_ex(o, "rdma", &v);
        json_object_put(o);
        ASSERT_TRUE(ok);
        return 0;
}

TEST(devices_bpf_program_shape)
{
        _cleanup_free_ struct bpf_insn *p = NULL;
        size_t n = 0;
        SpecDeviceCgroup rules[] = {
                { .allow = false, .access = (char *)"rwm" },
                { .allow = true, .type = (char *)"c", .has_major = true, .major = 1,
                  .has_minor = true, .minor = 3, .access = (char *)"rw" },
        };

        ASSERT_OK(cgroup_bpf_devices_program(rules, 2, &p, &n));
        /* 6 prologue + deny-all (5) + allow c 1:3 (3 checks + 4) + 2 epilogue */
        ASSERT_EQ(n, 6 + 5 + 7 + 2);
        SpecDeviceCgroup bad = { .allow = true, .type = (char *)"x" };
        free(p);
        p = NULL;
        ASSERT_EQ(cgroup_bpf_devices_program(&bad, 1, &p, &n), -EINVAL);
        return 0;
}

/* ---- on the host ---- */

TEST(create_apply_read_back)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        SpecResources r = {};
        char *v = NULL;

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("apply");
        r.memory.present = true;
        r.memory.has_limit = true;
        r.memory.limit = 64 << 20;
        r.memory.has_reservation = true;
        r.memory.reservation = 32 << 20;
        r.pids.present = r.pids.has_limit = true;
        r.pids.limit = 50;
        r.cpu.present = true;
        r.cpu.has_shares = true;
        r.cpu.shares = 512;
        r.cpu.has_quota = r.cpu.has_period = true;
        r.cpu.quota = 50000;
        r.cpu.period = 100000;
        r.cpu.cpus = (char *)"0";
        r.cpu.mems = (char *)"0";

        ASSERT_CG(cgroup_create("t", c.path, false, &r, 0, &c.cg, &err));
        ASSERT_STREQ(cgroup_path(c.cg), c.path);
        if (controller_on_v2(c.cg, "memory")) {
                ASSERT_OK(read_cg_file(c.cg, "memory", "memory.max", &v));
                ASSERT_STREQ(v, "67108864");
                free(v);
                ASSERT_OK(read_cg_file(c.cg, "memory", "memory.low", &v));
                ASSERT_STREQ(v, "33554432");
                free(v);
                ASSERT_OK(read_cg_file(c.cg, "cpu", "cpu.weight", &v));
                char want[16];
                snprintf(want, sizeof(want), "%" PRIu64, cgroup_shares_to_weight(512));
                ASSERT_STREQ(v, want);
                free(v);
                ASSERT_OK(read_cg_file(c.cg, "cpu", "cpu.max", &v));
                ASSERT_STREQ(v, "50000 100000");
                free(v);
        } else {
                ASSERT_OK(read_cg_file(c.cg, "memory", "memory.limit_in_bytes", &v));
                ASSERT_STREQ(v, "67108864");
                free(v);
                ASSERT_OK(read_cg_file(c.cg, "memory", "memory.soft_limit_in_bytes", &v));
                ASSERT_STREQ(v, "33554432");
                free(v);
                ASSERT_OK(read_cg_file(c.cg, "cpu", "cpu.shares", &v));
                ASSERT_STREQ(v, "512");
                free(v);
                ASSERT_OK(read_cg_file(c.cg, "cpu", "cpu.cfs_quota_us", &v));
                ASSERT_STREQ(v, "50000");
                free(v);
                ASSERT_OK(read_cg_file(c.cg, "cpu", "cpu.cfs_period_us", &v));
                ASSERT_STREQ(v, "100000");
                free(v);
        }
        ASSERT_OK(read_cg_file(c.cg, "pids", "pids.max", &v));
        ASSERT_STREQ(v, "50");
        free(v);
        ASSERT_OK(read_cg_file(c.cg, "cpuset", "cpuset.cpus", &v));
        ASSERT_STREQ(v, "0");
        free(v);
        ASSERT_OK(read_cg_file(c.cg, "cpuset", "cpuset.mems", &v));
        ASSERT_STREQ(v, "0");
        free(v);
        /* On hybrid the unified hierarchy gets the same path. */
        if (host_layout() == CGROUP_LAYOUT_HYBRID) {
                _cleanup_free_ char *u = NULL;
                ASSERT_TRUE(asprintf(&u, CGROUP_SYSFS "/unified%s", c.path) > 0);
                ASSERT_EQ(access(u, F_OK), 0);
        }
        ASSERT_CG(cgroup_destroy(c.cg, &err));
        ASSERT_TRUE(gone_everywhere(c.path));
        return 0;
}

TEST(v1_only_knobs)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        SpecResources r = {};
        char *v = NULL;

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("v1knobs");
        ASSERT_CG(cgroup_create("t", c.path, false, NULL, 0, &c.cg, &err));
        if (controller_on_v2(c.cg, "memory"))
                return TEST_SKIP;
        r.memory.present = true;
        r.memory.has_swappiness = true;
        r.memory.swappiness = 17;
        r.memory.has_disable_oom_killer = r.memory.disable_oom_killer = true;
        if (cg_file_exists(c.cg, "memory", "memory.memsw.limit_in_bytes")) {
                r.memory.has_limit = r.memory.has_swap = true;
                r.memory.limit = 32 << 20;
                r.memory.swap = 48 << 20;
        }
        ASSERT_CG(cgroup_update(c.cg, &r, &err));
        ASSERT_OK(read_cg_file(c.cg, "memory", "memory.swappiness", &v));
        ASSERT_STREQ(v, "17");
        free(v);
        ASSERT_OK(read_cg_file(c.cg, "memory", "memory.oom_control", &v));
        ASSERT_CONTAINS(v, "oom_kill_disable 1");
        free(v);
        if (r.memory.has_swap) {
                ASSERT_OK(read_cg_file(c.cg, "memory", "memory.memsw.limit_in_bytes", &v));
                ASSERT_STREQ(v, "50331648");
                free(v);
        }
        /* cpu burst, idle and realtime where the kernel has them */
        SpecResources rc = {};
        rc.cpu.present = true;
        if (cg_file_exists(c.cg, "cpu", "cpu.cfs_burst_us")) {
                rc.cpu.has_quota = rc.cpu.has_burst = true;
                rc.cpu.quota = 50000;
                rc.cpu.burst = 10000;
        }
        if (cg_file_exists(c.cg, "cpu", "cpu.idle")) {
                rc.cpu.has_idle = true;
                rc.cpu.idle = 1;
        }
        if (cg_file_exists(c.cg, "cpu", "cpu.rt_runtime_us")) {
                rc.cpu.has_realtime_period = rc.cpu.has_realtime_runtime = true;
                rc.cpu.realtime_period = 1000000;
                rc.cpu.realtime_runtime = 0;
        }
        ASSERT_CG(cgroup_update(c.cg, &rc, &err));
        if (rc.cpu.has_burst) {
                ASSERT_OK(read_cg_file(c.cg, "cpu", "cpu.cfs_burst_us", &v));
                ASSERT_STREQ(v, "10000");
                free(v);
        }
        if (rc.cpu.has_idle) {
                ASSERT_OK(read_cg_file(c.cg, "cpu", "cpu.idle", &v));
                ASSERT_STREQ(v, "1");
                free(v);
        }
        /* blkio weight: CFQ's blkio.weight or BFQ's blkio.bfq.weight */
        if (cg_file_exists(c.cg, "blkio", "blkio.bfq.weight") ||
            cg_file_exists(c.cg, "blkio", "blkio.weight")) {
                SpecResources rb = {};
                rb.block_io.present = rb.block_io.has_weight = true;
                rb.block_io.weight = 300;
                ASSERT_CG(cgroup_update(c.cg, &rb, &err));
                bool bfq = cg_file_exists(c.cg, "blkio", "blkio.bfq.weight");
                ASSERT_OK(read_cg_file(c.cg, "blkio", bfq ? "blkio.bfq.weight" : "blkio.weight",
                                       &v));
                ASSERT_CONTAINS(v, "300");
                free(v);
        }
        return 0;
}

TEST(v2_only_knobs)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        SpecResources r = {};
        char *v = NULL;

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("v2knobs");
        ASSERT_CG(cgroup_create("t", c.path, false, NULL, 0, &c.cg, &err));
        if (!controller_on_v2(c.cg, "memory"))
                return TEST_SKIP;
        /* memory+swap 48M over a 32M limit: 16M of swap */
        if (cg_file_exists(c.cg, "memory", "memory.swap.max")) {
                r.memory.present = r.memory.has_limit = r.memory.has_swap = true;
                r.memory.limit = 32 << 20;
                r.memory.swap = 48 << 20;
                ASSERT_CG(cgroup_update(c.cg, &r, &err));
                ASSERT_OK(read_cg_file(c.cg, "memory", "memory.swap.max", &v));
                ASSERT_STREQ(v, "16777216");
                free(v);
                r.memory.swap = 16 << 20;
                ASSERT_EQ(cgroup_update(c.cg, &r, &err), -EINVAL);
                printf("# %s\n", err->msg);
                ASSERT_CONTAINS(err->msg, "memory.swap.max");
                berth_error_free(&err);
        }
        SpecResources rc = {};
        rc.cpu.present = rc.cpu.has_period = true;
        rc.cpu.period = 50000; /* period alone keeps the quota ("max") */
        ASSERT_CG(cgroup_update(c.cg, &rc, &err));
        ASSERT_OK(read_cg_file(c.cg, "cpu", "cpu.max", &v));
        ASSERT_STREQ(v, "max 50000");
        free(v);
        if (cg_file_exists(c.cg, "cpu", "cpu.max.burst")) {
                rc = (SpecResources){};
                rc.cpu.present = rc.cpu.has_quota = rc.cpu.has_burst = true;
                rc.cpu.quota = 25000;
                rc.cpu.burst = 5000;
                ASSERT_CG(cgroup_update(c.cg, &rc, &err));
                ASSERT_OK(read_cg_file(c.cg, "cpu", "cpu.max", &v));
                ASSERT_STREQ(v, "25000 50000");
                free(v);
                ASSERT_OK(read_cg_file(c.cg, "cpu", "cpu.max.burst", &v));
                ASSERT_STREQ(v, "5000");
                free(v);
        }
        if (cg_file_exists(c.cg, "cpu", "cpu.idle")) {
                rc = (SpecResources){};
                rc.cpu.present = rc.cpu.has_idle = true;
                rc.cpu.idle = 1;
                ASSERT_CG(cgroup_update(c.cg, &rc, &err));
                ASSERT_OK(read_cg_file(c.cg, "cpu", "cpu.idle", &v));
                ASSERT_STREQ(v, "1");
                free(v);
        }
        /* realtime has no v2 equivalent: an error, not a silent skip */
        rc = (SpecResources){};
        rc.cpu.present = rc.cpu.has_realtime_runtime = true;
        rc.cpu.realtime_runtime = 1000;
        ASSERT_EQ(cgroup_update(c.cg, &rc, &err), -EOPNOTSUPP);
        ASSERT_CONTAINS(err->msg, "realtime");
        berth_error_free(&err);
        /* unified key/values */
        SpecKeyValue kv[] = { { (char *)"pids.max", (char *)"9" },
                              { (char *)"memory.high", (char *)"50000000" } };
        SpecResources ru = { .unified = kv, .n_unified = 2 };
        ASSERT_CG(cgroup_update(c.cg, &ru, &err));
        ASSERT_OK(read_cg_file(c.cg, "pids", "pids.max", &v));
        ASSERT_STREQ(v, "9");
        free(v);
        ASSERT_OK(read_cg_file(c.cg, "memory", "memory.high", &v));
        ASSERT_STREQ(v, "49999872"); /* page aligned */
        free(v);
        SpecKeyValue bad = { (char *)"../../etc/x", (char *)"1" };
        SpecResources rb = { .unified = &bad, .n_unified = 1 };
        ASSERT_EQ(cgroup_update(c.cg, &rb, &err), -EINVAL);
        return 0;
}

TEST(blkio_weight)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        SpecResources r = {};
        char *v = NULL;

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("ioweight");
        ASSERT_CG(cgroup_create("t", c.path, false, NULL, 0, &c.cg, &err));
        r.block_io.present = r.block_io.has_weight = true;
        r.block_io.weight = 500;
        if (controller_on_v2(c.cg, "io")) {
                bool bfq = cg_file_exists(c.cg, "io", "io.bfq.weight");
                if (!bfq && !cg_file_exists(c.cg, "io", "io.weight"))
                        return TEST_SKIP;
                ASSERT_CG(cgroup_update(c.cg, &r, &err));
                ASSERT_OK(read_cg_file(c.cg, "io", bfq ? "io.bfq.weight" : "io.weight", &v));
                char want[32];
                snprintf(want, sizeof(want), "default %" PRIu64,
                         bfq ? 500 : cgroup_blkio_weight_to_io_weight(500));
                ASSERT_STREQ(v, want);
                free(v);
        } else if (cgroup_find(c.cg, "blkio")) {
                bool bfq = cg_file_exists(c.cg, "blkio", "blkio.bfq.weight");
                if (!bfq && !cg_file_exists(c.cg, "blkio", "blkio.weight")) {
                        /* neither CFQ nor BFQ: the error names the file */
                        ASSERT_EQ(cgroup_update(c.cg, &r, &err), -ENOENT);
                        ASSERT_CONTAINS(err->msg, "blkio.weight");
                        return 0;
                }
                ASSERT_CG(cgroup_update(c.cg, &r, &err));
                ASSERT_OK(read_cg_file(c.cg, "blkio", bfq ? "blkio.bfq.weight" : "blkio.weight",
                                       &v));
                ASSERT_CONTAINS(v, "500");
                free(v);
        } else
                return TEST_SKIP;
        /* leafWeight: CFQ only (v1) and never on v2 */
        SpecResources rl = {};
        rl.block_io.present = rl.block_io.has_leaf_weight = true;
        rl.block_io.leaf_weight = 100;
        if (controller_on_v2(c.cg, "io") || !cg_file_exists(c.cg, "blkio", "blkio.leaf_weight")) {
                ASSERT_FAIL(cgroup_update(c.cg, &rl, &err));
                printf("# %s\n", err->msg);
                ASSERT_TRUE(strstr(err->msg, "leaf") != NULL);
        }
        return 0;
}

/* What Docker (and containerd's update) send for "not set": zeros and disableOOMKiller false. */
static SpecResources engine_zeros(SpecWeightDevice *wd)
{
        SpecResources r = {};

        r.memory.present = r.memory.has_limit = r.memory.has_reservation = true;
        r.memory.has_swap = r.memory.has_kernel = r.memory.has_kernel_tcp = true;
        r.memory.has_disable_oom_killer = true; /* false */
        r.cpu.present = r.cpu.has_shares = r.cpu.has_quota = r.cpu.has_period = true;
        r.cpu.has_realtime_runtime = r.cpu.has_realtime_period = true;
        r.pids.present = r.pids.has_limit = true;
        r.block_io.present = r.block_io.has_weight = r.block_io.has_leaf_weight = true;
        *wd = (SpecWeightDevice){ .major = 8, .minor = 0, .has_weight = true,
                                  .has_leaf_weight = true };
        r.block_io.weight_device = wd;
        r.block_io.n_weight_device = 1;
        r.network.present = r.network.has_class_id = true;
        return r;
}

static bool file_is(Cgroup *cg, const char *controller, const char *file, const char *want)
{
        _cleanup_free_ char *v = NULL;

        if (read_cg_file(cg, controller, file, &v) >= 0 && streq(v, want))
                return true;
        printf("# %s: got `%s`, want `%s`\n", file, v ? v : "(unreadable)", want);
        return false;
}

TEST(engine_zero_values_are_unset)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        SpecWeightDevice wd;
        SpecResources z = engine_zeros(&wd), r = {};

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("zeros");
        /* docker run: the create config carries the zeros (blkio weight 0 failed here on
         * hosts without blkio.weight, i.e. every kernel >= 5.0 without BFQ). */
        ASSERT_CG(cgroup_create("t", c.path, false, &z, 0, &c.cg, &err));
        /* Real values, then docker update's zeros: every knob keeps its value. */
        r.memory.present = r.memory.has_limit = r.memory.has_reservation = true;
        r.memory.limit = 64 << 20;
        r.memory.reservation = 32 << 20;
        r.cpu.present = r.cpu.has_shares = r.cpu.has_quota = r.cpu.has_period = true;
        r.cpu.shares = 512;
        r.cpu.quota = 50000;
        r.cpu.period = 100000;
        r.pids.present = r.pids.has_limit = true;
        r.pids.limit = 50;
        ASSERT_CG(cgroup_update(c.cg, &r, &err));
        ASSERT_CG(cgroup_update(c.cg, &z, &err));
        if (controller_on_v2(c.cg, "memory")) {
                ASSERT_TRUE(file_is(c.cg, "memory", "memory.max", "67108864"));
                ASSERT_TRUE(file_is(c.cg, "memory", "memory.low", "33554432"));
        } else {
                ASSERT_TRUE(file_is(c.cg, "memory", "memory.limit_in_bytes", "67108864"));
                ASSERT_TRUE(file_is(c.cg, "memory", "memory.soft_limit_in_bytes", "33554432"));
        }
        if (controller_on_v2(c.cg, "cpu")) {
                char want[16];
                snprintf(want, sizeof(want), "%" PRIu64, cgroup_shares_to_weight(512));
                ASSERT_TRUE(file_is(c.cg, "cpu", "cpu.weight", want));
                ASSERT_TRUE(file_is(c.cg, "cpu", "cpu.max", "50000 100000"));
        } else {
                ASSERT_TRUE(file_is(c.cg, "cpu", "cpu.shares", "512"));
                ASSERT_TRUE(file_is(c.cg, "cpu", "cpu.cfs_quota_us", "50000"));
                ASSERT_TRUE(file_is(c.cg, "cpu", "cpu.cfs_period_us", "100000"));
        }
        ASSERT_TRUE(file_is(c.cg, "pids", "pids.max", "50"));
        /* A pids object without a limit leaves pids.max alone too. */
        SpecResources rp = {};
        rp.pids.present = true;
        ASSERT_CG(cgroup_update(c.cg, &rp, &err));
        ASSERT_TRUE(file_is(c.cg, "pids", "pids.max", "50"));

        /* Out-of-range values are still refused, naming the file. */
        SpecResources bad = {};
        bad.cpu.present = bad.cpu.has_period = true;
        bad.cpu.period = 1; /* the kernel's minimum is 1000 us */
        ASSERT_FAIL(cgroup_update(c.cg, &bad, &err));
        printf("# %s\n", err->msg);
        ASSERT_CONTAINS(err->msg, controller_on_v2(c.cg, "cpu") ? "cpu.max" : "cpu.cfs_period_us");
        berth_error_free(&err);
        bad = (SpecResources){};
        bad.block_io.present = bad.block_io.has_weight = true;
        bad.block_io.weight = 5; /* 10-1000; or no weight knob at all on this host */
        if (cgroup_find(c.cg, "blkio") || cgroup_find(c.cg, "io")) {
                ASSERT_FAIL(cgroup_update(c.cg, &bad, &err));
                printf("# %s\n", err->msg);
                ASSERT_CONTAINS(err->msg, "weight");
                berth_error_free(&err);
        }
        bad = (SpecResources){};
        bad.memory.present = bad.memory.has_limit = true;
        bad.memory.limit = -5;
        ASSERT_FAIL(cgroup_update(c.cg, &bad, &err));
        printf("# %s\n", err->msg);
        ASSERT_CONTAINS(err->msg, "memory");
        return 0;
}

TEST(blkio_throttle)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        SpecResources r = {};
        struct stat st;
        char *v = NULL;

        if (!is_root())
                return TEST_SKIP;
        /* A real block device: the one / is on, else the first disk in /sys/block. */
        if (stat("/", &st) < 0 || major(st.st_dev) == 0) {
                _cleanup_closedir_ DIR *d = opendir("/sys/block");
                struct dirent *de;
                unsigned maj = 0, min = 0;
                while (d && (de = readdir(d)))
                        if (de->d_name[0] != '.' && !startswith(de->d_name, "loop") &&
                            !startswith(de->d_name, "ram") && !startswith(de->d_name, "zram")) {
                                _cleanup_free_ char *p = NULL, *dv = NULL;
                                if (asprintf(&p, "/sys/block/%s/dev", de->d_name) > 0 &&
                                    fs_read_full_file(p, &dv, NULL) >= 0 &&
                                    sscanf(dv, "%u:%u", &maj, &min) == 2)
                                        break;
                        }
                if (maj == 0)
                        return TEST_SKIP;
                st.st_dev = makedev(maj, min);
        }
        c.path = test_path("blkio");
        SpecThrottleDevice t = { .major = major(st.st_dev), .minor = minor(st.st_dev),
                                 .rate = 1048576 };
        r.block_io.present = true;
        r.block_io.throttle_read_bps = &t;
        r.block_io.n_throttle_read_bps = 1;
        ASSERT_CG(cgroup_create("t", c.path, false, NULL, 0, &c.cg, &err));
        if (!cgroup_find(c.cg, "blkio") && !cgroup_find(c.cg, "io"))
                return TEST_SKIP;
        if (cgroup_update(c.cg, &r, &err) < 0) {
                /* A partition instead of a disk: the kernel refuses; say so and skip. */
                printf("# %s\n", err->msg);
                return TEST_SKIP;
        }
        char want[64];
        if (controller_on_v2(c.cg, "io")) {
                ASSERT_OK(read_cg_file(c.cg, "io", "io.max", &v));
                snprintf(want, sizeof(want), "%u:%u rbps=1048576", major(st.st_dev),
                         minor(st.st_dev));
        } else {
                ASSERT_OK(read_cg_file(c.cg, "blkio", "blkio.throttle.read_bps_device", &v));
                snprintf(want, sizeof(want), "%u:%u 1048576", major(st.st_dev), minor(st.st_dev));
        }
        ASSERT_CONTAINS(v, want);
        free(v);
        return 0;
}

TEST(hugetlb_limit)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        struct SpecHugepageLimit hl = { .page_size = (char *)"2MB", .limit = 4 << 21 };
        SpecResources r = { .hugepage_limits = &hl, .n_hugepage_limits = 1 };
        char *v = NULL;

        if (!is_root() || access("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK) < 0)
                return TEST_SKIP;
        c.path = test_path("hugetlb");
        ASSERT_CG(cgroup_create("t", c.path, false, NULL, 0, &c.cg, &err));
        if (!cgroup_find(c.cg, "hugetlb"))
                return TEST_SKIP;
        ASSERT_CG(cgroup_update(c.cg, &r, &err));
        ASSERT_OK(read_cg_file(c.cg, "hugetlb",
                               controller_on_v2(c.cg, "hugetlb") ? "hugetlb.2MB.max" :
                                                                   "hugetlb.2MB.limit_in_bytes",
                               &v));
        ASSERT_STREQ(v, "8388608");
        free(v);
        return 0;
}

TEST(freeze_thaw_kill_destroy)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        bool frozen = true;
        int st = 0;

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("freeze");
        c.child = spawn(job_sleep, &c.go);
        ASSERT_TRUE(c.child > 0);
        ASSERT_CG(cgroup_create("t", c.path, false, NULL, c.child, &c.cg, &err));
        ASSERT_OK(go(&c));
        ASSERT_CG(cgroup_get_pids(c.cg, &pids, &n, &err));
        ASSERT_EQ(n, 1);
        ASSERT_EQ(pids[0], c.child);
        ASSERT_OK(cgroup_is_frozen(c.cg, &frozen));
        ASSERT_FALSE(frozen);
        ASSERT_CG(cgroup_freeze(c.cg, true, &err));
        ASSERT_OK(cgroup_is_frozen(c.cg, &frozen));
        ASSERT_TRUE(frozen);
        ASSERT_CG(cgroup_freeze(c.cg, false, &err));
        ASSERT_OK(cgroup_is_frozen(c.cg, &frozen));
        ASSERT_FALSE(frozen);
        ASSERT_CG(cgroup_kill_all(c.cg, SIGKILL, &err));
        ASSERT_OK(wait_child(&c, &st));
        ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
        ASSERT_CG(cgroup_destroy(c.cg, &err));
        ASSERT_TRUE(gone_everywhere(c.path));
        /* destroy is idempotent */
        ASSERT_CG(cgroup_destroy(c.cg, &err));
        return 0;
}

TEST(kill_all_other_signal_and_frozen)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        int st = 0;

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("sigterm");
        c.child = spawn(job_sleep, &c.go);
        ASSERT_TRUE(c.child > 0);
        ASSERT_CG(cgroup_create("t", c.path, false, NULL, c.child, &c.cg, &err));
        ASSERT_OK(go(&c));
        ASSERT_CG(cgroup_kill_all(c.cg, SIGTERM, &err));
        ASSERT_OK(wait_child(&c, &st));
        ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
        return 0;
}

TEST(destroy_paused_container)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        int st = 0;

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("paused");
        c.child = spawn(job_sleep, &c.go);
        ASSERT_TRUE(c.child > 0);
        ASSERT_CG(cgroup_create("t", c.path, false, NULL, c.child, &c.cg, &err));
        ASSERT_OK(go(&c));
        ASSERT_CG(cgroup_freeze(c.cg, true, &err));
        ASSERT_CG(cgroup_destroy(c.cg, &err));
        ASSERT_OK(wait_child(&c, &st));
        ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
        ASSERT_TRUE(gone_everywhere(c.path));
        return 0;
}

TEST(bad_value_names_controller_file_value)
{
        _cleanup_error_ BerthError *err = NULL;
        _cleanup_free_ char *path = NULL;
        SpecResources r = {};
        Cgroup *cg = NULL;

        if (!is_root())
                return TEST_SKIP;
        path = test_path("bad");
        r.cpu.present = true;
        r.cpu.has_quota = r.cpu.has_period = true;
        r.cpu.quota = 1; /* below the kernel's 1000 us minimum */
        r.cpu.period = 100000;
        int q = cgroup_create("t", path, false, &r, 0, &cg, &err);
        ASSERT_EQ(q, -EINVAL);
        ASSERT_NULL(cg);
        printf("# %s\n", err->msg);
        ASSERT_CONTAINS(err->msg, "cgroup cpu: write \"");
        ASSERT_CONTAINS(err->msg, path);
        ASSERT_CONTAINS(err->msg, "Invalid argument");
        ASSERT_TRUE(strstr(err->msg, "cpu.cfs_") || strstr(err->msg, "to cpu.max of"));
        /* the failed create removed every directory, the /berth-test-<pid> parent too */
        ASSERT_TRUE(gone_everywhere(path));
        _cleanup_free_ char *parent = strndup(path, strrchr(path, '/') - path);
        ASSERT_TRUE(gone_everywhere(parent));

        /* v1 clamps cpu.shares silently: an error that says so */
        berth_error_free(&err);
        SpecResources rc = {};
        rc.cpu.present = rc.cpu.has_shares = true;
        rc.cpu.shares = 1000000;
        q = cgroup_create("t", path, false, &rc, 0, &cg, &err);
        if (q >= 0) {
                /* v2: cpu.weight 10000 is the converted maximum, nothing clamped */
                ASSERT_TRUE(host_layout() == CGROUP_LAYOUT_V2);
                ASSERT_CG(cgroup_destroy(cg, &err));
                cgroup_free(cg);
                cg = NULL;
        } else {
                printf("# %s\n", err->msg);
                ASSERT_CONTAINS(err->msg, "cpu.shares");
                ASSERT_CONTAINS(err->msg, "262144");
        }
        ASSERT_TRUE(gone_everywhere(path));
        berth_error_free(&err);
        SpecResources rs = {};
        rs.memory.present = rs.memory.has_swappiness = true;
        rs.memory.swappiness = 1000;
        ASSERT_FAIL(cgroup_create("t", path, false, &rs, 0, &cg, &err));
        printf("# %s\n", err->msg);
        ASSERT_CONTAINS(err->msg, "memory");
        ASSERT_CONTAINS(err->msg, "swappiness");
        ASSERT_TRUE(gone_everywhere(path));
        return 0;
}

TEST(absent_controller_is_an_error)
{
        _cleanup_error_ BerthError *err = NULL;
        _cleanup_free_ char *path = NULL;
        SpecResources r = {};
        Cgroup *cg = NULL;

        if (!is_root())
                return TEST_SKIP;
        path = test_path("absent");
        /* rdma: no host here has an RDMA device; with the controller it is a bad device
         * name, without it an absent controller: an error either way. */
        struct SpecRdma rd = { .device = (char *)"nosuchhca0", .has_hca_handles = true,
                               .hca_handles = 3 };
        r.rdma = &rd;
        r.n_rdma = 1;
        ASSERT_FAIL(cgroup_create("t", path, false, &r, 0, &cg, &err));
        printf("# %s\n", err->msg);
        ASSERT_CONTAINS(err->msg, "rdma");
        ASSERT_TRUE(gone_everywhere(path));
        berth_error_free(&err);

        SpecResources rn = {};
        rn.network.present = rn.network.has_class_id = true;
        rn.network.class_id = 0x100001;
        int q = cgroup_create("t", path, false, &rn, 0, &cg, &err);
        if (q >= 0) {
                /* net_cls mounted here: the value must be there */
                _cleanup_free_ char *v = NULL;
                ASSERT_OK(read_cg_file(cg, "net_cls", "net_cls.classid", &v));
                ASSERT_STREQ(v, "1048577");
                ASSERT_CG(cgroup_destroy(cg, &err));
                cgroup_free(cg);
        } else {
                printf("# %s\n", err->msg);
                ASSERT_CONTAINS(err->msg, "net_cls");
        }
        ASSERT_TRUE(gone_everywhere(path));
        berth_error_free(&err);

        SpecKeyValue kv = { (char *)"pids.max", (char *)"7" };
        SpecResources ru = { .unified = &kv, .n_unified = 1 };
        q = cgroup_create("t", path, false, &ru, 0, &cg, &err);
        if (host_layout() == CGROUP_LAYOUT_V1) {
                ASSERT_EQ(q, -EOPNOTSUPP);
                ASSERT_CONTAINS(err->msg, "unified");
        } else if (q < 0) {
                /* hybrid: the unified hierarchy has no pids controller */
                printf("# %s\n", err->msg);
                ASSERT_CONTAINS(err->msg, "pids.max");
        } else {
                _cleanup_free_ char *v = NULL;
                ASSERT_OK(read_cg_file(cg, NULL, "pids.max", &v));
                ASSERT_STREQ(v, "7");
                ASSERT_CG(cgroup_destroy(cg, &err));
                cgroup_free(cg);
        }
        ASSERT_TRUE(gone_everywhere(path));
        return 0;
}

TEST(existing_busy_cgroup_is_refused)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        Cgroup *cg2 = NULL;

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("busycg");
        c.child = spawn(job_sleep, &c.go);
        ASSERT_TRUE(c.child > 0);
        ASSERT_CG(cgroup_create("t", c.path, false, NULL, c.child, &c.cg, &err));
        ASSERT_EQ(cgroup_create("t2", c.path, false, NULL, 0, &cg2, &err), -EEXIST);
        printf("# %s\n", err->msg);
        ASSERT_CONTAINS(err->msg, "already exists");
        ASSERT_NULL(cg2);
        /* the refused create removed nothing of the first one */
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        berth_error_free(&err);
        ASSERT_CG(cgroup_get_pids(c.cg, &pids, &n, &err));
        ASSERT_EQ(n, 1);
        return 0;
}

TEST(enter_moves_a_second_process_in)
{
        _cleanup_ctx_ Ctx c = CTX_INIT, d = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("enter");
        c.child = spawn(job_sleep, &c.go);
        d.child = spawn(job_sleep, &d.go);
        ASSERT_TRUE(c.child > 0 && d.child > 0);
        ASSERT_CG(cgroup_create("t", c.path, false, NULL, c.child, &c.cg, &err));
        ASSERT_CG(cgroup_enter(c.cg, d.child, &err));
        ASSERT_CG(cgroup_get_pids(c.cg, &pids, &n, &err));
        ASSERT_EQ(n, 2);
        for (size_t i = 0; i < c.cg->n; i++) {
                _cleanup_free_ char *cgf = NULL, *data = NULL;
                ASSERT_TRUE(asprintf(&cgf, "/proc/%d/cgroup", (int)d.child) > 0);
                ASSERT_OK(fs_read_full_file(cgf, &data, NULL));
                ASSERT_CONTAINS(data, c.path);
        }
        ASSERT_EQ(cgroup_enter(c.cg, 0, &err), -EINVAL);
        berth_error_free(&err);
        /* a gone pid: the error names the file */
        ASSERT_FAIL(cgroup_enter(c.cg, 999999999, &err));
        ASSERT_CONTAINS(err->msg, "cgroup.procs");
        return 0;
}

TEST(join_self_moves_the_caller_in_by_fds)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_free_ char *names = NULL;
        int fds[16], done[2];
        size_t n_fds = 0, n = 0;

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("join");
        ASSERT_CG(cgroup_create("t", c.path, false, NULL, 0, &c.cg, &err));
        ASSERT_CG(cgroup_join_fds(c.cg, false, fds, ELEMENTSOF(fds), &n_fds, &names, &err));
        ASSERT_EQ(n_fds, c.cg->n);
        ASSERT_OK(pipe2(done, O_CLOEXEC) < 0 ? -errno : 0);
        c.child = fork();
        ASSERT_TRUE(c.child >= 0);
        if (c.child == 0) {
                /* The child joins by itself with the fds the parent opened. */
                BerthError *e = NULL;
                int r = cgroup_join_self(fds, n_fds, names, &e);
                if (r < 0)
                        printf("# join: %s\n", e->msg);
                (void)!write(done[1], r < 0 ? "n" : "y", 1);
                for (;;)
                        pause();
        }
        for (size_t i = 0; i < n_fds; i++)
                close(fds[i]);
        close(done[1]);
        char ok = 0;
        ASSERT_EQ(read(done[0], &ok, 1), 1);
        close(done[0]);
        ASSERT_EQ(ok, 'y');
        ASSERT_CG(cgroup_get_pids(c.cg, &pids, &n, &err));
        ASSERT_EQ(n, 1);
        ASSERT_EQ(pids[0], c.child);
        _cleanup_free_ char *cgf = NULL, *data = NULL;
        ASSERT_TRUE(asprintf(&cgf, "/proc/%d/cgroup", (int)c.child) > 0);
        ASSERT_OK(fs_read_full_file(cgf, &data, NULL));
        /* on every hierarchy, one line each */
        size_t lines = 0;
        for (char *l = data; (l = strstr(l, c.path)); l++)
                lines++;
        ASSERT_EQ(lines, c.cg->n);

        /* skip_unified leaves the unified hierarchy's file out (the init was cloned into it) */
        _cleanup_free_ char *names2 = NULL;
        size_t n2 = 0;
        ASSERT_CG(cgroup_join_fds(c.cg, true, fds, ELEMENTSOF(fds), &n2, &names2, &err));
        for (size_t i = 0; i < n2; i++)
                close(fds[i]);
        ASSERT_EQ(n2, host_layout() == CGROUP_LAYOUT_V1 ? c.cg->n : c.cg->n - 1);
        ASSERT_NULL(strstr(names2, "unified"));

        /* a failed write names the hierarchy and the file */
        int bad = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(bad >= 0);
        ASSERT_FAIL(cgroup_join_self(&bad, 1, "memory /sys/fs/cgroup/memory/x/tasks\n", &err));
        close(bad);
        printf("# %s\n", err->msg);
        ASSERT_CONTAINS(err->msg, "cgroup memory: write \"0\" to /sys/fs/cgroup/memory/x/tasks");
        return 0;
}

TEST(create_with_dead_pid_leaves_nothing)
{
        _cleanup_error_ BerthError *err = NULL;
        _cleanup_free_ char *path = NULL;
        SpecResources r = {};
        Cgroup *cg = NULL;

        if (!is_root())
                return TEST_SKIP;
        path = test_path("nopid");
        r.pids.present = r.pids.has_limit = true;
        r.pids.limit = 10;
        /* above any pid_max: the move fails after directories and limits were made */
        int q = cgroup_create("t", path, false, &r, 999999999, &cg, &err);
        if (q >= 0) {
                BerthError *e2 = NULL;
                (void)cgroup_destroy(cg, &e2);
                berth_error_free(&e2);
                cgroup_free(cg);
                TAP_FAIL("%s", "create with a pid that does not exist succeeded");
        }
        printf("# %s\n", err->msg);
        ASSERT_CONTAINS(err->msg, "cgroup.procs");
        ASSERT_TRUE(gone_everywhere(path));
        return 0;
}

TEST(serialize_open_roundtrip)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        _cleanup_free_ char *s = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        Cgroup *cg2 = NULL;
        size_t n;

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("state");
        c.child = spawn(job_sleep, &c.go);
        ASSERT_TRUE(c.child > 0);
        ASSERT_CG(cgroup_create("t", c.path, false, NULL, c.child, &c.cg, &err));
        s = cgroup_serialize(c.cg);
        ASSERT_NOT_NULL(s);
        printf("# %s\n", s);
        ASSERT_CG(cgroup_open(s, &cg2, &err));
        ASSERT_STREQ(cgroup_path(cg2), c.path);
        ASSERT_EQ(cgroup_layout(cg2), cgroup_layout(c.cg));
        ASSERT_CG(cgroup_get_pids(cg2, &pids, &n, &err));
        ASSERT_EQ(n, 1);
        /* destroy through the reopened handle removes the created parent too */
        int q = cgroup_destroy(cg2, &err);
        cgroup_free(cg2);
        ASSERT_CG(q);
        c.child = 0; /* killed and reaped below */
        ASSERT_TRUE(gone_everywhere(c.path));
        ASSERT_EQ(cgroup_open("{\"nope\":1}", &cg2, &err), -EINVAL);
        return 0;
}

TEST(default_and_relative_paths)
{
        _cleanup_error_ BerthError *err = NULL;
        _cleanup_free_ char *id = NULL, *rel = NULL;
        Cgroup *cg = NULL;

        if (!is_root())
                return TEST_SKIP;
        if (asprintf(&id, "berth-test-%d-default", (int)getpid()) < 0)
                return 1;
        /* The default parent stays if other containers use it; only check our leaf. */
        bool had_parent = access(CGROUP_SYSFS "/pids" CGROUP_DEFAULT_PARENT, F_OK) == 0 ||
                          access(CGROUP_SYSFS CGROUP_DEFAULT_PARENT, F_OK) == 0;
        ASSERT_CG(cgroup_create(id, NULL, false, NULL, 0, &cg, &err));
        _cleanup_free_ char *want = NULL;
        ASSERT_TRUE(asprintf(&want, CGROUP_DEFAULT_PARENT "/%s", id) > 0);
        ASSERT_STREQ(cgroup_path(cg), want);
        int q = cgroup_destroy(cg, &err);
        cgroup_free(cg);
        ASSERT_CG(q);
        ASSERT_TRUE(gone_everywhere(want));
        /* Only a diagnostic: runtimes and test runs in parallel may hold the parent. */
        if (!had_parent && !gone_everywhere(CGROUP_DEFAULT_PARENT))
                printf("# " CGROUP_DEFAULT_PARENT " stays: someone else uses it now\n");

        /* relative: below the runtime's own cgroup on each hierarchy */
        if (asprintf(&rel, "berth-test-%d-rel/x", (int)getpid()) < 0)
                return 1;
        ASSERT_CG(cgroup_create("t", rel, false, NULL, 0, &cg, &err));
        for (size_t i = 0; i < cg->n; i++) {
                _cleanup_free_ char *self = NULL, *exp = NULL;
                ASSERT_OK(cgroup_self_path(&cg->h[i], &self));
                ASSERT_OK(cgroup_path_join(self, rel, &exp));
                ASSERT_STREQ(cg->h[i].rel, exp);
                ASSERT_EQ(access(cg->h[i].dir, F_OK), 0);
        }
        _cleanup_strv_free_ char **dirs = NULL;
        for (size_t i = 0; i < cg->n; i++)
                ASSERT_OK(strv_extend(&dirs, cg->h[i].dir));
        q = cgroup_destroy(cg, &err);
        cgroup_free(cg);
        ASSERT_CG(q);
        STRV_FOREACH(d, dirs) {
                ASSERT_TRUE(access(*d, F_OK) < 0);
                *strrchr(*d, '/') = 0; /* the created "berth-test-<pid>-rel" level */
                ASSERT_TRUE(access(*d, F_OK) < 0);
        }
        return 0;
}

/* ---- limits take effect ---- */

static int job_fork_bomb(void)
{
        int n = 0;
        for (int i = 0; i < 40; i++) {
                pid_t p = fork();
                if (p < 0)
                        break;
                if (p == 0) {
                        pause();
                        _exit(0);
                }
                n++;
        }
        kill(0, SIGKILL);
        return n;
}

TEST(pids_limit_stops_fork_bomb)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        SpecResources r = {};
        int st = 0;

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("pids");
        r.pids.present = r.pids.has_limit = true;
        r.pids.limit = 8;
        c.child = spawn(job_fork_bomb, &c.go);
        ASSERT_TRUE(c.child > 0);
        /* own process group so kill(0) in the job stays inside */
        ASSERT_OK(setpgid(c.child, c.child));
        ASSERT_CG(cgroup_create("t", c.path, false, &r, c.child, &c.cg, &err));
        ASSERT_OK(go(&c));
        ASSERT_OK(wait_child(&c, &st));
        /* the job kills its own group at the end, itself included, unless it returned */
        ASSERT_TRUE(WIFSIGNALED(st) || WIFEXITED(st));
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 99;
        for (int i = 0; i < 100 && n > 0; i++) {
                free(pids);
                pids = NULL;
                ASSERT_CG(cgroup_get_pids(c.cg, &pids, &n, &err));
                usleep(10000);
        }
        _cleanup_free_ char *v = NULL;
        if (controller_on_v2(c.cg, "pids"))
                ASSERT_OK(read_cg_file(c.cg, "pids", "pids.events", &v));
        else
                ASSERT_OK(read_cg_file(c.cg, "pids", "pids.events", &v));
        printf("# pids.events: %s\n", v);
        ASSERT_TRUE(!streq(v, "max 0"));
        return 0;
}

static int job_fork_count(void)
{
        /* Exit status: how many forks succeeded. */
        int n = 0;
        pid_t kids[40];
        for (int i = 0; i < 40; i++) {
                pid_t p = fork();
                if (p < 0)
                        break;
                if (p == 0) {
                        pause();
                        _exit(0);
                }
                kids[n++] = p;
        }
        for (int i = 0; i < n; i++)
                kill(kids[i], SIGKILL);
        for (int i = 0; i < n; i++)
                waitpid(kids[i], NULL, 0);
        return n;
}

TEST(pids_limit_counts_forks)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        SpecResources r = {};
        int st = 0;

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("pidcount");
        r.pids.present = r.pids.has_limit = true;
        r.pids.limit = 5;
        c.child = spawn(job_fork_count, &c.go);
        ASSERT_TRUE(c.child > 0);
        ASSERT_CG(cgroup_create("t", c.path, false, &r, c.child, &c.cg, &err));
        ASSERT_OK(go(&c));
        ASSERT_OK(wait_child(&c, &st));
        ASSERT_TRUE(WIFEXITED(st));
        printf("# forks that succeeded under pids.max=5: %d\n", WEXITSTATUS(st));
        ASSERT_EQ(WEXITSTATUS(st), 4);
        return 0;
}

static int job_hog(void)
{
        /* Touch 256 MiB, a page at a time: the OOM killer must stop this. */
        size_t sz = 256u << 20;
        /* volatile: the compiler must not drop stores to memory nobody reads */
        volatile char *p = malloc(sz);
        if (!p)
                return 3;
        for (size_t i = 0; i < sz; i += 4096)
                p[i] = 1;
        return 0;
}

TEST(memory_limit_oom_kills_hog_and_is_reported)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        _cleanup_(cgroup_oom_watch_freep) CgroupOomWatch *w = NULL;
        SpecResources r = {};
        uint64_t ooms = 0, count = 0;
        int st = 0;

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("oom");
        r.memory.present = r.memory.has_limit = true;
        r.memory.limit = 32 << 20;
        c.child = spawn(job_hog, &c.go);
        ASSERT_TRUE(c.child > 0);
        ASSERT_CG(cgroup_create("t", c.path, false, &r, c.child, &c.cg, &err));
        /* no swap either, so the hog cannot escape into it */
        if (cg_file_exists(c.cg, "memory", "memory.memsw.limit_in_bytes") ||
            cg_file_exists(c.cg, "memory", "memory.swap.max")) {
                SpecResources rs = {};
                rs.memory.present = rs.memory.has_limit = rs.memory.has_swap = true;
                rs.memory.limit = rs.memory.swap = 32 << 20;
                ASSERT_CG(cgroup_update(c.cg, &rs, &err));
        }
        ASSERT_CG(cgroup_oom_watch_open(c.cg, &w, &err));
        ASSERT_OK(go(&c));
        ASSERT_OK(wait_child(&c, &st));
        printf("# hog: exited %d, signal %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1,
               WIFSIGNALED(st) ? WTERMSIG(st) : 0);
        ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
        struct pollfd p = { .fd = cgroup_oom_watch_fd(w), .events = POLLIN };
        for (int i = 0; i < 20 && ooms == 0; i++) {
                uint64_t k = 0;
                if (poll(&p, 1, 100) > 0)
                        ASSERT_OK(cgroup_oom_watch_read(w, &k));
                ooms += k;
        }
        ASSERT_TRUE(ooms >= 1);
        ASSERT_OK(cgroup_oom_kill_count(c.cg, &count));
        ASSERT_TRUE(count >= 1);
        /* stats: the limit, and a peak that reached it (failcnt stays 0 on some kernels) */
        struct json_object *stats = NULL, *mem, *usage, *limit, *max;
        ASSERT_CG(cgroup_stats(c.cg, &stats, &err));
        bool ok = json_object_object_get_ex(stats, "memory", &mem) &&
                  json_object_object_get_ex(mem, "usage", &usage) &&
                  json_object_object_get_ex(usage, "limit", &limit) &&
                  json_object_get_uint64(limit) == 32 << 20 &&
                  json_object_object_get_ex(usage, "max", &max) &&
                  (json_object_get_uint64(max) > 16 << 20 || json_object_get_uint64(max) == 0);
        if (!ok)
                printf("# %s\n", json_object_to_json_string_ext(stats, JSON_C_TO_STRING_PLAIN));
        json_object_put(stats);
        ASSERT_TRUE(ok);
        return 0;
}

TEST(memory_limit_below_usage)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        SpecResources r = {};

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("busy");
        ASSERT_CG(cgroup_create("t", c.path, false, NULL, 0, &c.cg, &err));
        /* Charge some page cache to the cgroup from a child: a file in /dev/shm. */
        _cleanup_free_ char *f = NULL;
        ASSERT_TRUE(asprintf(&f, "/dev/shm/berth-test-%d", (int)getpid()) > 0);
        fflush(stdout);
        pid_t p = fork();
        if (p == 0) {
                char buf[24];
                snprintf(buf, sizeof(buf), "%d", (int)getpid());
                for (size_t i = 0; i < c.cg->n; i++) {
                        _cleanup_free_ char *procs = NULL;
                        if (asprintf(&procs, "%s/cgroup.procs", c.cg->h[i].dir) < 0 ||
                            fs_write_string_file(procs, buf) < 0)
                                _exit(2);
                }
                int fd = open(f, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                static char chunk[1 << 20];
                memset(chunk, 1, sizeof(chunk));
                for (int i = 0; fd >= 0 && i < 8; i++)
                        if (write(fd, chunk, sizeof(chunk)) < 0)
                                _exit(3);
                _exit(fd >= 0 ? 0 : 4);
        }
        int st = 0;
        ASSERT_TRUE(p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st));
        ASSERT_EQ(WEXITSTATUS(st), 0);
        r.memory.present = r.memory.has_limit = r.memory.check_before_update = true;
        r.memory.limit = 1 << 20;
        int q = cgroup_update(c.cg, &r, &err);
        ASSERT_EQ(q, -EBUSY);
        printf("# %s\n", err->msg);
        ASSERT_CONTAINS(err->msg, "checkBeforeUpdate");
        ASSERT_CONTAINS(err->msg, c.path);
        berth_error_free(&err);
        /* Without the check, v1 tries to reclaim, cannot (shmem, no swap) and says EBUSY. */
        if (!controller_on_v2(c.cg, "memory")) {
                r.memory.check_before_update = false;
                q = cgroup_update(c.cg, &r, &err);
                unlink(f);
                ASSERT_EQ(q, -EBUSY);
                printf("# %s\n", err->msg);
                _cleanup_free_ char *want = NULL;
                ASSERT_TRUE(asprintf(&want, "cgroup memory: write \"1048576\" to "
                                            "memory.limit_in_bytes of %s: Device or resource busy",
                                     c.path) > 0);
                ASSERT_STREQ(err->msg, want);
        }
        unlink(f);
        return 0;
}

static int job_devices(void)
{
        /* 0: /dev/null opens and /dev/zero does not (EPERM) */
        int a = open("/dev/null", O_RDWR | O_CLOEXEC);
        int b = open("/dev/zero", O_RDONLY | O_CLOEXEC);
        if (a < 0)
                return 10;
        if (b >= 0)
                return 11;
        if (errno != EPERM)
                return 12;
        /* write access to a read-only rule is refused too */
        int z = open("/dev/full", O_WRONLY | O_CLOEXEC);
        if (z >= 0)
                return 13;
        z = open("/dev/full", O_RDONLY | O_CLOEXEC);
        return z >= 0 ? 0 : 14;
}

static void device_rules(SpecDeviceCgroup rules[3])
{
        rules[0] = (SpecDeviceCgroup){ .allow = false, .access = (char *)"rwm" };
        rules[1] = (SpecDeviceCgroup){ .allow = true, .type = (char *)"c", .has_major = true,
                                       .major = 1, .has_minor = true, .minor = 3,
                                       .access = (char *)"rwm" };
        /* /dev/full is 1:7: read only */
        rules[2] = (SpecDeviceCgroup){ .allow = true, .type = (char *)"c", .has_major = true,
                                       .major = 1, .has_minor = true, .minor = 7,
                                       .access = (char *)"r" };
}

TEST(denied_device_cannot_be_opened)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        SpecDeviceCgroup rules[3];
        SpecResources r = { .devices = rules, .n_devices = 3 };
        int st = 0;

        if (!is_root())
                return TEST_SKIP;
        device_rules(rules);
        c.path = test_path("devices");
        c.child = spawn(job_devices, &c.go);
        ASSERT_TRUE(c.child > 0);
        ASSERT_CG(cgroup_create("t", c.path, false, &r, c.child, &c.cg, &err));
        if (cgroup_find(c.cg, "devices")) {
                _cleanup_free_ char *v = NULL;
                ASSERT_OK(read_cg_file(c.cg, "devices", "devices.list", &v));
                printf("# devices.list: %s\n", v);
        }
        ASSERT_OK(go(&c));
        ASSERT_OK(wait_child(&c, &st));
        ASSERT_TRUE(WIFEXITED(st));
        ASSERT_EQ(WEXITSTATUS(st), 0);

        /* update: now everything is allowed again, and the old program/rules are gone */
        SpecDeviceCgroup all = { .allow = true };
        SpecResources ra = { .devices = &all, .n_devices = 1 };
        ASSERT_CG(cgroup_update(c.cg, &ra, &err));
        c.child = spawn(job_devices, &c.go);
        ASSERT_TRUE(c.child > 0);
        char buf[24];
        snprintf(buf, sizeof(buf), "%d", (int)c.child);
        for (size_t i = 0; i < c.cg->n; i++) {
                _cleanup_free_ char *procs = NULL;
                ASSERT_TRUE(asprintf(&procs, "%s/cgroup.procs", c.cg->h[i].dir) > 0);
                ASSERT_OK(fs_write_string_file(procs, buf));
        }
        ASSERT_OK(go(&c));
        ASSERT_OK(wait_child(&c, &st));
        ASSERT_TRUE(WIFEXITED(st));
        ASSERT_EQ(WEXITSTATUS(st), 11); /* /dev/zero opens now */
        return 0;
}

TEST(devices_ebpf_on_unified_hierarchy)
{
        /* The v2 device program, on the host's own unified hierarchy (hybrid and v2): the
         * kernel runs it for a task in that cgroup whatever the v1 devices controller says. */
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        SpecDeviceCgroup rules[3];
        SpecResources r = { .devices = rules, .n_devices = 3 };
        int st = 0;

        if (!is_root())
                return TEST_SKIP;
        device_rules(rules);
        c.path = test_path("bpf");
        c.child = spawn(job_devices, &c.go);
        ASSERT_TRUE(c.child > 0);
        ASSERT_CG(cgroup_create("t", c.path, false, NULL, c.child, &c.cg, &err));
        CgroupHierarchy *u = cgroup_unified(c.cg);
        if (!u)
                return TEST_SKIP;
        ASSERT_CG(cgroup_bpf_devices(c.cg, u, &r, &err));
        /* twice: the second replaces the first (update) */
        ASSERT_CG(cgroup_bpf_devices(c.cg, u, &r, &err));
        ASSERT_OK(go(&c));
        ASSERT_OK(wait_child(&c, &st));
        ASSERT_TRUE(WIFEXITED(st));
        ASSERT_EQ(WEXITSTATUS(st), 0);
        return 0;
}

static int job_devices_deny_one(void)
{
        /* allow-all with /dev/zero denied for reading and writing: */
        int a = open("/dev/null", O_RDWR | O_CLOEXEC);
        int b = open("/dev/zero", O_RDONLY | O_CLOEXEC);
        int c = open("/dev/full", O_WRONLY | O_CLOEXEC);
        if (a < 0)
                return 20;
        if (b >= 0 || errno != EPERM)
                return 21;
        return c >= 0 ? 0 : 22;
}

TEST(devices_default_allow_with_one_denied)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        SpecDeviceCgroup rules[] = {
                { .allow = true, .access = (char *)"rwm" },
                { .allow = false, .type = (char *)"c", .has_major = true, .major = 1,
                  .has_minor = true, .minor = 5, .access = (char *)"rw" },
        };
        SpecResources r = { .devices = rules, .n_devices = 2 };
        int st = 0;

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("devallow");
        c.child = spawn(job_devices_deny_one, &c.go);
        ASSERT_TRUE(c.child > 0);
        ASSERT_CG(cgroup_create("t", c.path, false, &r, c.child, &c.cg, &err));
        ASSERT_OK(go(&c));
        ASSERT_OK(wait_child(&c, &st));
        ASSERT_TRUE(WIFEXITED(st));
        ASSERT_EQ(WEXITSTATUS(st), 0);
        return 0;
}

static int job_spin(void)
{
        struct timespec t0, t;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        do
                clock_gettime(CLOCK_MONOTONIC, &t);
        while (t.tv_sec - t0.tv_sec < 2);
        return 0;
}

static uint64_t cpu_total(Cgroup *cg)
{
        struct json_object *s = NULL, *cpu, *usage, *total;
        BerthError *err = NULL;
        uint64_t v = 0;

        if (cgroup_stats(cg, &s, &err) < 0) {
                berth_error_free(&err);
                return 0;
        }
        if (json_object_object_get_ex(s, "cpu", &cpu) &&
            json_object_object_get_ex(cpu, "usage", &usage) &&
            json_object_object_get_ex(usage, "total", &total))
                v = json_object_get_uint64(total);
        json_object_put(s);
        return v;
}

TEST(cpu_quota_caps_usage)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        SpecResources r = {};
        int st = 0;

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("quota");
        r.cpu.present = r.cpu.has_quota = r.cpu.has_period = true;
        r.cpu.quota = 20000; /* 20 % of one cpu */
        r.cpu.period = 100000;
        c.child = spawn(job_spin, &c.go);
        ASSERT_TRUE(c.child > 0);
        ASSERT_CG(cgroup_create("t", c.path, false, &r, c.child, &c.cg, &err));
        ASSERT_OK(go(&c));
        ASSERT_OK(wait_child(&c, &st));
        uint64_t ns = cpu_total(c.cg);
        printf("# cpu used in 2 s wall under a 20%% quota: %" PRIu64 " ms\n", ns / 1000000);
        ASSERT_TRUE(ns > 0);
        ASSERT_TRUE(ns < 700ull * 1000000); /* 400 ms expected; generous for slow hosts */
        return 0;
}

TEST(stats_shape)
{
        _cleanup_ctx_ Ctx c = CTX_INIT;
        _cleanup_error_ BerthError *err = NULL;
        SpecResources r = {};
        struct json_object *s = NULL, *o, *o2;

        if (!is_root())
                return TEST_SKIP;
        c.path = test_path("stats");
        r.pids.present = r.pids.has_limit = true;
        r.pids.limit = 33;
        c.child = spawn(job_sleep, &c.go);
        ASSERT_TRUE(c.child > 0);
        ASSERT_CG(cgroup_create("t", c.path, false, &r, c.child, &c.cg, &err));
        ASSERT_CG(cgroup_stats(c.cg, &s, &err));
        printf("# %s\n", json_object_to_json_string_ext(s, JSON_C_TO_STRING_PLAIN));
        bool ok = json_object_object_get_ex(s, "pids", &o) &&
                  json_object_object_get_ex(o, "current", &o2) && json_object_get_int(o2) == 1 &&
                  json_object_object_get_ex(o, "limit", &o2) && json_object_get_int(o2) == 33 &&
                  json_object_object_get_ex(s, "memory", &o) &&
                  json_object_object_get_ex(o, "usage", &o2) &&
                  json_object_object_get_ex(s, "cpu", &o) &&
                  json_object_object_get_ex(o, "usage", &o2) &&
                  json_object_object_get_ex(o2, "total", &o2);
        json_object_put(s);
        ASSERT_TRUE(ok);
        return 0;
}

/* ---- the pure v1 layout, in a private mount namespace ---- */

TEST(pure_v1_layout)
{
        int p[2], st = 0;

        if (!is_root() || getenv("BERTH_TEST_NESTED"))
                return TEST_SKIP;
        if (host_layout() != CGROUP_LAYOUT_HYBRID)
                return TEST_SKIP; /* v1 hosts are covered by the plain run, v2 hosts have none */
        ASSERT_OK(pipe2(p, O_CLOEXEC));
        fflush(stdout);
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                if (dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0)
                        _exit(90);
                if (unshare(CLONE_NEWNS) < 0 ||
                    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
                    umount2(CGROUP_SYSFS "/unified", MNT_DETACH) < 0) {
                        printf("setup: %m\n");
                        _exit(91);
                }
                setenv("BERTH_TEST_NESTED", "1", 1);
                setenv("BERTH_TEST_EXPECT_LAYOUT", "v1", 1);
                execl("/proc/self/exe", "test-cgroup", (char *)NULL);
                _exit(92);
        }
        close(p[1]);
        FILE *f = fdopen(p[0], "re");
        _cleanup_free_ char *line = NULL;
        size_t sz = 0;
        int oks = 0, fails = 0, skips = 0;
        while (f && getline(&line, &sz, f) > 0) {
                printf("#   v1| %s", line);
                if (startswith(line, "not ok"))
                        fails++;
                else if (startswith(line, "ok") && strstr(line, "# SKIP"))
                        skips++;
                else if (startswith(line, "ok"))
                        oks++;
        }
        if (f)
                fclose(f);
        ASSERT_EQ(waitpid(pid, &st, 0), pid);
        printf("# pure v1: %d passed, %d failed, %d skipped\n", oks, fails, skips);
        ASSERT_TRUE(WIFEXITED(st));
        ASSERT_EQ(WEXITSTATUS(st), 0);
        ASSERT_EQ(fails, 0);
        ASSERT_TRUE(oks > 10);
        return 0;
}

TEST(nothing_left_behind)
{
        _cleanup_free_ char *parent = NULL;

        if (!is_root())
                return TEST_SKIP;
        if (asprintf(&parent, "/berth-test-%d", (int)getpid()) < 0)
                return 1;
        ASSERT_TRUE(gone_everywhere(parent));
        return 0;
}
