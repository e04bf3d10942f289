/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The event loop: io readiness, signals, child exits (reaped, and not ours), timers, sources
 * freed from handlers, errors ending the loop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "basic/macro.h"
#include "basic/time-util.h"
#include "shared/event-loop.h"
#include "tap.h"


typedef struct Counts {
        EventLoop *loop;
        int io, sig, child, timer;
        int status;
        pid_t pid;
        int code;
        EventSource *first, *second;
} Counts;

static int on_io_exit(EventSource *s, int fd, uint32_t revents, void *userdata)
{
        Counts *c = userdata;
        char buf[16];

        c->io += read(fd, buf, sizeof(buf)) > 0;
        return 0;
}

static int on_timer(EventSource *s, void *userdata)
{
        Counts *c = userdata;

        c->timer++;
        event_loop_exit(c->loop, 42);
        return 0;
}

TEST(io_and_timer)
{
        _cleanup_event_loop_ EventLoop *l = NULL;
        _cleanup_close_ int a = -1, b = -1;
        int sv[2];
        Counts c = { 0 };

        ASSERT_OK(event_loop_new(&l));
        ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv));
        a = sv[0], b = sv[1];
        ASSERT_OK(event_loop_add_io(l, a, EPOLLIN, on_io_exit, &c, NULL));
        ASSERT_TRUE(write(b, "x", 1) == 1);

        /* The timer ends the loop after the io was seen. */
        EventSource *t = NULL;
        uint64_t start = time_monotonic_usec();
        c.loop = l;
        ASSERT_OK(event_loop_add_timer(l, 20000, on_timer, &c, &t));
        ASSERT_EQ(event_loop_run(l), 42);
        ASSERT_EQ(c.timer, 1);
        ASSERT_EQ(c.io, 1);
        ASSERT_TRUE(time_monotonic_usec() - start >= 20000);

        /* Armed again, it fires again; zero fires at once. */
        ASSERT_OK(event_source_set_timer(t, 0));
        ASSERT_EQ(event_loop_run(l), 42);
        ASSERT_EQ(c.timer, 2);
        event_source_free(t);
        return 0;
}

static int on_child(EventSource *s, const siginfo_t *si, void *userdata)
{
        Counts *c = userdata;

        c->child++;
        c->pid = si->si_pid;
        c->code = si->si_code;
        c->status = si->si_status;
        event_source_free(s);
        if (c->loop)
                event_loop_exit(c->loop, 0);
        return 0;
}

static int on_timer_exit(EventSource *s, void *userdata)
{
        event_loop_exit(userdata, 0);
        return 0;
}

TEST(child_is_reaped_with_its_status)
{
        _cleanup_event_loop_ EventLoop *l = NULL;
        Counts c = { 0 };
        pid_t pid;

        ASSERT_OK(event_loop_new(&l));
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0)
                _exit(7);
        ASSERT_OK(event_loop_add_child(l, pid, on_child, &c, NULL));
        ASSERT_OK(event_loop_add_timer(l, 200000, on_timer_exit, l, NULL));
        /* Ends by the timer: the child's source was freed in its handler, and fired once. */
        ASSERT_OK(event_loop_run(l));
        ASSERT_EQ(c.child, 1);
        ASSERT_EQ(c.pid, pid);
        ASSERT_EQ(c.code, CLD_EXITED);
        ASSERT_EQ(c.status, 7);
        /* Reaped: nothing left to wait for. */
        ASSERT_TRUE(waitpid(pid, NULL, WNOHANG) < 0 && errno == ECHILD);
        return 0;
}

TEST(process_that_is_no_child_is_seen_exiting)
{
        _cleanup_event_loop_ EventLoop *l = NULL;
        Counts c = { 0 };
        int p[2];
        pid_t mid, grandchild = 0;

        ASSERT_OK(event_loop_new(&l));
        /* A grandchild, whose parent exits first: not ours to wait for. */
        ASSERT_OK(pipe2(p, O_CLOEXEC));
        mid = fork();
        ASSERT_TRUE(mid >= 0);
        if (mid == 0) {
                pid_t g = fork();
                if (g == 0) {
                        usleep(100000);
                        _exit(0);
                }
                (void)!write(p[1], &g, sizeof(g));
                _exit(0);
        }
        ASSERT_TRUE(read(p[0], &grandchild, sizeof(grandchild)) == sizeof(grandchild));
        close(p[0]);
        close(p[1]);
        ASSERT_TRUE(waitpid(mid, NULL, 0) == mid);

        c.loop = l;
        ASSERT_OK(event_loop_add_child(l, grandchild, on_child, &c, NULL));
        /* A bound, should the exit never be seen. */
        ASSERT_OK(event_loop_add_timer(l, 5000000, on_timer_exit, l, NULL));
        ASSERT_OK(event_loop_run(l));
        ASSERT_EQ(c.child, 1);
        ASSERT_EQ(c.pid, grandchild);
        ASSERT_EQ(c.code, 0);
        return 0;
}

static int on_signal(EventSource *s, const struct signalfd_siginfo *si, void *userdata)
{
        Counts *c = userdata;

        c->sig = (int)si->ssi_signo;
        return -ECANCELED;
}

TEST(signal_arrives_and_an_error_ends_the_loop)
{
        _cleanup_event_loop_ EventLoop *l = NULL;
        EventSource *s = NULL;
        Counts c = { 0 };
        sigset_t blocked;

        ASSERT_OK(event_loop_new(&l));
        ASSERT_OK(event_loop_add_signal(l, SIGUSR1, on_signal, &c, &s));
        ASSERT_OK(kill(getpid(), SIGUSR1));
        ASSERT_EQ(event_loop_run(l), -ECANCELED);
        ASSERT_EQ(c.sig, SIGUSR1);

        /* Freeing the source unblocks the signal again. */
        event_source_free(s);
        ASSERT_OK(sigprocmask(SIG_BLOCK, NULL, &blocked));
        ASSERT_EQ(sigismember(&blocked, SIGUSR1), 0);
        return 0;
}

static int on_any(EventSource *s, int fd, uint32_t revents, void *userdata)
{
        Counts *c = userdata;
        char buf[4];

        (void)!read(fd, buf, sizeof(buf));
        c->io++;
        /* Whichever runs first frees the other, which must then not run. */
        event_source_free(s == c->first ? c->second : c->first);
        event_source_free(s);
        event_loop_exit(c->loop, 0);
        return 0;
}

TEST(source_freed_by_another_handler_in_the_same_batch)
{
        _cleanup_event_loop_ EventLoop *l = NULL;
        _cleanup_close_ int a = -1, b = -1, x = -1, y = -1;
        Counts c = { 0 };
        int sv[2];

        ASSERT_OK(event_loop_new(&l));
        ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
        a = sv[0], b = sv[1];
        ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
        x = sv[0], y = sv[1];
        c.loop = l;
        ASSERT_OK(event_loop_add_io(l, a, EPOLLIN, on_any, &c, &c.first));
        ASSERT_OK(event_loop_add_io(l, x, EPOLLIN, on_any, &c, &c.second));
        ASSERT_TRUE(write(b, "1", 1) == 1 && write(y, "2", 1) == 1);
        ASSERT_OK(event_loop_run(l));
        ASSERT_EQ(c.io, 1);
        return 0;
}

TEST(bad_arguments)
{
        _cleanup_event_loop_ EventLoop *l = NULL;

        ASSERT_OK(event_loop_new(&l));
        ASSERT_EQ(event_loop_add_io(l, -1, EPOLLIN, on_any, NULL, NULL), -EINVAL);
        ASSERT_EQ(event_loop_add_signal(l, 0, on_signal, NULL, NULL), -EINVAL);
        ASSERT_EQ(event_loop_add_child(l, 0, on_child, NULL, NULL), -EINVAL);
        /* A process that does not exist. */
        ASSERT_EQ(event_loop_add_child(l, 0x3fffffff, on_child, NULL, NULL), -ESRCH);
        return 0;
}
