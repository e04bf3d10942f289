/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs a fuzz target on the files (or the files in the directories) given: the seed corpus
 * and every crash input found stay plain tests without libFuzzer. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "basic/fs-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
        char *data = NULL;
        size_t n = 0;

        if (read_full_file(path, &data, &n) < 0) {
                fprintf(stderr, "cannot read %s\n", path);
                return 1;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)data, n);
        free(data);
        printf("ok %s\n", path);
        return 0;
}

int main(int argc, char **argv)
{
        int failed = 0;

        for (int i = 1; i < argc; i++) {
                struct stat st;
                if (stat(argv[i], &st) < 0)
                        continue;
                if (!S_ISDIR(st.st_mode)) {
                        failed |= run_file(argv[i]);
                        continue;
                }
                DIR *d = opendir(argv[i]);
                struct dirent *de;
                while (d && (de = readdir(d))) {
                        char p[4096];
                        if (de->d_name[0] == '.')
                                continue;
                        snprintf(p, sizeof(p), "%s/%s", argv[i], de->d_name);
                        failed |= run_file(p);
                }
                if (d)
                        closedir(d);
        }
        return failed;
}
