# SPDX-License-Identifier: LGPL-2.1-or-later
"""A command on a pseudo-terminal of the test's own, as a user at a terminal runs it: the pty is
its controlling terminal (so a size set on it sends SIGWINCH), what it prints is read back with
a deadline."""
import fcntl
import os
import select
import struct
import subprocess
import termios
import time


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class Term:
    def __init__(self, argv, env, rows=24, cols=80):
        self.master, slave = os.openpty()
        set_size(slave, rows, cols)

        def controlling_tty():
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True, preexec_fn=controlling_tty)
        os.close(slave)
        self.buf = b""

    def write(self, data):
        os.write(self.master, data)

    def resize(self, rows, cols):
        set_size(self.master, rows, cols)

    def _read(self, timeout):
        r, _, _ = select.select([self.master], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.master, 4096)
        except OSError:  # EIO: the command and every child closed the terminal
            data = b""
        if not data:
            return None
        self.buf += data
        return True

    def expect(self, text, timeout=15):
        """Waits until text has been printed; returns everything read so far."""
        text = text.encode() if isinstance(text, str) else text
        deadline = time.time() + timeout
        while text not in self.buf:
            left = deadline - time.time()
            if left <= 0 or self._read(left) is None:
                raise AssertionError(f"no {text!r} in {self.buf!r}")
        return self.buf.decode(errors="replace")

    def wait(self, timeout=15):
        """Reads until the end; the exit code."""
        deadline = time.time() + timeout
        while time.time() < deadline and self._read(0.2) is not None:
            if self.proc.poll() is not None and self._read(0.1) is not True:
                break
        try:
            return self.proc.wait(timeout=max(1, deadline - time.time()))
        finally:
            self.close()

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        try:
            os.close(self.master)
        except OSError:
            pass
