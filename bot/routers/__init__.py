"""One router per feature; each module's `build()` returns a fresh router (a router can be
attached to one dispatcher only, and tests build several)."""
