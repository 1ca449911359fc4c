"""The dataset's public read API (/api/v1/locations/, metrics/, releases/, observations/, ping/).

views.py holds the endpoints and `register(router)` for portal/api_v1.py; serializers.py,
filters.py (query parameters), streaming.py (CSV), caching.py (ETag, 304s and the per-release
cache) and openapi.py (documented errors and examples) hold what they use.
"""
