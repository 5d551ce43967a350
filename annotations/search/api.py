"""`GET /api/seminars/{id}/search?q=…&kind=&tag=&author=&reading=&page=`: the search page's
results as JSON (docs/search.md, docs/api.md). Members only: anyone else gets 404."""

import datetime
from typing import Any

from ninja import Router, Schema

from annotations.search.forms import SearchForm
from annotations.search.services import PAGE_SIZE, search
from seminar.api import access_seminar_api
from seminar.errors import ServiceError

router = Router(tags=["search"])


class ResultOut(Schema):
    type: str
    id: int
    reading: int
    title: str
    snippet: str
    url: str
    score: float
    kind: str | None
    author: dict[str, Any] | None
    created: datetime.datetime | None


class SearchOut(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[ResultOut]


@router.get("/seminars/{seminar_id}/search", response=SearchOut)
def seminar_search(
    request,
    seminar_id: int,
    q: str = "",
    kind: str = "",
    tag: str = "",
    author: str = "",
    reading: str = "",
    page: str = "",
):
    seminar = access_seminar_api(request.user, seminar_id)
    form = SearchForm(
        {"q": q, "kind": kind, "tag": tag, "author": author, "reading": reading, "page": page}
    )
    if not form.is_valid():
        raise ServiceError(form.first_error())
    found = search(user=request.user, seminar=seminar, **form.params())
    return {
        "count": found.count,
        "page": found.page,
        "pages": found.pages,
        "page_size": PAGE_SIZE,
        "results": found.results,
    }
