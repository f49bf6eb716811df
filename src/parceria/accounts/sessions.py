"""The session store (settings.SESSION_ENGINE): Django's database sessions, with the one read every signed-in
request makes, the session by its key, as fixed SQL (common/fixedsql.py) instead of an ORM query built and
compiled per request. Everything else is Django's: the row, its expiry, saving, deleting on sign-out (the session
ends on the server, not only in the browser) and the check of the user's password hash that ends every session of
a user whose password changed."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connection
from django.utils import timezone

from parceria.common import fixedsql


class SessionStore(DatabaseSessionStore):
    def load(self) -> dict[str, Any]:
        """The session's data; an unknown or expired key gives an empty session and no key (as Django's)."""
        if not self.session_key:
            self._session_key = None
            return {}
        sql = (f"SELECT session_data FROM {fixedsql.table(self.model)} "  # our table, the key a parameter
               "WHERE session_key = %s AND expire_date > %s")
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        rows = fixedsql.fetch(sql, [self.session_key, now], [None])
        if not rows:
            self._session_key = None
            return {}
        return self.decode(rows[0][0])
