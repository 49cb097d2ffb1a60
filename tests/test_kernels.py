"""Kernels started by the build, the grader, the benchmark and nbval cannot collide over a TCP port."""

import gc
import os
from pathlib import Path

import nbval.kernel
import pytest

from collectivisation.tools.kernels import PrivateAsyncKernelManager, PrivateKernelManager

posix_only = pytest.mark.skipif(os.name != "posix", reason="Jupyter has no IPC transport on Windows: TCP is kept there")


@posix_only
def test_every_kernel_gets_its_own_socket_folder_and_it_is_removed_afterwards():
    first, second = PrivateAsyncKernelManager(kernel_name="python3"), PrivateKernelManager(kernel_name="python3")
    folders = {Path(manager.ip).parent for manager in (first, second)}
    assert {first.transport, second.transport} == {"ipc"} and len(folders) == 2
    assert all(folder.is_dir() and folder.name.startswith("collectivisation-kernel-") for folder in folders)
    del first, second
    gc.collect()
    assert not any(folder.exists() for folder in folders)


@posix_only
def test_nbval_starts_its_kernels_the_same_way():
    kernel = nbval.kernel.RunningKernel("python3")
    try:
        assert kernel.km.transport == "ipc"
        assert kernel.kc.execute_interactive("x = 6 * 7", timeout=30)["content"]["status"] == "ok"
    finally:
        kernel.stop()
