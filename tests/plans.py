"""What the database's planner would do with a statement, to test that a query can be
answered from an index rather than by reading a whole table. On PostgreSQL the planner may
be told to avoid what it could otherwise choose for a test's small tables (``avoid``):
``enable_seqscan``, ``enable_sort``... are costs, not bans, so a plan that still shows
them had no other way."""

import json

from django.db import connection


def steps(sql: str, *, avoid=()) -> list[dict] | list[str]:
    """The plan of ``sql``: its nodes on PostgreSQL, its lines on SQLite."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return [row[-1] for row in cursor.fetchall()]
        for setting in avoid:
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
        for setting in avoid:
            cursor.execute(f"RESET {setting}")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    nodes, stack = [], [plan[0]["Plan"]]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.get("Plans", []))
    return nodes


def reaches_by_key(sql: str, table: str) -> bool:
    """Whether the plan reaches ``table`` by key only (an index condition on PostgreSQL, a
    SEARCH on SQLite), never reading all of it. On PostgreSQL, fill the table and run
    ANALYZE first: for a few rows, reading them all is the planner's right choice."""
    plan = steps(sql)
    if connection.vendor != "postgresql":
        return not any(step.startswith(f"SCAN {table}") for step in plan)
    reads = [node for node in plan if node.get("Relation Name") == table]
    keyed = ("Index Cond" in node or node["Node Type"] == "Bitmap Heap Scan" for node in reads)
    return bool(reads) and all(keyed)


def reads_in_index_order(sql: str, table: str) -> bool:
    """Whether the rows of ``table`` come in the order asked for from an index, so that a
    LIMIT stops the reading early, rather than all read and sorted."""
    plan = steps(sql, avoid=("enable_seqscan", "enable_sort"))
    if connection.vendor != "postgresql":
        return not any(
            (step.startswith(f"SCAN {table}") and "INDEX" not in step) or "TEMP B-TREE" in step
            for step in plan
        )
    reads = [node for node in plan if node.get("Relation Name") == table]
    ordered = all(node["Node Type"].startswith("Index") for node in reads)
    return bool(reads) and ordered and not any(node["Node Type"] == "Sort" for node in plan)
