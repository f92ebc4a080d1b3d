"""A real Synapse homeserver on loopback for end-to-end tests: harness, fixtures, helpers."""
