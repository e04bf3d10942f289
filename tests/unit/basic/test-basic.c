/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/dir-fd.h"
#include "basic/error.h"
#include "basic/fs-util.h"
#include "basic/mountinfo.h"
#include "basic/process-util.h"
#include "basic/socket-util.h"
#include "basic/string-util.h"
#include "tap.h"

TEST(error_first_wins_and_prefix)
{
        _cleanup_error_ BerthError *err = NULL;

        ASSERT_EQ(berth_error(&err, -ENOENT, "open `%s`", "/x"), -ENOENT);
        ASSERT_EQ(berth_error(&err, EPERM, "second"), -ENOENT);
        ASSERT_STREQ(err->msg, "open `/x`: No such file or directory");
        ASSERT_EQ(berth_error_prefix(&err, "container `%s`", "c1"), -ENOENT);
        ASSERT_STREQ(err->msg, "container `c1`: open `/x`: No such file or directory");
        return 0;
}

TEST(error_without_errno)
{
        _cleanup_error_ BerthError *err = NULL;

        ASSERT_EQ(berth_error(&err, 0, "bad value %d", 7), -EINVAL);
        ASSERT_STREQ(err->msg, "bad value 7");
        return 0;
}

/* In a child: the fds it would close are the test's too. */
TEST(close_fds_except_keeps_what_it_is_told)
{
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
                const int fds[] = { 10, 11, 12, 40, 41, 900 };
                for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
                        if (dup2(null, fds[i]) < 0)
                                _exit(2);
                const int keep[] = { 40, 12, 5, 12, -1 };
                if (process_close_fds_except(11, keep, 5) < 0)
                        _exit(3);
                /* Below first: untouched; kept: open; the rest: closed. */
                bool ok = fcntl(10, F_GETFD) >= 0 && fcntl(11, F_GETFD) < 0 &&
                          fcntl(12, F_GETFD) >= 0 && fcntl(40, F_GETFD) >= 0 &&
                          fcntl(41, F_GETFD) < 0 && fcntl(900, F_GETFD) < 0;
                _exit(ok ? 0 : 1);
        }
        int status;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
        return 0;
}

TEST(safe_atou64_strict)
{
        uint64_t v;
        int64_t s;

        ASSERT_OK(string_safe_atou64("18446744073709551615", &v));
        ASSERT_EQ_U64(v, UINT64_MAX);
        ASSERT_FAIL(string_safe_atou64("18446744073709551616", &v));
        ASSERT_FAIL(string_safe_atou64("-1", &v));
        ASSERT_FAIL(string_safe_atou64(" 1", &v));
        ASSERT_FAIL(string_safe_atou64("1x", &v));
        ASSERT_FAIL(string_safe_atou64("", &v));
        ASSERT_OK(string_safe_atoi64("-9", &s));
        ASSERT_EQ(s, -9);
        return 0;
}

TEST(strv_ops)
{
        _cleanup_strv_free_ char **l = NULL;

        ASSERT_OK(strv_extend(&l, "a"));
        ASSERT_OK(strv_extend(&l, "b"));
        ASSERT_EQ(strv_length(l), 2);
        ASSERT_TRUE(strv_contains(l, "b"));
        ASSERT_FALSE(strv_contains(l, "c"));
        return 0;
}

TEST(json_escape_controls)
{
        char buf[64];

        string_json_escape("a\"b\\c\n\x01", buf, sizeof(buf));
        ASSERT_STREQ(buf, "a\\\"b\\\\c\\n\\u0001");
        return 0;
}

TEST(atomic_write_and_rm_rf)
{
        char tmpl[] = "/tmp/berth-test-XXXXXX";
        _cleanup_free_ char *data = NULL;
        char path[256];

        ASSERT_NOT_NULL(mkdtemp(tmpl));
        snprintf(path, sizeof(path), "%s/a/b/c", tmpl);
        ASSERT_OK(fs_mkdir_p(path, 0755));
        int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dfd >= 0);
        ASSERT_OK(fs_write_file_atomic_at(dfd, "f", "hello", 5, 0600));
        close(dfd);
        snprintf(path, sizeof(path), "%s/a/b/c/f", tmpl);
        ASSERT_OK(fs_read_full_file(path, &data, NULL));
        ASSERT_STREQ(data, "hello");
        ASSERT_OK(fs_rm_rf(tmpl));
        ASSERT_EQ(access(tmpl, F_OK), -1);
        return 0;
}

TEST(error_plain_keeps_text)
{
        _cleanup_error_ BerthError *err = NULL;

        ASSERT_EQ(berth_error_plain(&err, EACCES, "open `%s`: Permission denied", "x"), -EACCES);
        ASSERT_STREQ(err->msg, "open `x`: Permission denied");
        return 0;
}

TEST(read_full_file_limited_refuses_non_regular_and_large)
{
        char tmpl[] = "/tmp/berth-test-XXXXXX";
        char path[256], link[256], fifo[256];
        _cleanup_free_ char *data = NULL;
        size_t n = 0;

        ASSERT_NOT_NULL(mkdtemp(tmpl));
        snprintf(path, sizeof(path), "%s/f", tmpl);
        snprintf(link, sizeof(link), "%s/zero", tmpl);
        snprintf(fifo, sizeof(fifo), "%s/fifo", tmpl);
        int dfd = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dfd >= 0);
        ASSERT_OK(fs_write_file_atomic_at(dfd, "f", "0123456789", 10, 0600));
        close(dfd);
        ASSERT_OK(fs_read_full_file_limited(AT_FDCWD, path, 10, &data, &n, NULL));
        ASSERT_STREQ(data, "0123456789");
        ASSERT_EQ(n, (size_t)10);

        /* One byte past the limit: refused, naming the file and the limit. */
        _cleanup_error_ BerthError *big = NULL;
        ASSERT_EQ(fs_read_full_file_limited(AT_FDCWD, path, 9, &data, NULL, &big), -EFBIG);
        ASSERT_NOT_NULL(strstr(big->msg, path));
        ASSERT_NOT_NULL(strstr(big->msg, "9 bytes"));

        /* A link to /dev/zero would never end; a FIFO with no writer would block. */
        _cleanup_error_ BerthError *zero = NULL, *pipe_err = NULL;
        ASSERT_OK(symlink("/dev/zero", link));
        ASSERT_EQ(fs_read_full_file_limited(AT_FDCWD, link, READ_LIMIT_JSON, &data, NULL, &zero),
                  -EINVAL);
        ASSERT_NOT_NULL(strstr(zero->msg, "character device"));
        ASSERT_OK(mkfifo(fifo, 0600));
        ASSERT_EQ(
            fs_read_full_file_limited(AT_FDCWD, fifo, READ_LIMIT_JSON, &data, NULL, &pipe_err),
            -EINVAL);
        ASSERT_NOT_NULL(strstr(pipe_err->msg, "FIFO"));

        /* A pipe through the fd variant: the limit holds without a size to stat. */
        int p[2];
        ASSERT_OK(pipe(p));
        ASSERT_EQ(write(p[1], "0123456789", 10), 10);
        close(p[1]);
        _cleanup_free_ char *piped = NULL;
        ASSERT_EQ(fs_read_full_fd_limited(p[0], 4, &piped, NULL), -EFBIG);
        close(p[0]);
        ASSERT_OK(fs_rm_rf(tmpl));
        return 0;
}

/* A listening socket at a path longer than sun_path holds is reached through its directory;
 * three fds travel in one message with its bytes. */
TEST(socket_long_path_and_fd_passing)
{
        char tmpl[] = "/tmp/berth-test-sock-XXXXXX", dir[512], path[600];
        ASSERT_NOT_NULL(mkdtemp(tmpl));
        snprintf(dir, sizeof(dir), "%s/%0120d", tmpl, 0);
        ASSERT_OK(fs_mkdir_p(dir, 0700));
        snprintf(path, sizeof(path), "%s/s", dir);
        ASSERT_TRUE(strlen(path) > 108);

        _cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dfd >= 0);
        _cleanup_close_ int l = socket_listen_unix_at(SOCK_SEQPACKET | SOCK_CLOEXEC, dfd, "s", 1);
        ASSERT_TRUE(l >= 0);
        _cleanup_close_ int c = socket_connect_unix(SOCK_SEQPACKET | SOCK_CLOEXEC, path);
        ASSERT_TRUE(c >= 0);
        _cleanup_close_ int a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        ASSERT_TRUE(a >= 0);

        int p[2];
        ASSERT_OK(pipe2(p, O_CLOEXEC));
        int send[3] = { p[0], p[1], p[1] };
        ASSERT_OK(socket_send_fds(c, "hi", 2, send, 3));
        char buf[8] = {};
        int got[2] = { -1, -1 };
        size_t n_got = 0;
        /* Room for two: the third is closed, not leaked. */
        ASSERT_EQ(socket_recv_fds(a, buf, sizeof(buf), got, 2, &n_got), 2);
        ASSERT_STREQ(buf, "hi");
        ASSERT_EQ((int)n_got, 2);
        ASSERT_TRUE(fcntl(got[0], F_GETFD) & FD_CLOEXEC);
        ASSERT_EQ(write(got[1], "x", 1), 1);
        ASSERT_EQ(read(p[0], buf, 1), 1);
        for (int i = 0; i < 2; i++) {
                close(p[i]);
                close(got[i]);
        }
        ASSERT_EQ(socket_connect_unix_at(SOCK_STREAM | SOCK_CLOEXEC, dfd, "none"), -ENOENT);
        ASSERT_OK(fs_rm_rf(tmpl));
        return 0;
}

TEST(mountinfo_parse_and_unescape)
{
        char line[] = "36 35 98:0 /mnt\\040x /my\\040mount rw,noatime master:1 shared:2 - ext3 "
                      "/dev/root\\011a rw,errors=continue\n";
        MountInfo m;
        ASSERT_OK(mountinfo_parse_line(line, &m));
        ASSERT_EQ(m.id, 36);
        ASSERT_EQ(m.parent, 35);
        ASSERT_EQ((int)m.major, 98);
        ASSERT_EQ((int)m.minor, 0);
        ASSERT_STREQ(m.root, "/mnt x");
        ASSERT_STREQ(m.mount_point, "/my mount");
        ASSERT_STREQ(m.options, "rw,noatime");
        ASSERT_STREQ(m.fstype, "ext3");
        ASSERT_STREQ(m.source, "/dev/root\ta");
        ASSERT_STREQ(m.super_options, "rw,errors=continue");
        char bad[] = "36 35 98:0 / /x rw shared:1\n";
        ASSERT_EQ(mountinfo_parse_line(bad, &m), -EBADMSG);

        /* Our own: "/" is there. */
        _cleanup_mountinfo_ MountInfoIter it = {};
        bool root = false;
        ASSERT_OK(mountinfo_open(&it, NULL));
        while (mountinfo_next(&it, &m) > 0)
                root = root || strcmp(m.mount_point, "/") == 0;
        ASSERT_TRUE(root);
        return 0;
}

TEST(dir_fd_mkdir_p_open_and_list)
{
        char tmpl[] = "/tmp/berth-test-dirfd-XXXXXX";
        ASSERT_NOT_NULL(mkdtemp(tmpl));
        _cleanup_close_ int top = dir_fd_open_at(AT_FDCWD, tmpl, O_NOFOLLOW);
        ASSERT_TRUE(top >= 0);
        ASSERT_OK(dir_fd_mkdir_p(top, "a/b/c", 0755));
        ASSERT_OK(dir_fd_mkdir_p(top, "a/b/c", 0755));
        _cleanup_close_ int b = dir_fd_open_at(top, "a/b", 0);
        ASSERT_TRUE(b >= 0);
        ASSERT_EQ(dir_fd_open_at(top, "a/none", 0), -ENOENT);

        _cleanup_closedir_ DIR *d = NULL;
        ASSERT_OK(dir_fd_opendir(b, &d));
        int n = 0;
        for (struct dirent *de; (de = readdir(d));)
                n += strcmp(de->d_name, "c") == 0;
        ASSERT_EQ(n, 1);
        /* b is still ours. */
        ASSERT_TRUE(fcntl(b, F_GETFD) >= 0);
        ASSERT_OK(fs_rm_rf_at(top, "a"));
        ASSERT_EQ(dir_fd_open_at(top, "a", 0), -ENOENT);
        ASSERT_OK(fs_rm_rf(tmpl));
        return 0;
}
