"""gunicorn's threaded worker, closing its listening sockets as soon as it stops accepting.

Stock gthread stops accepting on SIGTERM but keeps its listeners open until the last
in-flight request is done, so connections the kernel queues meanwhile wait and are then
reset. Closed listeners refuse at once instead, and with SO_REUSEPORT the kernel sends
new connections to the process that replaces this one.
"""

from __future__ import annotations

from gunicorn.workers.gthread import ThreadWorker


class DrainingThreadWorker(ThreadWorker):
    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled)
        if not enabled and not self.alive:
            for listener in self.sockets:
                listener.close()
