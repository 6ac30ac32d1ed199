from rest_framework import pagination


class Pagination(pagination.PageNumberPagination):
    """Pages of 50 by default; `page_size` up to 500 for bulk pulls."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
