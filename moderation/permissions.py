"""What moderation says to the API's clients: a suspended uploader is refused."""

from rest_framework import status

from mediakit.api import api_error

UploadsSuspended = api_error(
    "UploadsSuspended", status.HTTP_403_FORBIDDEN, "uploads_suspended", "A moderator has suspended your uploads."
)
