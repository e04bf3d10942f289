/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The exec stub (CVE-2019-5736 without a copy of the runtime): when it is used, what it is,
 * and that it executes a program or reports why it could not. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/exec-stub.h"
#include "runtime/sync-wire.h"
#include "spec/runtime-spec.h"
#include "tap.h"

/* The default spec with one change made by edit (a JSON snippet applied at the top level). */
static Spec *spec_with(void (*edit)(struct json_object *root))
{
        _cleanup_free_ char *def = spec_default_json(false);
        struct json_object *root = json_tokener_parse(def);
        _cleanup_error_ BerthError *err = NULL;
        Spec *s = NULL;

        if (edit)
                edit(root);
        const char *text = json_object_to_json_string(root);
        if (spec_parse(text, strlen(text), &s, &err) < 0)
                printf("# spec: %s\n", err->msg);
        json_object_put(root);
        return s;
}

static struct json_object *caps_of(struct json_object *root)
{
        struct json_object *p, *c;
        json_object_object_get_ex(root, "process", &p);
        json_object_object_get_ex(p, "capabilities", &c);
        return c;
}

static void add_ptrace(struct json_object *root)
{
        struct json_object *b;
        json_object_object_get_ex(caps_of(root), "bounding", &b);
        json_object_array_add(b, json_object_new_string("CAP_SYS_PTRACE"));
}

static void no_bounding(struct json_object *root)
{
        json_object_object_del(caps_of(root), "bounding");
}

static void no_capabilities(struct json_object *root)
{
        struct json_object *p;
        json_object_object_get_ex(root, "process", &p);
        json_object_object_del(p, "capabilities");
}

static void non_root(struct json_object *root)
{
        struct json_object *p, *u;
        json_object_object_get_ex(root, "process", &p);
        json_object_object_get_ex(p, "user", &u);
        json_object_object_add(u, "uid", json_object_new_int(1000));
}

static void non_root_all_ambient(struct json_object *root)
{
        non_root(root);
        struct json_object *c = caps_of(root), *perm;
        json_object_object_get_ex(c, "permitted", &perm);
        json_object_object_add(c, "ambient", json_object_get(perm));
        json_object_object_add(c, "inheritable", json_object_get(perm));
}

static void start_hook(struct json_object *root)
{
        struct json_object *h = json_tokener_parse(
                "{\"startContainer\": [{\"path\": \"/bin/true\"}]}");
        json_object_object_add(root, "hooks", h);
}

static void seccomp_without_execveat(struct json_object *root)
{
        struct json_object *l, *sc = json_tokener_parse(
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
                "[\"execveat\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
        json_object_object_get_ex(root, "linux", &l);
        json_object_object_add(l, "seccomp", sc);
}

static void seccomp_allowlist(struct json_object *root)
{
        struct json_object *l, *sc = json_tokener_parse(
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": "
                "[\"execve\", \"execveat\", \"fcntl\", \"write\", \"exit_group\", "
                "\"capget\", \"capset\"], "
                "\"action\": \"SCMP_ACT_ALLOW\"}]}");
        json_object_object_get_ex(root, "linux", &l);
        json_object_object_add(l, "seccomp", sc);
}

TEST(usable_only_where_it_changes_nothing)
{
        static const struct {
                void (*edit)(struct json_object *);
                bool usable;
                const char *what;
        } cases[] = {
                { NULL, true, "default spec" },
                { add_ptrace, false, "CAP_SYS_PTRACE in bounding" },
                /* A missing set is an empty one; only a missing object keeps the host's. */
                { no_bounding, true, "no bounding list" },
                { no_capabilities, false, "no process.capabilities" },
                { non_root, false, "non-root with non-ambient caps" },
                { non_root_all_ambient, true, "non-root, all permitted caps ambient" },
                { start_hook, false, "startContainer hook" },
                { seccomp_without_execveat, false, "seccomp denies execveat" },
                { seccomp_allowlist, true, "seccomp allows what the stub needs" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_spec_ Spec *s = spec_with(cases[i].edit);
                ASSERT_NOT_NULL(s);
                printf("# %s: %s\n", cases[i].what, exec_stub_usable(s) ? "stub" : "sealed copy");
                ASSERT_EQ(exec_stub_usable(s), cases[i].usable);
        }
        return 0;
}

TEST(memfd_is_sealed_small_elf)
{
        _cleanup_close_ int fd = -1;
        unsigned char head[4];
        struct stat st;

        ASSERT_OK(exec_stub_memfd(&fd));
        int seals = fcntl(fd, F_GET_SEALS);
        ASSERT_TRUE(seals >= 0);
        ASSERT_TRUE((seals & (F_SEAL_SEAL | F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK)) ==
                    (F_SEAL_SEAL | F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK));
        ASSERT_EQ(pread(fd, head, 4, 0), 4);
        ASSERT_TRUE(memcmp(head, "\177ELF", 4) == 0);
        ASSERT_OK(fstat(fd, &st) < 0 ? -errno : 0);
        printf("# stub: %lld bytes\n", (long long)st.st_size);
        ASSERT_TRUE(st.st_size < 64 * 1024);
        /* sealed: no writing, even through a new open */
        ASSERT_TRUE(pwrite(fd, "x", 1, 0) < 0);
        return 0;
}

/* Runs path through the stub in a child; returns what arrived on the report channel: 0 for
 * "closed" (the program runs), else the errno of a SYNC_EXEC_FAILED record. */
static int run_through_stub(const char *path, int *ret_status)
{
        int sp[2], stub = -1;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0 ||
            exec_stub_memfd(&stub) < 0)
                return -1;
        pid_t pid = fork();
        if (pid == 0) {
                char *argv[] = { (char *)path, NULL }, *envp[] = { NULL };
                close(sp[0]);
                int fd = open("/dev/null", O_WRONLY);
                dup2(fd, 1);
                exec_stub_exec(stub, sp[1], path, argv, envp);
                _exit(99);
        }
        close(sp[1]);
        close(stub);
        struct {
                SyncWire w;
                char text[256];
        } m = {};
        ssize_t n = recv(sp[0], &m, sizeof(m), 0);
        close(sp[0]);
        waitpid(pid, ret_status, 0);
        if (n == 0)
                return 0;
        if (n < (ssize_t)sizeof(m.w) || m.w.type != SYNC_EXEC_FAILED ||
            strncmp(m.text, path, (size_t)n - sizeof(m.w)) != 0)
                return -2;
        return m.w.value;
}

TEST(stub_executes_or_reports)
{
        int st = -1;

        ASSERT_EQ(run_through_stub("/bin/true", &st), 0);
        ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        ASSERT_EQ(run_through_stub("/nonexistent/program", &st), ENOENT);
        ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 127);
        ASSERT_EQ(run_through_stub("/proc/self/status", &st), EACCES);
        return 0;
}
