"""Kernels that cannot collide over a port.

jupyter_client picks free TCP ports for a kernel, closes them, and lets the kernel bind them a moment later. Another
process starting a kernel at the same moment (a parallel test worker, a second grading thread's neighbour) can be
handed the same free port, and one kernel then dies at start-up with "Address already in use". On Linux and macOS
these managers give every kernel its own private folder of IPC socket files instead, so there is nothing to share.
Windows has no IPC transport for Jupyter, so there the usual TCP ports are kept.

``notebook_client`` is the one way the project's own tools start such a kernel for a notebook.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref

from jupyter_client.manager import AsyncKernelManager, KernelManager
from nbclient import NotebookClient


class _PrivateSockets:
    def __init__(self, **kwargs):
        if os.name == "posix" and "ip" not in kwargs:
            folder = tempfile.mkdtemp(prefix="collectivisation-kernel-")
            weakref.finalize(self, shutil.rmtree, folder, True)
            kwargs.update(transport="ipc", ip=os.path.join(folder, "kernel"))
        super().__init__(**kwargs)


class PrivateKernelManager(_PrivateSockets, KernelManager):
    """A blocking kernel manager (as nbval uses) whose kernel talks through its own socket files."""


class PrivateAsyncKernelManager(_PrivateSockets, AsyncKernelManager):
    """The same for nbclient, which drives kernels asynchronously."""


def notebook_client(notebook, folder: str, **options) -> NotebookClient:
    """How the build, the grader and the benchmark run a notebook: a fresh python3 kernel with private sockets,
    working in ``folder``. ``options`` are nbclient's own (timeout, allow_errors, ...)."""
    return NotebookClient(notebook, kernel_name="python3", kernel_manager_class=PrivateAsyncKernelManager,
                          resources={"metadata": {"path": folder}}, **options)
