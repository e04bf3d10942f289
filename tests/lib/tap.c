/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The runner behind tap.h: one TAP line per TEST(), exit 77 when every test skipped. */
#include "tap.h"

TestCase tap_tests[TEST_MAX];
int tap_n_tests;

int main(int argc, char **argv)
{
        int failed = 0, skipped = 0;
        const char *only = argc > 1 ? argv[1] : NULL;

        printf("1..%d\n", tap_n_tests);
        for (int i = 0; i < tap_n_tests; i++) {
                if (only && strcmp(only, tap_tests[i].name) != 0) {
                        printf("ok %d %s # SKIP not selected\n", i + 1, tap_tests[i].name);
                        skipped++;
                        continue;
                }
                fflush(stdout);
                int r = tap_tests[i].func();
                if (r == TEST_SKIP) {
                        printf("ok %d %s # SKIP\n", i + 1, tap_tests[i].name);
                        skipped++;
                } else if (r != 0) {
                        printf("not ok %d %s\n", i + 1, tap_tests[i].name);
                        failed++;
                } else
                        printf("ok %d %s\n", i + 1, tap_tests[i].name);
        }
        if (failed)
                return 1;
        if (tap_n_tests > 0 && skipped == tap_n_tests)
                return 77;
        return 0;
}
