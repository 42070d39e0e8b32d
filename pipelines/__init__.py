"""Item pipelines: dates → elements → (reposts) → snapshots (storage last).

Pipelines call the pure extractors of ``monitor.extract`` on each page item and hand the results to
the store; they never fetch.
"""
