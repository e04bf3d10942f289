# SPDX-License-Identifier: LGPL-2.1-or-later
"""Where the binaries under test are: BERTH_BUILD_DIR, or the repository's build/."""
import os

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BERTH_BUILD_DIR", os.path.join(REPO, "build"))
RUNTIME = os.path.join(BUILD, "src", "cmd", "berth-runtime")
