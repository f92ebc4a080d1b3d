"""The example community (阳光社区) and its forms, shipped with the package."""
