# SPDX-License-Identifier: LGPL-2.1-or-later
"""The `berth` fixture: the engine with a store and run directory of the test's own; at the
end every container is removed and the test fails if anything was left (engine_env.py)."""
import pytest

from engine_env import BERTH, Engine


@pytest.fixture(scope="session", autouse=True)
def default_network_cleanup():
    """Containers are on the default network `berth`: its bridge, its static rules and the
    plugins' shared chains go at the end, once unused (cni_host.py)."""
    yield
    from cni_host import remove_berth_chains, remove_default_bridge, remove_shared_chains
    remove_default_bridge()
    remove_berth_chains()
    remove_shared_chains()


@pytest.fixture
def berth(tmp_path):
    import os
    if not os.access(BERTH, os.X_OK):
        pytest.fail(f"{BERTH} is not built")
    e = Engine(str(tmp_path / "root"))
    yield e
    left = e.cleanup()
    assert not left, f"left behind: {left}"
