/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The VM monitor (vm-monitor.h): boots qemu, talks to the agent, stands in for the init. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/process-util.h"
#include "basic/socket-util.h"
#include "basic/string-util.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"
#include "isolation/vm/vm-monitor.h"
#include "isolation/vm/vm-template.h"

#define BOOT_TIMEOUT_MS 120000 /* TCG on a loaded 2-core host boots in seconds; be patient */
#define MAX_EXECS 32

typedef struct Exec {
        bool used;
        uint32_t proc;
        int conn;              /* the client on vm.sock */
        int in, out, err;      /* its stdio, passed by the client */
        bool ps;               /* a ps or update request, not a process */
} Exec;

typedef struct Monitor {
        const VmMonitorArgs *a;
        int agent;             /* our end of the agent's virtio-serial chardev */
        pid_t qemu;
        int sfd;               /* signalfd */
        int exec_listen;       /* exec.sock, until start */
        int start_conn;        /* the `start` waiting for VM_STARTED */
        int control;           /* vm.sock */
        int in, out, err;      /* the container's stdio on the host */
        int pty;               /* terminal: our end (the slave of the console's pty), or -1 */
        uint32_t next_proc;
        Exec execs[MAX_EXECS];
} Monitor;

static double now_ms(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

static void report(const VmMonitorArgs *a, const char *fmt, ...) _printf_(2, 3);
static void report(const VmMonitorArgs *a, const char *fmt, ...)
{
        char buf[1024];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (a->report_fd >= 0)
                (void)fs_write_all_fd(a->report_fd, buf, (size_t)MIN(n, (int)sizeof(buf) - 1));
}

_Noreturn static void fail(const VmMonitorArgs *a, int err, const char *fmt, ...) _printf_(3, 4);
_Noreturn static void fail(const VmMonitorArgs *a, int err, const char *fmt, ...)
{
        char buf[900], tail[400] = "";
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        /* The state directory goes with the failed create: the console's last words come
         * along in the error instead. */
        int fd = openat(a->state_dirfd, VM_CONSOLE_LOG, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0) {
                off_t off = st.st_size > (off_t)sizeof(tail) - 1 ? st.st_size - (off_t)sizeof(tail) + 1 : 0;
                ssize_t n = pread(fd, tail, sizeof(tail) - 1, off);
                tail[n > 0 ? n : 0] = 0;
                for (char *t = tail; *t; t++)
                        if (*t == '\r' || (*t == '\n' && t[1]))
                                *t = ' ';
        }
        if (fd >= 0)
                close(fd);
        if (err)
                report(a, "%d %s: %s%s%s", err, buf, strerror(err), tail[0] ? "; console: " : "", tail);
        else
                report(a, "0 %s%s%s", buf, tail[0] ? "; console: " : "", tail);
        _exit(1);
}

/* How qemu is started: cold, as the template, or as a clone of it (vm-template.h). */
typedef struct Boot {
        const char *mem;   /* the template's memory file, or NULL: anonymous RAM */
        bool share;        /* the template writes the file; a clone maps it privately */
        bool incoming;     /* a clone: waits for its state on QMP */
        int qmp_fd;        /* qemu's end of the QMP socket, or -1 */
        int state_fd;      /* a clone: the template's state, or -1 */
} Boot;

static const Boot cold_boot = { .qmp_fd = -1, .state_fd = -1 };

/* The guest's console goes to console.log in the state directory, for diagnosing boots. */
static char **qemu_argv(const VmMonitorArgs *a, int agent_fd, const Boot *b)
{
        _cleanup_strv_free_ char **v = NULL;
        char buf[4096];
        const VmAssets *as = a->assets;

#define ADD(s)                                                                                     \
        do {                                                                                       \
                if (strv_extend(&v, (s)) < 0)                                                      \
                        return NULL;                                                               \
        } while (0)
#define ADDF(...)                                                                                  \
        do {                                                                                       \
                snprintf(buf, sizeof(buf), __VA_ARGS__);                                           \
                ADD(buf);                                                                          \
        } while (0)

        ADD(as->qemu);
        /* TCG keeps translated code in a buffer of 1 GiB by default; a guest that runs one
         * container needs a fraction of it, and every page of it counts as ours. The boot
         * alone translates more than 32 MiB (the buffer is flushed once at 32, three times at
         * 16, nine at 8), yet 16 boots no slower than 32 here: most of it runs once. */
        ADD("-accel"); ADD("tcg,tb-size=16");
        if (b->mem) {
                /* The same device set and order in the template and its clones: only
                 * host-side paths and fds differ. */
                ADD("-object");
                ADDF("memory-backend-file,id=ram,size=%uM,mem-path=%s,share=%s", a->memory_mib,
                     b->mem, b->share ? "on" : "off");
                ADD("-M"); ADD("microvm,x-option-roms=off,memory-backend=ram");
        } else {
                ADD("-M"); ADD("microvm,x-option-roms=off");
        }
        ADD("-cpu"); ADD("max");
        ADD("-m"); ADDF("%uM", a->memory_mib);
        ADD("-smp"); ADDF("%u", a->vcpus);
        ADD("-nographic"); ADD("-no-reboot"); ADD("-nodefaults");
        ADD("-no-user-config");
        ADD("-serial"); ADD("stdio");
        /* qemu's own seccomp filter: no new processes, no privilege changes. */
        ADD("-sandbox"); ADD("on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
        ADD("-kernel"); ADD(as->kernel);
        ADD("-initrd"); ADD(as->initrd);
        /* The guest kernel's own hardening costs boot time and buys nothing in here: the VM
         * holds one container, whose data is all that a page not zeroed on allocation could
         * show, and TCG has no speculative execution to mitigate (under KVM, mitigations
         * must stay on). Crypto self-tests and LSMs other than capabilities have nothing to
         * guard in a guest that loads only the host's modules. Three initcalls of Debian's
         * kernel that cost 10-75 ms each under TCG and serve nothing in here are skipped (a
         * name a kernel does not have is ignored): the kprobe_events tracer, the KDF108
         * self-test, and the built-in certificates, which only check module signatures (the
         * initramfs's modules carry none, vm-assets.c). */
        ADD("-append");
        ADDF("console=ttyS0 quiet loglevel=1 panic=-1 reboot=t rdinit=/init no_timer_check "
             "init_on_alloc=0 cryptomgr.notests lsm=capability audit=0 mitigations=off "
             "initcall_blacklist=init_kprobe_trace,crypto_kdf108_init,"
             "load_system_certificate_list%s%s",
             as->tsc_khz ? " tsc_early_khz=" : "", as->tsc_khz ? as->tsc_khz : "");
        ADD("-device"); ADD("virtio-serial-device,max_ports=2");
        ADD("-chardev"); ADDF("socket,id=agent,fd=%d", agent_fd);
        ADD("-device"); ADD("virtserialport,chardev=agent,name=berth.agent");
        ADD("-fsdev");
        ADDF("local,id=rootfs,path=%s,security_model=passthrough,multidevs=remap", a->rootfs);
        ADD("-device"); ADD("virtio-9p-device,fsdev=rootfs,mount_tag=rootfs");
        for (size_t i = 0; a->shares && a->shares[i]; i++) {
                ADD("-fsdev");
                ADDF("local,id=m%zu,path=%s,security_model=passthrough,multidevs=remap%s", i,
                     a->shares[i], a->shares_ro[i] ? ",readonly=on" : "");
                ADD("-device"); ADDF("virtio-9p-device,fsdev=m%zu,mount_tag=m%zu", i, i);
        }
        /* Pages the guest frees (its boot-time memory, a finished process) go back to the
         * host: the VM costs what it uses now, not the most it ever used. */
        ADD("-device"); ADD("virtio-balloon-device,free-page-reporting=on");
        if (b->qmp_fd >= 0) {
                ADD("-chardev"); ADDF("socket,id=qmp,fd=%d", b->qmp_fd);
                ADD("-mon"); ADD("chardev=qmp,mode=control");
        }
        if (b->incoming) {
                ADD("-incoming"); ADD("defer");
        }
#undef ADD
#undef ADDF
        return TAKE_PTR(v);
}

/*
 * What qemu keeps of root's capabilities: what the 9p server needs to give the guest the
 * rootfs's owners, modes and device nodes as they are (security_model=passthrough), and nothing
 * else: no CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_NET_*, CAP_SYS_MODULE... A root process's
 * capabilities after execve() are its bounding set, so dropping from that is enough.
 */
static int drop_capabilities(void)
{
        static const int keep[] = {
                CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID,
                CAP_MKNOD, CAP_SETUID, CAP_SETGID,
        };
        for (int cap = 0; cap <= 63; cap++) {
                bool k = false;
                for (size_t i = 0; i < ELEMENTSOF(keep); i++)
                        k = k || keep[i] == cap;
                if (k)
                        continue;
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                        return -errno;
        }
        return 0;
}

static pid_t spawn_qemu(const VmMonitorArgs *a, int agent_fd, const Boot *b)
{
        _cleanup_strv_free_ char **argv = qemu_argv(a, agent_fd, b);
        if (!argv)
                return -ENOMEM;
        int log = openat(a->state_dirfd, VM_CONSOLE_LOG,
                         O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (log < 0)
                return -errno;
        pid_t pid = fork();
        if (pid == 0) {
                /* qemu lives exactly as long as we do. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (drop_capabilities() < 0)
                        _exit(127);
                int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
                        _exit(127);
                if (fcntl(agent_fd, F_SETFD, 0) < 0 ||
                    (b->qmp_fd >= 0 && fcntl(b->qmp_fd, F_SETFD, 0) < 0) ||
                    (b->state_fd >= 0 && fcntl(b->state_fd, F_SETFD, 0) < 0))
                        _exit(127);
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                execv(argv[0], argv);
                _exit(127);
        }
        int saved = errno;
        close(log);
        return pid < 0 ? -saved : pid;
}

/* Reads frames until one of `type` for proc arrives (others are handled as they come during
 * boot: there are none but console noise), or the timeout, or qemu dies. */
static int wait_frame(Monitor *m, uint16_t type, uint32_t proc, VmFrame *ret, int timeout_ms)
{
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
                struct timespec now;
                clock_gettime(CLOCK_MONOTONIC, &now);
                long left = timeout_ms - ((now.tv_sec - t0.tv_sec) * 1000 +
                                          (now.tv_nsec - t0.tv_nsec) / 1000000);
                if (left <= 0)
                        return -ETIMEDOUT;
                struct pollfd p[2] = { { .fd = m->agent, .events = POLLIN },
                                       { .fd = m->sfd, .events = POLLIN } };
                if (poll(p, 2, (int)left) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (p[1].revents && waitpid(m->qemu, NULL, WNOHANG) == m->qemu)
                        return -ECHILD;
                if (!p[0].revents)
                        continue;
                VmFrame f;
                int r = vm_frame_read(m->agent, &f);
                if (r < 0)
                        return r;
                if ((f.h.type == type || f.h.type == VM_ERROR) && f.h.proc == proc) {
                        *ret = f;
                        return f.h.type == VM_ERROR ? -EIO : 0;
                }
                vm_frame_done(&f);
        }
}

/* terminal with --console-socket: a host pty whose master goes to the socket's owner; we
 * relay its slave, raw, to the guest's pty (which does the line discipline once). */
static int setup_console(Monitor *m)
{
        int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
                return -errno;
        char *name = ptsname(master);
        int slave = name ? open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
        if (slave < 0) {
                close(master);
                return -errno;
        }
        struct termios t;
        if (tcgetattr(slave, &t) == 0) {
                cfmakeraw(&t);
                tcsetattr(slave, TCSANOW, &t);
        }
        _cleanup_error_ BerthError *err = NULL;
        int r = terminal_send_to_socket(m->a->console_socket, master, &err);
        close(master);
        if (r < 0) {
                close(slave);
                return r;
        }
        /* Our controlling terminal, so a resize by the console's owner reaches us as
         * SIGWINCH. */
        setsid();
        (void)ioctl(slave, TIOCSCTTY, 0);
        m->pty = slave;
        return 0;
}

static void send_winsize(Monitor *m, int fd, uint32_t proc)
{
        struct winsize ws;
        char buf[32];
        if (fd < 0 || ioctl(fd, TIOCGWINSZ, &ws) < 0 || !ws.ws_row)
                return;
        snprintf(buf, sizeof(buf), "%u %u", ws.ws_row, ws.ws_col);
        vm_frame_write_text(m->agent, VM_RESIZE, proc, buf);
}

static void reply(int conn, const char *fmt, ...) _printf_(2, 3);
static void reply(int conn, const char *fmt, ...)
{
        char buf[1024];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        (void)send(conn, buf, (size_t)MIN(n, (int)sizeof(buf) - 1), MSG_NOSIGNAL);
}

static void exec_done(Exec *e)
{
        safe_close(e->conn);
        safe_close(e->in);
        safe_close(e->out);
        safe_close(e->err);
        *e = (Exec){ .conn = -1, .in = -1, .out = -1, .err = -1 };
}

static Exec *exec_find(Monitor *m, uint32_t proc)
{
        for (int i = 0; i < MAX_EXECS; i++)
                if (m->execs[i].used && m->execs[i].proc == proc)
                        return &m->execs[i];
        return NULL;
}

static void accept_control(Monitor *m)
{
        int conn = accept4(m->control, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0)
                return;
        _cleanup_free_ char *buf = malloc(VM_REQ_MAX);
        int fds[3] = { -1, -1, -1 };
        Exec *e = NULL;

        /* The client sends its request right after connecting: a short blocking wait. */
        struct pollfd p = { .fd = conn, .events = POLLIN };
        ssize_t n = buf && poll(&p, 1, 5000) == 1
                            ? socket_recv_fds(conn, buf, VM_REQ_MAX, fds, ELEMENTSOF(fds), NULL)
                            : -1;
        for (int i = 0; i < MAX_EXECS && !e; i++)
                if (!m->execs[i].used)
                        e = &m->execs[i];
        if (n < 1 || !e || (buf[0] != 'E' && buf[0] != 'P' && buf[0] != 'U')) {
                reply(conn, "E %d %s", e ? EINVAL : EBUSY, e ? "bad request" : "too many execs");
                close(conn);
                for (int i = 0; i < 3; i++)
                        safe_close(fds[i]);
                return;
        }
        *e = (Exec){ .used = true, .proc = ++m->next_proc, .conn = conn, .in = fds[0],
                     .out = fds[1], .err = fds[2], .ps = buf[0] != 'E' };
        if (buf[0] == 'P') {
                vm_frame_write(m->agent, VM_PS, 0, e->proc, NULL, 0);
                return;
        }
        if (buf[0] == 'U') {
                /* The VM's memory is what it booted with: a limit can move within it only. */
                const char *mem = memmem(buf + 1, (size_t)(n - 1), "memory=", 7);
                long long want = mem ? strtoll(mem + 7, NULL, 10) : -1;
                long long room = ((long long)m->a->memory_mib - VM_MEMORY_OVERHEAD_MIB) << 20;
                if (want > room) {
                        reply(conn, "E %d memory limit %lld is more than this VM can give (%lld: "
                                    "its memory is fixed when it boots; recreate the container "
                                    "for more)", ERANGE, want, room);
                        exec_done(e);
                        return;
                }
                vm_frame_write(m->agent, VM_UPDATE, 0, e->proc, buf + 1, (uint32_t)(n - 1));
                return;
        }
        if (e->in < 0 || e->out < 0 || e->err < 0) {
                reply(conn, "E %d %s", EINVAL, "exec needs three fds");
                exec_done(e);
                return;
        }
        vm_frame_write(m->agent, VM_EXEC, 0, e->proc, buf + 1, (uint32_t)(n - 1));
}

_Noreturn static void exit_like(int status)
{
        if (WIFSIGNALED(status)) {
                int sig = WTERMSIG(status);
                struct rlimit no_core = {};
                setrlimit(RLIMIT_CORE, &no_core);
                signal(sig, SIG_DFL);
                sigset_t s;
                sigemptyset(&s);
                sigaddset(&s, sig);
                sigprocmask(SIG_UNBLOCK, &s, NULL);
                raise(sig);
                _exit(128 + sig);
        }
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 255);
}

static void write_out(int fd, const VmFrame *f)
{
        if (fd >= 0 && f->h.len)
                (void)fs_write_all_fd(fd, f->data, f->h.len);
}

/* Returns the container's wait status once its process has exited. */
/* What the steps of serve() return to keep serving; any other value is the container's wait
 * status, which ends the monitor. */
#define SERVE_ON (-1)

static int on_signals(Monitor *m)
{
        struct signalfd_siginfo si;

        while (read(m->sfd, &si, sizeof(si)) == sizeof(si)) {
                char buf[16];
                if (si.ssi_signo == SIGCHLD) {
                        if (waitpid(m->qemu, NULL, WNOHANG) == m->qemu)
                                return W_EXITCODE(0, SIGKILL); /* the VM died */
                        continue;
                }
                if (si.ssi_signo == SIGWINCH) {
                        send_winsize(m, m->pty >= 0 ? m->pty : m->in, 0);
                        continue;
                }
                snprintf(buf, sizeof(buf), "%u", si.ssi_signo);
                vm_frame_write_text(m->agent, VM_SIGNAL, 0, buf);
        }
        return SERVE_ON;
}

/* `start` connecting to the exec socket, as it connects to a process-mode init's. */
static void on_start_connection(Monitor *m)
{
        int conn = accept4(m->exec_listen, NULL, NULL, SOCK_CLOEXEC);
        SyncMsg msg = {};

        if (conn >= 0 && m->start_conn < 0 && sync_recv(conn, &msg, NULL) >= 0 &&
            msg.type == SYNC_START) {
                m->start_conn = conn;
                vm_frame_write(m->agent, VM_START, 0, 0, NULL, 0);
        } else if (conn >= 0) {
                close(conn);
        }
        sync_msg_done(&msg);
}

/* The container's stdin (or terminal) on the host, to the guest. */
static void on_console_input(Monitor *m, int cin)
{
        char buf[65536];
        ssize_t k = read(cin, buf, sizeof(buf));

        if (k > 0) {
                vm_frame_write(m->agent, VM_DATA, VM_STREAM_STDIN, 0, buf, (uint32_t)k);
                return;
        }
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (m->pty >= 0)
                m->pty = safe_close(m->pty);
        else {
                vm_frame_write(m->agent, VM_DATA, VM_STREAM_STDIN, 0, NULL, 0);
                m->in = -1; /* stop polling it; it stays open */
        }
}

/* An exec client: a resize or a signal for its process, or its stdin. */
static void on_exec_fd(Monitor *m, Exec *e, int fd)
{
        char buf[65536];
        ssize_t k;

        if (fd == e->conn && e->conn >= 0) {
                k = recv(e->conn, buf, 64 - 1, MSG_DONTWAIT);
                if (k < 0 && (errno == EAGAIN || errno == EINTR))
                        return;
                if (k > 2 && (buf[0] == 'W' || buf[0] == 'K')) {
                        /* 'W': its terminal's new size; 'K': a signal for the process. */
                        buf[k] = 0;
                        if (!e->ps)
                                vm_frame_write_text(m->agent, buf[0] == 'W' ? VM_RESIZE : VM_SIGNAL,
                                                    e->proc, buf + 2);
                        return;
                }
                /* The client went away: its process runs on (as a runc exec's does when runc
                 * is killed); only its status has no taker. */
                e->conn = safe_close(e->conn);
        } else if (fd == e->in && e->in >= 0) {
                k = read(e->in, buf, sizeof(buf));
                vm_frame_write(m->agent, VM_DATA, VM_STREAM_STDIN, e->proc, k > 0 ? buf : NULL,
                               k > 0 ? (uint32_t)k : 0);
                if (k <= 0)
                        e->in = safe_close(e->in);
        }
}

static void on_error_frame(Monitor *m, Exec *e, const VmFrame *f)
{
        const char *text = f->data ? f->data : "0 unknown error";
        int errnum = atoi(text);
        const char *msg = strchr(text, ' ');

        if (f->h.proc == 0 && m->start_conn >= 0) {
                sync_send(m->start_conn, SYNC_ERROR, errnum, msg ? msg + 1 : text, -1);
                m->start_conn = safe_close(m->start_conn);
        } else if (e && e->conn >= 0) {
                reply(e->conn, "E %s", text);
                if (e->ps)
                        exec_done(e);
        }
}

/* One frame from the agent. */
static int on_agent_frame(Monitor *m, int *oom)
{
        VmFrame f;
        int status = SERVE_ON;
        char buf[24];

        if (vm_frame_read(m->agent, &f) < 0)
                return W_EXITCODE(255, 0); /* the agent is gone without a status */
        Exec *e = f.h.proc ? exec_find(m, f.h.proc) : NULL;
        switch (f.h.type) {
        case VM_DATA:
                if (f.h.proc == 0)
                        write_out(m->pty >= 0 ? m->pty
                                  : f.h.stream == VM_STREAM_STDERR ? m->err
                                                                   : m->out,
                                  &f);
                else if (e)
                        write_out(f.h.stream == VM_STREAM_STDERR ? e->err : e->out, &f);
                break;
        case VM_STARTED:
                if (f.h.proc == 0 && m->start_conn >= 0) {
                        /* As with the init's execve: the socket closing says "runs". */
                        m->exec_listen = safe_close(m->exec_listen);
                        m->start_conn = safe_close(m->start_conn);
                        if (m->pty >= 0)
                                send_winsize(m, m->pty, 0);
                } else if (e && e->conn >= 0)
                        reply(e->conn, "S %s", f.data ? f.data : "0");
                break;
        case VM_ERROR:
                on_error_frame(m, e, &f);
                break;
        case VM_EXIT:
                if (f.h.proc == 0) {
                        status = f.data ? atoi(f.data) : W_EXITCODE(255, 0);
                        break;
                }
                if (e) {
                        if (e->conn >= 0)
                                reply(e->conn, "X %s", f.data ? f.data : "0");
                        exec_done(e);
                }
                break;
        case VM_OOM: {
                /* For `events`: the count of OOM kills in the guest so far. */
                int k = snprintf(buf, sizeof(buf), "%d\n", ++*oom);
                (void)fs_write_file_atomic_at(m->a->state_dirfd, VM_OOM_FILE, buf, (size_t)k,
                                              0644);
                break;
        }
        case VM_PS_REPLY:
        case VM_UPDATED:
                if (e) {
                        if (f.h.type == VM_PS_REPLY)
                                reply(e->conn, "R %s", f.data ? f.data : "");
                        else
                                reply(e->conn, "S 0");
                        exec_done(e);
                }
                break;
        default:
                break;
        }
        vm_frame_done(&f);
        return status;
}

/* Relays between the host side and the agent until the container's process has exited;
 * returns its wait status. */
static int serve(Monitor *m)
{
        int oom = 0, status;

        for (;;) {
                struct pollfd p[8 + 2 * MAX_EXECS];
                Exec *who[2 * MAX_EXECS];
                int n = 0, first_exec;
                int cin = m->pty >= 0 ? m->pty : m->in;

                p[n++] = (struct pollfd){ .fd = m->agent, .events = POLLIN };       /* 0 */
                p[n++] = (struct pollfd){ .fd = m->sfd, .events = POLLIN };         /* 1 */
                p[n++] = (struct pollfd){ .fd = m->exec_listen, .events = POLLIN }; /* 2 */
                p[n++] = (struct pollfd){ .fd = m->control, .events = POLLIN };     /* 3 */
                p[n++] = (struct pollfd){ .fd = cin, .events = POLLIN };            /* 4 */
                p[n++] = (struct pollfd){ .fd = m->start_conn, .events = 0 };       /* 5 */
                first_exec = n;
                for (int i = 0; i < MAX_EXECS; i++) {
                        Exec *e = &m->execs[i];
                        if (!e->used)
                                continue;
                        who[n - first_exec] = e;
                        p[n++] = (struct pollfd){ .fd = e->in, .events = POLLIN };
                        who[n - first_exec] = e;
                        p[n++] = (struct pollfd){ .fd = e->conn, .events = POLLIN };
                }
                if (poll(p, (nfds_t)n, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return W_EXITCODE(255, 0);
                }
                if (p[1].revents && (status = on_signals(m)) != SERVE_ON)
                        return status;
                if (p[2].revents && m->exec_listen >= 0)
                        on_start_connection(m);
                if (p[3].revents)
                        accept_control(m);
                if (p[4].revents && cin >= 0)
                        on_console_input(m, cin);
                for (int i = first_exec; i < n; i++)
                        if (p[i].revents && who[i - first_exec]->used)
                                on_exec_fd(m, who[i - first_exec], p[i].fd);
                if (p[5].revents && m->start_conn >= 0) /* `start` was killed: no matter */
                        m->start_conn = safe_close(m->start_conn);
                if (p[0].revents && (status = on_agent_frame(m, &oom)) != SERVE_ON)
                        return status;
        }
}

#define TEMPLATE_QMP_TIMEOUT_MS 30000

static void drain_signals(Monitor *m)
{
        /* The template's qemu has exited: its SIGCHLD would keep wait_frame() polling. */
        struct signalfd_siginfo si;
        while (read(m->sfd, &si, sizeof(si)) == sizeof(si))
                ;
}

static void kill_qemu(pid_t pid)
{
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

static int fsync_path(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = fsync(fd) < 0 ? -errno : 0;
        close(fd);
        return r;
}

/* qemu started with b and a QMP channel: its pid, and our ends of the agent's and of QMP's
 * socket pairs in *ret_agent and *ret_qmp (qemu's ends are closed here). */
static pid_t spawn_qemu_qmp(const VmMonitorArgs *a, Boot b, int *ret_agent, int *ret_qmp)
{
        int sv[2], qv[2], r;
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, qv) < 0) {
                r = -errno;
                close(sv[0]);
                close(sv[1]);
                return r;
        }
        b.qmp_fd = qv[1];
        pid = spawn_qemu(a, sv[1], &b);
        close(sv[1]);
        close(qv[1]);
        if (pid < 0) {
                close(sv[0]);
                close(qv[0]);
                return pid;
        }
        *ret_agent = sv[0];
        *ret_qmp = qv[0];
        return pid;
}

/* Boots the template VM to its agent's hello and saves it, in <dir>.tmp renamed to <dir> when
 * complete, under <dir>.lock: concurrent creates wait for one template, and a create killed
 * half way leaves only the .tmp that the next one removes. */
static int template_make(Monitor *m, const char *dir, const char **what)
{
        const VmMonitorArgs *a = m->a;
        _cleanup_free_ char *state = NULL, *tmp = NULL, *tmem = NULL, *tstate = NULL;
        int sv[2] = { -1, -1 }, qv[2] = { -1, -1 }, r;

        if (asprintf(&state, "%s/" VM_TEMPLATE_STATE, dir) < 0 ||
            asprintf(&tmp, "%s.tmp", dir) < 0 ||
            asprintf(&tmem, "%s.tmp/" VM_TEMPLATE_MEM, dir) < 0 ||
            asprintf(&tstate, "%s.tmp/" VM_TEMPLATE_STATE, dir) < 0)
                return -ENOMEM;
        if (access(state, R_OK) == 0)
                return 0;
        *what = "lock";
        _cleanup_close_ int lock = vm_template_lock(dir);
        if (lock < 0)
                return lock;
        if (access(state, R_OK) == 0)
                return 0; /* made while we waited */
        *what = "make its directory";
        (void)fs_rm_rf(tmp);
        if (mkdir(tmp, 0700) < 0)
                return -errno;
        _cleanup_close_ int sfd = open(tstate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (sfd < 0)
                return -errno;
        *what = "start qemu";
        pid_t pid = spawn_qemu_qmp(a, (Boot){ .mem = tmem, .share = true, .state_fd = -1 },
                                   &sv[0], &qv[0]);
        if (pid < 0)
                return (int)pid;
        Monitor t = *m;
        t.agent = sv[0];
        t.qemu = pid;
        VmFrame f = {};
        *what = "boot";
        r = wait_frame(&t, VM_HELLO, 0, &f, BOOT_TIMEOUT_MS);
        vm_frame_done(&f);
        if (r >= 0) {
                *what = "QMP";
                r = vm_qmp_open(qv[0], TEMPLATE_QMP_TIMEOUT_MS);
        }
        if (r >= 0) {
                *what = "save (stop, migrate)";
                r = vm_qmp_save(qv[0], sfd, TEMPLATE_QMP_TIMEOUT_MS);
        }
        if (r >= 0)
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        else
                kill_qemu(pid);
        close(sv[0]);
        close(qv[0]);
        drain_signals(m);
        if (r < 0)
                return r;
        *what = "publish";
        if (fsync(sfd) < 0 || fsync_path(tmem) < 0)
                return -errno;
        if (rename(tmp, dir) < 0)
                return -errno;
        vm_template_prune(dir);
        return 0;
}

/* Starts qemu as a clone of the template (made first when there is none) and resumes it; the
 * agent gets the host's clock and fresh entropy. m->qemu and m->agent on success. */
static int boot_clone(Monitor *m, const char **what)
{
        const VmMonitorArgs *a = m->a;
        _cleanup_free_ char *mem = NULL, *state = NULL;
        int sv[2] = { -1, -1 }, qv[2] = { -1, -1 }, r;

        r = template_make(m, a->template_dir, what);
        if (r < 0)
                return r;
        if (asprintf(&mem, "%s/" VM_TEMPLATE_MEM, a->template_dir) < 0 ||
            asprintf(&state, "%s/" VM_TEMPLATE_STATE, a->template_dir) < 0)
                return -ENOMEM;
        *what = "open the template";
        _cleanup_close_ int sfd = open(state, O_RDONLY | O_CLOEXEC);
        if (sfd < 0)
                return -errno;
        *what = "start qemu";
        pid_t pid = spawn_qemu_qmp(
                a, (Boot){ .mem = mem, .share = false, .incoming = true, .state_fd = sfd },
                &sv[0], &qv[0]);
        if (pid < 0)
                return (int)pid;
        *what = "resume (QMP, migrate-incoming)";
        r = vm_qmp_open(qv[0], TEMPLATE_QMP_TIMEOUT_MS);
        if (r >= 0)
                r = vm_qmp_load(qv[0], sfd, TEMPLATE_QMP_TIMEOUT_MS);
        close(qv[0]);
        if (r < 0) {
                close(sv[0]);
                kill_qemu(pid);
                drain_signals(m);
                return r;
        }
        m->qemu = pid;
        m->agent = sv[0];

        struct timespec now;
        unsigned char seed[32];
        char text[64 + 2 * sizeof(seed)];
        clock_gettime(CLOCK_REALTIME, &now);
        if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
                return -EIO;
        int n = snprintf(text, sizeof(text), "%lld %ld ", (long long)now.tv_sec, now.tv_nsec);
        for (size_t i = 0; i < sizeof(seed); i++)
                n += snprintf(text + n, sizeof(text) - (size_t)n, "%02x", seed[i]);
        *what = "talk to the agent";
        return vm_frame_write_text(m->agent, VM_RESUMED, 0, text);
}

_Noreturn void vm_monitor_main(const VmMonitorArgs *a)
{
        Monitor m = { .a = a, .agent = -1, .exec_listen = -1, .start_conn = -1, .control = -1,
                      .in = STDIN_FILENO, .out = STDOUT_FILENO, .err = STDERR_FILENO, .pty = -1 };
        int sv[2], r;
        char b;

        for (int i = 0; i < MAX_EXECS; i++)
                m.execs[i] = (Exec){ .conn = -1, .in = -1, .out = -1, .err = -1 };
        /* Until create has seen us ready, we die with it: nothing of a killed create lives on. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != a->parent)
                _exit(1);
        if (read(a->go_fd, &b, 1) != 1)
                _exit(1);
        close(a->go_fd);
        double t_go = now_ms();

        m.sfd = process_signalfd_all_but(
                (const int[]){ SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGPIPE }, 5);
        signal(SIGPIPE, SIG_IGN);
        if (m.sfd < 0)
                fail(a, -m.sfd, "vm: signalfd");

        VmFrame f = {};
        double t_spawned, t_hello;
        _cleanup_free_ char *guest_uptime = NULL;
        const char *what = "";
        r = a->template_dir ? boot_clone(&m, &what) : -ENOENT;
        if (r < 0 && a->template_dir) {
                /* Cold boot instead; why is kept beside the console's log. */
                char t[512];
                int k = snprintf(t, sizeof(t), "vm: template %s: %s: %s; booting cold\n",
                                 a->template_dir, what, strerror(-r));
                (void)fs_write_file_atomic_at(a->state_dirfd, VM_TEMPLATE_LOG, t, (size_t)k, 0644);
        }
        if (r >= 0) {
                /* Resumed: no boot; the bench's phases read as "the VMM start" and none of the
                 * guest's own. */
                t_spawned = t_go;
                t_hello = now_ms();
                guest_uptime = strdup("0 0");
        } else {
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                        fail(a, errno, "vm: agent socket");
                m.agent = sv[0];
                m.qemu = spawn_qemu(a, sv[1], &cold_boot);
                close(sv[1]);
                if (m.qemu < 0)
                        fail(a, (int)-m.qemu, "vm: start %s", a->assets->qemu);

                t_spawned = now_ms();
                r = wait_frame(&m, VM_HELLO, 0, &f, BOOT_TIMEOUT_MS);
                if (r < 0)
                        fail(a, r == -ECHILD ? 0 : -r, "vm: the guest did not come up%s",
                             r == -ECHILD ? " (qemu exited)" : "");
                t_hello = now_ms();
                guest_uptime = TAKE_PTR(f.data);
        }
        if (vm_frame_write(m.agent, VM_CREATE, 0, 0, a->create->buf, (uint32_t)a->create->len) < 0)
                fail(a, EPIPE, "vm: talk to the agent");
        r = wait_frame(&m, VM_STARTED, 0, &f, BOOT_TIMEOUT_MS);
        if (r < 0) {
                if (r == -EIO && f.data) {
                        const char *msg = strchr(f.data, ' ');
                        fail(a, 0, "vm: in the guest: %s", msg ? msg + 1 : f.data);
                }
                fail(a, -r, "vm: create the container in the guest");
        }
        _cleanup_free_ char *guest_pid = f.data;
        double t_created = now_ms();
        {
                /* Where create's time went, for bench/runtime-start/vm.py: ms since the
                 * monitor was told to boot; the guest's own uptime when its agent said hello
                 * and when the kernel started the agent ("UPTIME INIT"). */
                char t[320];
                const char *up = guest_uptime ? guest_uptime : "?";
                const char *init = strchr(up, ' ');
                int n = snprintf(t, sizeof(t),
                                 "qemu_spawned_ms=%.1f agent_hello_ms=%.1f guest_uptime_s=%.*s "
                                 "guest_init_s=%s container_created_ms=%.1f\n",
                                 t_spawned - t_go, t_hello - t_go,
                                 init ? (int)(init - up) : (int)strlen(up), up,
                                 init ? init + 1 : "?", t_created - t_go);
                (void)fs_write_file_atomic_at(a->state_dirfd, "vm-timings", t, (size_t)n, 0644);
        }

        if (a->terminal && a->console_socket && (r = setup_console(&m)) < 0)
                fail(a, -r, "vm: console socket %s", a->console_socket);
        if (a->terminal && !a->console_socket)
                m.pty = -1; /* run in the foreground: stdio is the caller's terminal */
        m.exec_listen = socket_listen_unix_at(SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, a->state_dirfd,
                                              STATE_EXEC_SOCKET, 16);
        if (m.exec_listen < 0)
                fail(a, -m.exec_listen, "vm: %s", STATE_EXEC_SOCKET);
        m.control = socket_listen_unix_at(SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, a->state_dirfd,
                                          VM_CONTROL_SOCKET, 16);
        if (m.control < 0)
                fail(a, -m.control, "vm: %s", VM_CONTROL_SOCKET);

        /* Created. From here on we outlive create, as an init would (a create killed between
         * these lines leaves a container that is running and marked "creating": delete --force
         * removes it). */
        prctl(PR_SET_PDEATHSIG, 0);
        report(a, "ok %s", guest_pid ? guest_pid : "0");
        close(a->report_fd);

        int status = serve(&m);
        kill(m.qemu, SIGKILL);
        while (waitpid(m.qemu, NULL, 0) < 0 && errno == EINTR)
                ;
        exit_like(status);
}
