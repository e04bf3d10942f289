/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: layer tars (any compression) unpacked into a scratch directory. Whatever
 * the input, unpack_layer() returns an error or success and writes nothing outside it. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "image/unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char tmpl[] = "/tmp/berth-fuzz-tar-XXXXXX";
        BerthError *err = NULL;
        int fd, root;

        fd = memfd_create("layer", MFD_CLOEXEC);
        if (fd < 0 || fs_write_all_fd(fd, data, size) < 0 || lseek(fd, 0, SEEK_SET) < 0)
                abort();
        if (!mkdtemp(tmpl))
                abort();
        root = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                abort();
        if (unpack_layer(fd, "fuzz", root, UNPACK_PLAIN_FILES, NULL, &err) < 0 &&
            (!err || !err->msg))
                __builtin_trap();
        berth_error_free(&err);
        close(root);
        close(fd);
        fs_rm_rf(tmpl);
        return 0;
}
