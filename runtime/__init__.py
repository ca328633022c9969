"""The platform's runtime: configuration, the module graph, servers, events, stores and the CLI.

Nothing here creates an engine, client, registry or configuration at import time; everything is
built from a `Config` by `runtime.platform.Platform`.
"""
