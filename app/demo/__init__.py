"""The demo catalog, loaded through the registration service."""
