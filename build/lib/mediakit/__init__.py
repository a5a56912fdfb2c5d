"""The ground the media apps stand on: image and video pipeline, storage mechanics, their DRF base, the review seam."""
