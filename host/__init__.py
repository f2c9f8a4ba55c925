"""The runtime every front end drives: graph loading, runs (create, resume, cancel, stream,
wait), the workers that execute them, the event broker, and the approval lifecycle.

The HTTP API, the console, the CLI, ``royal eval`` and the benchmarks are thin front ends over
it, so a thread or an approval created through any of them is visible and decidable through
every other. Imports point one way: front ends -> host -> graphs -> nodes.
"""
