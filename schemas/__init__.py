"""Event contracts: typed models, their committed JSON Schemas and the serde boundary."""
