"""Django's PostgreSQL backend with a client-side deadline on every round trip to the server.

`statement_timeout` is enforced by the server. A server that stops answering — frozen, cut off by
the network, its host swapping — enforces nothing, and psycopg waits on the socket for ever: TCP
keeps the connection looking alive (the kernel of a stopped server still acknowledges). With
persistent connections (CONN_MAX_AGE > 0) that hangs a request, and then every request of the
thread. Here each wait for the server on an open connection (a query, a commit, a rollback) lasts
at most the database's QUERY_TIMEOUT seconds (critvue.settings: DATABASE_QUERY_TIMEOUT); past it
the connection is closed and the request gets an OperationalError, which mediakit.faults answers as
503. Connecting is bounded by libpq's own connect_timeout.

Use it as the ENGINE "critvue.postgresql"; everything else is Django's backend unchanged.
"""

from __future__ import annotations

import types
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg import errors
from psycopg.connection import _WAIT_INTERVAL as WAIT_INTERVAL  # psycopg's own default


class BoundedConnection(psycopg.Connection):
    """A psycopg connection whose every wait for the server ends after `deadline` seconds."""

    deadline: float | None = None  # None: wait as long as the server takes

    def wait(self, gen: Any, interval: float = WAIT_INTERVAL, timeout: float | None = None) -> Any:
        if timeout is not None or self.deadline is None:
            # A wait psycopg bounds itself (e.g. notifies(timeout=...)) handles its own expiry.
            return super().wait(gen, interval, timeout)
        try:
            return super().wait(gen, interval, self.deadline)
        except errors._WaitTimeout:  # psycopg's own signal for a wait past its timeout
            # The connection is mid-conversation and of no further use: close it, so that nothing
            # waits on it again (Django drops it once it sees the error).
            self.pgconn.finish()
            raise psycopg.OperationalError(f"the database server did not answer within {self.deadline:g} s") from None


class _Psycopg(types.ModuleType):
    """psycopg as Django's backend sees it (`DatabaseWrapper.Database`), connecting with BoundedConnection."""

    connect = staticmethod(BoundedConnection.connect)

    def __getattr__(self, name: str) -> Any:
        return getattr(psycopg, name)


class DatabaseWrapper(base.DatabaseWrapper):
    Database = _Psycopg("psycopg")

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        if isinstance(connection, BoundedConnection):  # not one from a connection pool
            connection.deadline = self.settings_dict.get("QUERY_TIMEOUT")
        return connection
