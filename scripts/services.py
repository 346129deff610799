"""Print the URL of a local PostgreSQL or Redis that answers, or exit 1.

Used by the test script: PostgreSQL on 127.0.0.1:5432 with trust auth as ``postgres`` or
``root`` (the ``incubator`` database is created if missing), Redis on 127.0.0.1:6379.
"""

import socket
import sys


def postgres() -> str | None:
    import psycopg

    for user in ("postgres", "root"):
        try:
            with psycopg.connect(
                host="127.0.0.1", user=user, dbname="postgres", connect_timeout=3, autocommit=True
            ) as conn:
                if not conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname='incubator'"
                ).fetchone():
                    conn.execute("CREATE DATABASE incubator")
                return f"postgres://{user}@127.0.0.1:5432/incubator"
        except psycopg.Error:
            continue
    return None


def redis() -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=3) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return "redis://127.0.0.1:6379/0"
    except OSError:
        pass
    return None


if __name__ == "__main__":
    url = {"postgres": postgres, "redis": redis}[sys.argv[1]]()
    if not url:
        sys.exit(1)
    print(url)
