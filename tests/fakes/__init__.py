"""Local HTTP servers that speak third-party APIs, so tests drive the real clients offline."""
