"""OpenAPI post-processing: the error responses every endpoint can give, documented once for all.

Any endpoint may answer 401 (a wrong or expired token, even on public data) and 429 (throttled);
one with query parameters or a body may answer 400; one with a path parameter, pages or cursors 404;
one that writes, or that needs an account, 403. Views document their own specific errors; this hook
adds the generic ones they did not mention, all with the one error body of common/api_errors.py.
"""

ERROR_SCHEMA = {
    "type": "object",
    "description": "The body of every API error.",
    "properties": {
        "status": {"type": "integer", "description": "The HTTP status"},
        "code": {"type": "string", "description": "Stable machine-readable word: invalid, not_found, throttled..."},
        "detail": {"type": "string", "description": "What went wrong, for people"},
        "errors": {
            "type": "object",
            "additionalProperties": {},
            "description": "Invalid input only: field name → messages",
        },
        "retry_after": {"type": "integer", "description": "429 only: seconds to wait"},
    },
    "required": ["status", "code", "detail"],
}
DESCRIPTIONS = {
    "400": "Invalid parameters or body: `errors` names each field and says why",
    "401": "The credentials sent are invalid (an unknown or revoked token), or this endpoint needs them",
    "403": "Authenticated, but not allowed to do this",
    "404": "No such object, or a page number past the end, or an invalid cursor",
    "429": "Too many requests: wait the number of seconds in the `Retry-After` header",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}
# Public data reads (dataset/api/caching.py): validators from the latest release, and 304s.
CACHED_TAG = "dataset"
CACHE_HEADERS = {
    "ETag": "Changes with every release; send it back as If-None-Match to get a 304",
    "Last-Modified": "Time of the latest release",
    "X-Release": "Number of the latest release",
    "Cache-Control": "public, max-age=60",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    reference = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            parameters = operation.get("parameters", [])
            codes = {"401", "429"}
            if any(p.get("in") == "query" for p in parameters) or "requestBody" in operation:
                codes.add("400")
            if any(p.get("in") == "path" or p.get("name") in ("page", "cursor") for p in parameters):
                codes.add("404")
            if method in WRITE_METHODS:
                codes |= {"400", "403"}
            if {} not in operation.get("security", [{}]):  # needs an account, so some accounts may be refused
                codes.add("403")
            responses = operation["responses"]
            for code in sorted(codes - set(responses)):
                responses[code] = {
                    "description": DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": reference}},
                }
            if method == "get" and CACHED_TAG in operation.get("tags", []) and "200" in responses:
                _document_caching(responses)
    return result


def _document_caching(responses: dict) -> None:
    headers = responses["200"].setdefault("headers", {})
    for name, description in CACHE_HEADERS.items():
        headers.setdefault(name, {"schema": {"type": "string"}, "description": description})
    responses.setdefault(
        "304", {"description": "Not modified since the release named by If-None-Match / If-Modified-Since: no body"}
    )


# --- operation names and groups ---------------------------------------------------------------

# Resource (first path segment after /api/v1/) -> (group shown in the docs, one of them, group description)
RESOURCES = {
    "observations": ("Observations", "observation", "Values of the canonical dataset: JSON pages or one CSV"),
    "series": (
        "Series",
        "series",
        "Whole series with their derived figures: daily new, 7-day average, per 100,000 people",
    ),
    "locations": ("Locations", "location", "Countries, regions and subregions with their keys and populations"),
    "metrics": ("Metrics", "metric", "What is counted, and whether it is a cumulative total or a daily figure"),
    "releases": ("Releases", "release", "Numbered, citable states of the dataset with their files"),
    "sources": ("Sources", "source", "Official sources: the registry, and proposals of new ones"),
    "submissions": ("Submissions", "submission", "Uploads of data files, their validation, diff and review"),
    "review": ("Review", "review queue entry", "What waits for a reviewer"),
    "ping": ("Status", "status", "Whether the API answers"),
}
# Resources documented in another resource's group (the front door still lists them by their own name).
GROUPED_WITH = {"series": "Observations"}
ACTIONS = {"approve": "Approve", "reject": "Reject", "request-changes": "Request changes to"}


def _article(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def operation_summary(method: str, path: str) -> tuple[str, str] | None:
    """("List observations", "Observations") for GET /api/v1/observations/: an operation's name in
    English and the group it belongs to, from its method and path (None for a path outside /api/v1/)."""
    parts = [p for p in path.split("/") if p]
    if parts[:2] != ["api", "v1"] or len(parts) < 3:
        return None
    rest = parts[2:]
    if rest[0] == "review" and rest[1:] == ["queue"]:
        return ("List the review queue" if method == "get" else f"{method.title()} the review queue"), "Review"
    group, one, _ = RESOURCES.get(rest[0], (rest[0].replace("-", " ").title(), rest[0].rstrip("s"), ""))
    many = group.lower()
    group = GROUPED_WITH.get(rest[0], group)
    if rest[0] == "ping":
        return "Check that the API answers", group
    has_id = len(rest) >= 2 and rest[1].startswith("{")
    action = rest[2] if has_id and len(rest) >= 3 else None
    if action:
        verb = ACTIONS.get(action, action.replace("-", " ").capitalize())
        return f"{verb} {_article(one)}", group
    if not has_id:
        return (
            {"get": f"List {many}", "post": f"Create {_article(one)}"}.get(method, f"{method.title()} {many}")
        ), group
    names = {
        "get": f"Retrieve {_article(one)}",
        "put": f"Replace {_article(one)}",
        "patch": f"Update {_article(one)}",
        "delete": f"Delete {_article(one)}",
    }
    return names.get(method, f"{method.title()} {_article(one)}"), group


def name_operations(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry (after add_error_responses, which reads the tags it
    replaces): every operation gets an English summary unless its view wrote one, and its resource's
    group as its only tag, so Swagger UI and Redoc list "List observations" under "Observations"."""
    used = {}
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            named = operation_summary(method, path)
            if named is None:
                continue
            summary, group = named
            operation.setdefault("summary", summary)
            operation["tags"] = [group]
            used[group] = True
    descriptions = {group: text for group, _, text in RESOURCES.values()}
    result["tags"] = [{"name": group, "description": descriptions.get(group, "")} for group in sorted(used)]
    return result
