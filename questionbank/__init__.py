"""The question bank: seed data, its Postgres table, the loader, and the catalog that reads
the table's change-data-capture topic (operators edit SQL; Debezium carries the edits)."""
