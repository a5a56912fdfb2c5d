from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M` with a bounded page size."""

    page_size = 20
    page_size_query_param = "page_size"
    # A page of 100 rows is as much as one request should serialise.
    max_page_size = 100
