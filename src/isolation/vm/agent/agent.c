/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * berth-vm-agent: PID 1 of a berth VM. It boots the guest's own filesystem (agent-boot.c),
 * then serves the host's frames on the virtio-serial port (../vm-proto.h): VM_CREATE sets the
 * container up in new mount, pid, uts and ipc namespaces and holds it before execve until
 * VM_START; VM_EXEC joins those namespaces; stdio travels as VM_DATA frames, signals as
 * VM_SIGNAL, and each exit as VM_EXIT after the process's output is drained. One thread, one
 * poll loop; nothing here trusts the host less than the host trusts itself, but every payload
 * is still checked (vm_frame_read, agent_parse_container).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/socket-util.h"
#include "basic/string-util.h"
#include "isolation/vm/vm-proto.h"
#include "isolation/vm/agent/agent.h"

#define MAX_PROCS 64
#define CONTAINER_CGROUP "/sys/fs/cgroup/container"

typedef struct Proc {
        bool used;
        uint32_t id;
        pid_t pid;
        int in_fd;     /* write end of stdin (or the pty master, dup'd), -1 when closed */
        int out_fd;    /* stdout, or the pty master */
        int err_fd;    /* stderr; -1 with a terminal */
        int start_fd;  /* proc 0: one byte here releases it into execve */
        int status_fd; /* close-on-exec pipe: EOF means execve happened, else the error */
        bool exited;
        int status;
} Proc;

static Proc procs[MAX_PROCS];
static int port = -1;
extern char **environ;

static void close_fd(int *fd)
{
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

static Proc *find_proc(uint32_t id)
{
        for (int i = 0; i < MAX_PROCS; i++)
                if (procs[i].used && procs[i].id == id)
                        return &procs[i];
        return NULL;
}

static Proc *new_proc(uint32_t id)
{
        if (find_proc(id))
                return NULL;
        for (int i = 0; i < MAX_PROCS; i++)
                if (!procs[i].used) {
                        procs[i] = (Proc){ .used = true, .id = id, .in_fd = -1, .out_fd = -1,
                                           .err_fd = -1, .start_fd = -1, .status_fd = -1 };
                        return &procs[i];
                }
        return NULL;
}

static void send_error(uint32_t id, int err, const char *what)
{
        char buf[512];
        snprintf(buf, sizeof(buf), "%d %s: %s", err, what, strerror(err));
        vm_frame_write_text(port, VM_ERROR, id, buf);
}

/* In the child, after the fork: report errno and what failed, then die. */
__attribute__((noreturn)) static void child_fail(int status_fd, int err, const char *what)
{
        char buf[512];
        int n = snprintf(buf, sizeof(buf), "%d %s: %s", err, what, strerror(err));
        if (write(status_fd, buf, (size_t)n) < 0) {
        }
        _exit(127);
}

static void load_seccomp(const AgentProcess *p, int status_fd)
{
        size_t n = strlen(p->seccomp_hex) / 16;
        struct sock_filter *insns = calloc(n, sizeof(*insns));
        unsigned char *b = (unsigned char *)insns;
        if (!insns)
                child_fail(status_fd, ENOMEM, "seccomp");
        for (size_t i = 0; i < n * 8; i++) {
                unsigned v;
                if (sscanf(p->seccomp_hex + 2 * i, "%2x", &v) != 1)
                        child_fail(status_fd, EINVAL, "seccomp program");
                b[i] = (unsigned char)v;
        }
        struct sock_fprog prog = { .len = (unsigned short)n, .filter = insns };
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
                child_fail(status_fd, errno, "load the seccomp filter");
}

/* Credentials, directory and environment of p, then execve: the last steps of every process. */
__attribute__((noreturn)) static void exec_process(const AgentProcess *p, int status_fd)
{
        /* The directory first, while still root (runc does the same for a cwd only root can
         * search), then once more as the user, so a cwd the user can enter is entered as it. */
        if (chdir(p->cwd) < 0)
                child_fail(status_fd, errno, p->cwd);
        if (p->has_caps) {
                /* Bounding set first, while we may; the other sets after the user switch. */
                int last = 40;
                FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
                if (f) {
                        if (fscanf(f, "%d", &last) != 1)
                                last = 40;
                        fclose(f);
                }
                for (int cap = 0; cap <= last && cap < 64; cap++)
                        if (!(p->cap_bounding & (1ULL << cap)) &&
                            prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
                                child_fail(status_fd, errno, "drop from the bounding set");
                if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                        child_fail(status_fd, errno, "keep capabilities");
        }
        /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: before it goes. */
        if (p->seccomp_hex && !p->no_new_privileges)
                load_seccomp(p, status_fd);
        if (setgroups(p->n_gids, p->gids) < 0)
                child_fail(status_fd, errno, "setgroups");
        if (setresgid(p->gid, p->gid, p->gid) < 0)
                child_fail(status_fd, errno, "setgid");
        if (setresuid(p->uid, p->uid, p->uid) < 0)
                child_fail(status_fd, errno, "setuid");
        if (p->has_caps) {
                struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
                struct __user_cap_data_struct d[2] = {
                        { .effective = (uint32_t)p->cap_effective,
                          .permitted = (uint32_t)p->cap_permitted,
                          .inheritable = (uint32_t)p->cap_inheritable },
                        { .effective = (uint32_t)(p->cap_effective >> 32),
                          .permitted = (uint32_t)(p->cap_permitted >> 32),
                          .inheritable = (uint32_t)(p->cap_inheritable >> 32) },
                };
                if (syscall(SYS_capset, &h, d) < 0)
                        child_fail(status_fd, errno, "set capabilities");
                for (int cap = 0; cap < 64; cap++)
                        if (p->cap_ambient & (1ULL << cap))
                                /* EPERM where it is not inheritable and permitted: ignored,
                                 * as runc and crun do */
                                (void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
        }
        if (p->has_umask)
                umask(p->umask_);
        if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                child_fail(status_fd, errno, "no_new_privs");
        if (p->seccomp_hex && p->no_new_privileges)
                load_seccomp(p, status_fd); /* as late as may be: fewer syscalls to allow */
        (void)chdir(p->cwd);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        static char *empty_env[] = { NULL };
        environ = p->env ? p->env : empty_env;
        execvp(p->argv[0], p->argv);
        child_fail(status_fd, errno, p->argv[0]);
}

/*
 * stdio of a new process: pipes, or a pty. The pty is opened by the child inside the
 * container's mount namespace, from the container's own devpts, so its name there is right
 * (/dev/pts/0); the master comes back to the agent over *ret_sock.
 */
static int make_stdio(Proc *pr, const AgentProcess *p, int child_fds[3], int ret_sock[2])
{
        if (p->terminal) {
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ret_sock) < 0)
                        return -errno;
                return 0;
        }
        int in[2], out[2], err[2];
        if (pipe2(in, O_CLOEXEC) < 0)
                return -errno;
        if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
                return -errno;
        pr->in_fd = in[1];
        pr->out_fd = out[0];
        pr->err_fd = err[0];
        child_fds[0] = in[0];
        child_fds[1] = out[1];
        child_fds[2] = err[1];
        fcntl(pr->out_fd, F_SETFL, O_NONBLOCK);
        fcntl(pr->err_fd, F_SETFL, O_NONBLOCK);
        return 0;
}

static void child_stdio(const int fds[3], int status_fd)
{
        setsid();
        for (int i = 0; i < 3; i++)
                if (dup2(fds[i], i) < 0)
                        child_fail(status_fd, errno, "stdio");
}

/* In the child, in the container's mount namespace: a pty of its devpts as stdio and
 * controlling terminal; the master goes to the agent. */
static void child_terminal(int sock, const AgentProcess *p, int status_fd)
{
        int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0 || unlockpt(m) < 0)
                child_fail(status_fd, errno, "open a pty in the container (/dev/ptmx)");
        char *name = ptsname(m);
        int s = name ? open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
        if (s < 0)
                child_fail(status_fd, errno, "open the pty's slave");
        if (p->rows && p->cols)
                ioctl(m, TIOCSWINSZ,
                      &(struct winsize){ .ws_row = (unsigned short)p->rows,
                                         .ws_col = (unsigned short)p->cols });
        int r = socket_send_fds(sock, "m", 1, &m, 1);
        if (r < 0)
                child_fail(status_fd, -r, "hand the pty to the agent");
        close(m);
        close(sock);
        setsid();
        for (int i = 0; i < 3; i++)
                if (dup2(s, i) < 0)
                        child_fail(status_fd, errno, "stdio");
        if (ioctl(0, TIOCSCTTY, 0) < 0)
                child_fail(status_fd, errno, "controlling terminal");
        if (s > 2)
                close(s);
}

/* The agent's side: the master, or -1 when the child failed before it sent one. */
static int recv_master(Proc *pr, int sock)
{
        char byte;
        int m = -1;
        size_t n_fds = 0;
        ssize_t n = socket_recv_fds(sock, &byte, 1, &m, 1, &n_fds);
        close(sock);
        if (n <= 0 || n_fds == 0)
                return -1;
        pr->out_fd = m;
        pr->in_fd = fcntl(m, F_DUPFD_CLOEXEC, 3);
        fcntl(pr->out_fd, F_SETFL, O_NONBLOCK);
        return 0;
}

/* The container's limits in the guest's cgroup: memory.max (its swap at 0: the guest has
 * none anyway) and pids.max; -1 lifts a limit. */
/* Enables controller for the container and writes limit (-1: "max") to its file. */
static int set_limit(const char *controller, const char *file, int64_t limit)
{
        char buf[32];
        int r;

        snprintf(buf, sizeof(buf), "+%s", controller);
        if ((r = fs_write_string_file("/sys/fs/cgroup/cgroup.subtree_control", buf)) < 0)
                return r;
        if (limit < 0)
                strcpy(buf, "max");
        else
                snprintf(buf, sizeof(buf), "%lld", (long long)limit);
        return fs_write_string_file(file, buf);
}

static int set_limits(int64_t memory_limit, int64_t pids_limit, bool memory, bool pids)
{
        int r;

        if (memory) {
                if ((r = set_limit("memory", CONTAINER_CGROUP "/memory.max", memory_limit)) < 0)
                        return r;
                (void)fs_write_string_file(CONTAINER_CGROUP "/memory.swap.max", "0");
        }
        if (pids && (r = set_limit("pids", CONTAINER_CGROUP "/pids.max", pids_limit)) < 0)
                return r;
        return 0;
}

static int setup_cgroup(int64_t memory_limit, int64_t pids_limit)
{
        if (mkdir(CONTAINER_CGROUP, 0755) < 0 && errno != EEXIST)
                return -errno;
        return set_limits(memory_limit, pids_limit, memory_limit >= 0, pids_limit >= 0);
}

static void handle_update(const VmFrame *f)
{
        int64_t memory = -1, pids = -1;
        bool has_memory = false, has_pids = false;
        size_t pos = 0;
        char *k, *v;
        int r;

        while ((r = vm_kv_next(f->data, f->h.len, &pos, &k, &v)) > 0) {
                int64_t n;
                if (string_safe_atoi64(v, &n) < 0) {
                        send_error(f->h.proc, EINVAL, k);
                        return;
                }
                if (strcmp(k, "memory") == 0) {
                        memory = n;
                        has_memory = true;
                } else if (strcmp(k, "pids") == 0) {
                        pids = n;
                        has_pids = true;
                }
        }
        r = set_limits(memory, pids, has_memory, has_pids);
        if (r < 0) {
                send_error(f->h.proc, -r, "update the container's cgroup in the guest");
                return;
        }
        vm_frame_write(port, VM_UPDATED, 0, f->h.proc, NULL, 0);
}

/* The 9p shares the host made for bind mounts: "share" mounts name them by tag. */
static int mount_shares(const AgentContainer *c, const char **ret_what)
{
        for (size_t i = 0; i < c->n_mounts; i++) {
                const AgentMount *m = &c->mounts[i];
                char tag[64], dir[128];
                if (strcmp(m->type, "share") != 0)
                        continue;
                size_t n = strcspn(m->source, "/");
                if (n == 0 || n >= sizeof(tag)) {
                        *ret_what = m->source;
                        return -EINVAL;
                }
                memcpy(tag, m->source, n);
                tag[n] = 0;
                snprintf(dir, sizeof(dir), "/run/berth/shares/%s", tag);
                struct stat st;
                if (stat(dir, &st) == 0)
                        continue; /* already mounted for an earlier mount */
                mkdir("/run/berth/shares", 0700);
                if (mkdir(dir, 0700) < 0 ||
                    mount(tag, dir, "9p", 0,
                          "trans=virtio,version=9p2000.L,msize=262144,cache=none") < 0) {
                        *ret_what = dir;
                        return -errno;
                }
        }
        return 0;
}

/* What the container needs before its process is cloned: its description, the rootfs over
 * 9p, the shared directories, its cgroup, its stdio. Returns -errno and what failed. */
static int create_prepare(const VmFrame *f, AgentContainer *c, Proc *pr, int fds[3],
                          int tsock[2], const char **what)
{
        static char *payload; /* proc 0's description lives as long as the agent */
        int r;

        payload = malloc(f->h.len + 1);
        if (!payload)
                return -ENOMEM;
        memcpy(payload, f->data, f->h.len + 1);
        r = agent_parse_container(payload, f->h.len, c, what);
        if (r < 0)
                return r;
        *what = "rootfs";
        mkdir("/run/berth", 0700);
        mkdir(AGENT_ROOTFS, 0755);
        if (mount("rootfs", AGENT_ROOTFS, "9p", 0,
                  "trans=virtio,version=9p2000.L,msize=262144,cache=mmap") < 0)
                return -errno;
        r = mount_shares(c, what);
        if (r < 0)
                return r;
        *what = "the container's cgroup in the guest";
        r = setup_cgroup(c->memory_limit, c->pids_limit);
        if (r < 0)
                return r;
        *what = "stdio";
        return make_stdio(pr, &c->proc, fds, tsock);
}

/* The container's process, cloned into its namespaces: joins the cgroup, sets up the rootfs
 * and terminal, says it is ready and waits for VM_START, then executes. */
static _Noreturn void container_child(AgentContainer *c, int fds[3], int tsock[2], int start[2],
                                      int status[2])
{
        const char *what = "create";
        char b;
        int r;

        close(status[0]);
        close(start[1]);
        int cg = open(CONTAINER_CGROUP "/cgroup.procs", O_WRONLY | O_CLOEXEC);
        if (cg < 0 || write(cg, "0", 1) < 0)
                child_fail(status[1], errno, "join the container's cgroup");
        close(cg);
        if (!c->proc.terminal)
                child_stdio(fds, status[1]);
        r = agent_setup_rootfs(c, &what);
        if (r < 0)
                child_fail(status[1], -r, what);
        if (c->proc.terminal) {
                close(tsock[0]);
                child_terminal(tsock[1], &c->proc, status[1]);
        }
        if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
                child_fail(status[1], errno, "hostname");
        /* Set up: say so, then wait here until VM_START (EOF: the agent is gone). */
        if (write(status[1], "R", 1) != 1 || read(start[0], &b, 1) != 1)
                _exit(127);
        exec_process(&c->proc, status[1]);
}

/* The child's word on its setup: created (held before execve), or why not. */
static void report_created(Proc *pr)
{
        char buf[600];
        ssize_t n;

        do
                n = read(pr->status_fd, buf, sizeof(buf) - 1);
        while (n < 0 && errno == EINTR);
        if (n != 1 || buf[0] != 'R') {
                /* Its setup failed (or it died): report, and let its exit be reaped. */
                buf[n > 0 ? n : 0] = 0;
                close_fd(&pr->start_fd);
                close_fd(&pr->status_fd);
                vm_frame_write_text(port, VM_ERROR, 0, n > 0 ? buf : "5 container setup: died");
                return;
        }
        snprintf(buf, sizeof(buf), "%d", (int)pr->pid);
        vm_frame_write_text(port, VM_STARTED, 0, buf);
}

static void handle_create(const VmFrame *f)
{
        static AgentContainer c; /* proc 0's description lives as long as the agent */
        const char *what = "create";
        int fds[3] = { -1, -1, -1 }, start[2], status[2], tsock[2] = { -1, -1 };
        Proc *pr;
        int r;

        if (find_proc(0) || !(pr = new_proc(0))) {
                send_error(0, EEXIST, "the container exists");
                return;
        }
        r = create_prepare(f, &c, pr, fds, tsock, &what);
        if (r >= 0 && (pipe2(start, O_CLOEXEC) < 0 || pipe2(status, O_CLOEXEC) < 0)) {
                r = -errno;
                what = "pipe";
        }
        if (r < 0) {
                send_error(0, -r, what);
                pr->used = false;
                return;
        }
        pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS |
                                                      CLONE_NEWIPC | SIGCHLD,
                                   NULL, NULL, NULL, NULL);
        if (pid == 0)
                container_child(&c, fds, tsock, start, status);
        for (int i = 0; i < 3; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        close(start[0]);
        close(status[1]);
        if (tsock[1] >= 0)
                close(tsock[1]);
        if (pid > 0 && tsock[0] >= 0)
                (void)recv_master(pr, tsock[0]); /* none: the status pipe tells why */
        else if (tsock[0] >= 0)
                close(tsock[0]);
        if (pid < 0) {
                close(start[1]);
                close(status[0]);
                send_error(0, errno, "clone");
                pr->used = false;
                return;
        }
        pr->pid = pid;
        pr->start_fd = start[1];
        pr->status_fd = status[0];
        report_created(pr);
}

/* Waits for the status pipe: EOF means execve; otherwise the child's "errno what: text". */
static int read_exec_status(Proc *pr, char *buf, size_t size)
{
        ssize_t n;
        do
                n = read(pr->status_fd, buf, size - 1);
        while (n < 0 && errno == EINTR);
        close_fd(&pr->status_fd);
        if (n <= 0)
                return 0;
        buf[n] = 0;
        return -1;
}

static void handle_start(const VmFrame *f)
{
        Proc *pr = find_proc(f->h.proc);
        char buf[600];

        if (!pr || pr->start_fd < 0) {
                send_error(f->h.proc, ESRCH, "start: no process waiting");
                return;
        }
        if (write(pr->start_fd, "s", 1) != 1) {
                send_error(f->h.proc, errno, "start");
                return;
        }
        close_fd(&pr->start_fd);
        if (read_exec_status(pr, buf, sizeof(buf)) < 0) {
                vm_frame_write_text(port, VM_ERROR, pr->id, buf);
                return;
        }
        snprintf(buf, sizeof(buf), "%d", (int)pr->pid);
        vm_frame_write_text(port, VM_STARTED, pr->id, buf);
}

static int open_ns(pid_t pid, const char *ns)
{
        char p[64];
        snprintf(p, sizeof(p), "/proc/%d/ns/%s", (int)pid, ns);
        return open(p, O_RDONLY | O_CLOEXEC);
}

static void handle_exec(const VmFrame *f)
{
        Proc *init = find_proc(0), *pr;
        AgentContainer c;
        const char *what = "exec";
        int fds[3] = { -1, -1, -1 }, status[2], ns[4], self_pid, tsock[2] = { -1, -1 };
        static const char *const names[] = { "ipc", "uts", "mnt", "pid" };
        char buf[600];

        if (!init || init->exited || init->start_fd >= 0) {
                send_error(f->h.proc, ESRCH, "exec: the container is not running");
                return;
        }
        if (f->h.proc == 0 || !(pr = new_proc(f->h.proc))) {
                send_error(f->h.proc, EEXIST, "exec: bad or duplicate process id");
                return;
        }
        char *payload = f->data; /* owned by the frame: the child copies what it needs */
        if (agent_parse_container(payload, f->h.len, &c, &what) < 0) {
                send_error(f->h.proc, EINVAL, what);
                pr->used = false;
                return;
        }
        int r = make_stdio(pr, &c.proc, fds, tsock);
        if (r < 0 || pipe2(status, O_CLOEXEC) < 0) {
                send_error(f->h.proc, r < 0 ? -r : errno, "exec: stdio");
                agent_container_done(&c);
                pr->used = false;
                return;
        }
        for (int i = 0; i < 4; i++)
                ns[i] = open_ns(init->pid, names[i]);
        self_pid = open_ns(getpid(), "pid");
        /* Children made from now on are in the container's pid namespace; we are not. */
        pid_t pid = -1;
        if (ns[3] >= 0 && self_pid >= 0 && setns(ns[3], CLONE_NEWPID) == 0) {
                pid = fork();
                if (pid != 0)
                        (void)setns(self_pid, CLONE_NEWPID);
        }
        if (pid == 0) {
                close(status[0]);
                int cg = open(CONTAINER_CGROUP "/cgroup.procs", O_WRONLY | O_CLOEXEC);
                if (cg >= 0) {
                        if (write(cg, "0", 1) < 0) {
                        }
                        close(cg);
                }
                for (int i = 0; i < 3; i++)
                        if (ns[i] < 0 || setns(ns[i], 0) < 0)
                                child_fail(status[1], errno, names[i]);
                if (c.proc.terminal) {
                        close(tsock[0]);
                        child_terminal(tsock[1], &c.proc, status[1]);
                } else
                        child_stdio(fds, status[1]);
                exec_process(&c.proc, status[1]);
        }
        int saved = errno;
        for (int i = 0; i < 4; i++)
                if (ns[i] >= 0)
                        close(ns[i]);
        if (self_pid >= 0)
                close(self_pid);
        for (int i = 0; i < 3; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        close(status[1]);
        if (tsock[1] >= 0)
                close(tsock[1]);
        if (pid > 0 && tsock[0] >= 0)
                (void)recv_master(pr, tsock[0]);
        else if (tsock[0] >= 0)
                close(tsock[0]);
        agent_container_done(&c);
        pr->status_fd = status[0];
        if (pid < 0) {
                close_fd(&pr->status_fd);
                send_error(f->h.proc, saved, "exec: enter the container");
                close_fd(&pr->in_fd);
                close_fd(&pr->out_fd);
                close_fd(&pr->err_fd);
                pr->used = false;
                return;
        }
        pr->pid = pid;
        if (read_exec_status(pr, buf, sizeof(buf)) < 0) {
                vm_frame_write_text(port, VM_ERROR, pr->id, buf);
                return; /* the child exits 127; its EXIT follows */
        }
        snprintf(buf, sizeof(buf), "%d", (int)pid);
        vm_frame_write_text(port, VM_STARTED, pr->id, buf);
}

static void handle_data(const VmFrame *f)
{
        Proc *pr = find_proc(f->h.proc);
        if (!pr || f->h.stream != VM_STREAM_STDIN || pr->in_fd < 0)
                return;
        if (f->h.len == 0) {
                /* A terminal has no end of input to send but ^D; pipes close. */
                close_fd(&pr->in_fd);
                return;
        }
        size_t done = 0;
        while (done < f->h.len) {
                ssize_t k = write(pr->in_fd, f->data + done, f->h.len - done);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        close_fd(&pr->in_fd); /* the reader is gone: drop the rest */
                        return;
                }
                done += (size_t)k;
        }
}

static void handle_signal(const VmFrame *f)
{
        Proc *pr = find_proc(f->h.proc);
        int sig = f->data ? atoi(f->data) : 0;
        if (pr && !pr->exited && sig > 0 && sig < 65)
                kill(pr->pid, sig);
}

static void handle_resize(const VmFrame *f)
{
        Proc *pr = find_proc(f->h.proc);
        unsigned rows, cols;
        if (pr && f->data && sscanf(f->data, "%u %u", &rows, &cols) == 2 && pr->err_fd < 0 &&
            pr->out_fd >= 0)
                ioctl(pr->out_fd, TIOCSWINSZ,
                      &(struct winsize){ .ws_row = (unsigned short)rows,
                                         .ws_col = (unsigned short)cols });
}

/* Pids of the container's processes as its own pid namespace numbers them (NSpid's last). */
static void handle_ps(const VmFrame *f)
{
        Proc *init = find_proc(0);
        char want[64] = "", link[64], out[8192] = "";
        size_t used = 0;
        DIR *d;
        struct dirent *de;

        if (init && !init->exited) {
                char p[64];
                snprintf(p, sizeof(p), "/proc/%d/ns/pid", (int)init->pid);
                ssize_t n = readlink(p, want, sizeof(want) - 1);
                want[n > 0 ? n : 0] = 0;
        }
        if (want[0] && (d = opendir("/proc"))) {
                while ((de = readdir(d))) {
                        char p[300], line[256];
                        if (de->d_name[0] < '1' || de->d_name[0] > '9')
                                continue;
                        snprintf(p, sizeof(p), "/proc/%s/ns/pid", de->d_name);
                        ssize_t n = readlink(p, link, sizeof(link) - 1);
                        if (n <= 0)
                                continue;
                        link[n] = 0;
                        if (strcmp(link, want) != 0)
                                continue;
                        snprintf(p, sizeof(p), "/proc/%s/status", de->d_name);
                        FILE *s = fopen(p, "re");
                        if (!s)
                                continue;
                        while (fgets(line, sizeof(line), s))
                                if (strncmp(line, "NSpid:", 6) == 0) {
                                        char *last = strrchr(line, '\t');
                                        int v = last ? atoi(last + 1) : 0;
                                        if (v > 0 && used + 12 < sizeof(out))
                                                used += (size_t)snprintf(out + used,
                                                                         sizeof(out) - used,
                                                                         "%s%d", used ? " " : "",
                                                                         v);
                                }
                        fclose(s);
                }
                closedir(d);
        }
        vm_frame_write_text(port, VM_PS_REPLY, f->h.proc, out);
}

/* Sends what fd has; false at its end (EOF, or EIO from a pty whose slave is gone). */
static bool pump(Proc *pr, int *fd, uint16_t stream)
{
        char buf[65536];
        for (;;) {
                ssize_t n = read(*fd, buf, sizeof(buf));
                if (n > 0) {
                        vm_frame_write(port, VM_DATA, stream, pr->id, buf, (uint32_t)n);
                        continue;
                }
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return true;
                close_fd(fd);
                vm_frame_write(port, VM_DATA, stream, pr->id, NULL, 0);
                return false;
        }
}

static uint64_t oom_reported; /* oom_kill count already sent as VM_OOM */

static uint64_t oom_kills(void)
{
        FILE *f = fopen(CONTAINER_CGROUP "/memory.events", "re");
        char line[128];
        unsigned long long n = 0;
        if (!f)
                return 0;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "oom_kill %llu", &n) == 1)
                        break;
        fclose(f);
        return n;
}

/* One VM_OOM for each kill the container's memory cgroup saw since the last report. */
static void report_oom(void)
{
        uint64_t n = oom_kills();
        while (oom_reported < n) {
                vm_frame_write(port, VM_OOM, 0, 0, NULL, 0);
                oom_reported++;
        }
}

static void finish(Proc *pr)
{
        char buf[32];
        /* Output written before the exit is in the pipe: send it before the status. */
        if (pr->out_fd >= 0)
                pump(pr, &pr->out_fd, VM_STREAM_STDOUT);
        if (pr->err_fd >= 0)
                pump(pr, &pr->err_fd, VM_STREAM_STDERR);
        if (pr->out_fd >= 0 || pr->err_fd >= 0)
                return; /* something in the container still holds them: wait for EOF */
        if (pr->id == 0)
                report_oom();
        snprintf(buf, sizeof(buf), "%d", pr->status);
        close_fd(&pr->in_fd);
        close_fd(&pr->start_fd);
        close_fd(&pr->status_fd);
        vm_frame_write_text(port, VM_EXIT, pr->id, buf);
        if (pr->id == 0) {
                /* The container is over: everything else in it goes too; the host stops us. */
                for (int i = 0; i < MAX_PROCS; i++)
                        if (procs[i].used && procs[i].id != 0 && !procs[i].exited)
                                kill(procs[i].pid, SIGKILL);
                sync();
        }
        pr->used = false;
}

static void reap(void)
{
        int st;
        pid_t pid;
        while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
                for (int i = 0; i < MAX_PROCS; i++)
                        if (procs[i].used && procs[i].pid == pid) {
                                procs[i].exited = true;
                                procs[i].status = st;
                        }
}

/* One frame from the host, to its handler. Returns -1 when the host is gone. */
static int serve_frame(void)
{
        VmFrame f;

        if (vm_frame_read(port, &f) < 0)
                return -1;
        switch (f.h.type) {
        case VM_CREATE:
                handle_create(&f);
                break;
        case VM_START:
                handle_start(&f);
                break;
        case VM_EXEC:
                handle_exec(&f);
                break;
        case VM_DATA:
                handle_data(&f);
                break;
        case VM_SIGNAL:
                handle_signal(&f);
                break;
        case VM_RESIZE:
                handle_resize(&f);
                break;
        case VM_PS:
                handle_ps(&f);
                break;
        case VM_UPDATE:
                if (f.data)
                        handle_update(&f);
                break;
        case VM_RESUMED:
                if (f.data)
                        agent_resumed(f.data);
                break;
        default:
                break;
        }
        vm_frame_done(&f);
        return 0;
}

/* Hello to the host, with the guest's uptime now and when the kernel started us (CLOCK_BOOTTIME,
 * the clock of /proc/uptime): how long its kernel and our own boot took (the host's bench shows
 * them). */
static void say_hello(const struct timespec *started)
{
        char up[64] = "0";
        FILE *uf = fopen("/proc/uptime", "re");

        if (uf) {
                if (fscanf(uf, "%31s", up) != 1)
                        strcpy(up, "0");
                fclose(uf);
        }
        size_t n = strlen(up);
        snprintf(up + n, sizeof(up) - n, " %lld.%03ld", (long long)started->tv_sec,
                 started->tv_nsec / 1000000);
        vm_frame_write_text(port, VM_HELLO, 0, up);
}

/* Until the host goes away: its frames, the processes' output, their exits, OOM kills. */
static void serve(int sfd)
{
        int events_fd = -1;

        for (;;) {
                struct pollfd pfd[3 + 2 * MAX_PROCS];
                struct {
                        Proc *p;
                        int *fd;
                        uint16_t stream;
                } map[2 * MAX_PROCS];
                int n = 0, m = 0;

                pfd[n++] = (struct pollfd){ .fd = port, .events = POLLIN };
                pfd[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
                /* memory.events changes (an OOM kill) wake poll with POLLPRI. */
                if (events_fd < 0)
                        events_fd = open(CONTAINER_CGROUP "/memory.events", O_RDONLY | O_CLOEXEC);
                pfd[n++] = (struct pollfd){ .fd = events_fd, .events = POLLPRI };
                for (int i = 0; i < MAX_PROCS; i++) {
                        Proc *pr = &procs[i];
                        if (!pr->used)
                                continue;
                        if (pr->out_fd >= 0) {
                                map[m] = (typeof(map[0])){ pr, &pr->out_fd, VM_STREAM_STDOUT };
                                pfd[n++] = (struct pollfd){ .fd = pr->out_fd, .events = POLLIN };
                                m++;
                        }
                        if (pr->err_fd >= 0) {
                                map[m] = (typeof(map[0])){ pr, &pr->err_fd, VM_STREAM_STDERR };
                                pfd[n++] = (struct pollfd){ .fd = pr->err_fd, .events = POLLIN };
                                m++;
                        }
                }
                if (poll(pfd, (nfds_t)n, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return;
                }
                for (int i = 0; i < m; i++)
                        if (pfd[3 + i].revents && *map[i].fd >= 0)
                                pump(map[i].p, map[i].fd, map[i].stream);
                if (pfd[2].revents & POLLPRI)
                        report_oom();
                if (pfd[1].revents) {
                        struct signalfd_siginfo si;
                        while (read(sfd, &si, sizeof(si)) > 0)
                                ;
                        reap();
                }
                if (pfd[0].revents && serve_frame() < 0)
                        return; /* the host is gone or broken: nothing to serve */
                for (int i = 0; i < MAX_PROCS; i++)
                        if (procs[i].used && procs[i].exited)
                                finish(&procs[i]);
        }
}

int main(void)
{
        struct timespec started = {};
        sigset_t mask;
        int sfd;

        clock_gettime(CLOCK_BOOTTIME, &started);

        if (getpid() != 1) {
                fprintf(stderr, "berth-vm-agent: runs as the init of a berth VM only\n");
                return 2;
        }
        if (agent_boot() >= 0 && (port = agent_open_port()) >= 0) {
                sigemptyset(&mask);
                sigaddset(&mask, SIGCHLD);
                sigprocmask(SIG_BLOCK, &mask, NULL);
                sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
                if (sfd >= 0) {
                        signal(SIGPIPE, SIG_IGN);
                        say_hello(&started);
                        serve(sfd);
                }
        }
        sync();
        reboot(RB_POWER_OFF);
        return 1;
}
